"""The audit log (who changed what and when) and retention (`smbot purge`)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from models.db import make_engine
from models.tables import AuditEntry, CarPrompt, Case, Notification, SecureMessage
from tests.test_replay import OFFICE


def load(tmp_path: Path, events: list[dict]) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in [*OFFICE, *events]) + "\n")
    assert main(["import", "events", str(path)]) == 0


def store(tmp_path: Path) -> Session:
    return Session(make_engine(f"sqlite:///{tmp_path / 'var' / 'smbot.db'}"))


def case_events(case: str, day: str) -> list[dict]:
    at = f"{day}T09:00:00-05:00"
    return [
        {
            "type": "message.received",
            "id": f"{case}-in",
            "case": case,
            "employee": "U01",
            "at": at,
        },
        {"type": "confirm", "case": case, "employee": "U01", "what": "car:CO-TDC", "at": at},
        {"type": "message.sent", "id": f"{case}-out", "case": case, "employee": "U01", "at": at},
        {"type": "confirm", "case": case, "employee": "U01", "what": "closing", "at": at},
    ]


def test_confirmations_replies_and_roster_changes_are_in_the_audit_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(tmp_path, case_events("APL-26-0001", "2026-09-14"))
    capsys.readouterr()

    assert main(["audit", "export", "--format", "json"]) == 0

    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    actions = [(r["actor"], r["action"], r["case"]) for r in rows]
    assert ("U01", "car.recorded", "APL-26-0001") in actions
    assert ("U01", "message.replied", "APL-26-0001") in actions
    assert ("U01", "closing.confirmed", "APL-26-0001") in actions
    assert ("events", "employee.upserted", "") in actions


def test_purge_removes_closed_cases_only_and_keeps_the_audit_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(
        tmp_path,
        case_events("APL-26-0001", "2026-01-12")
        + case_events("APL-26-0002", "2026-09-14")
        + [
            {
                "type": "message.received",
                "id": "open-1",
                "case": "APL-26-0003",
                "employee": "U01",
                "at": "2026-01-12T09:00:00-05:00",
            }
        ],
    )
    with store(tmp_path) as session:
        entries_before = len(session.exec(select(AuditEntry)).all())

    status = main(["purge", "--closed-before", "2026-06-01"])

    assert status == 0
    assert "1 case(s)" in capsys.readouterr().out
    with store(tmp_path) as session:
        assert sorted(c.number for c in session.exec(select(Case)).all()) == [
            "APL-26-0002",
            "APL-26-0003",
        ]
        for table in (SecureMessage, CarPrompt, Notification):
            cases = {row.case_number for row in session.exec(select(table)).all()}
            assert "APL-26-0001" not in cases
        entries = session.exec(select(AuditEntry)).all()
    assert len(entries) == entries_before + 1
    assert entries[-1].action == "retention.purged"


def test_the_audit_export_is_csv_by_default_and_honours_since(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(
        tmp_path,
        case_events("APL-26-0001", "2026-01-12") + case_events("APL-26-0002", "2026-09-14"),
    )
    capsys.readouterr()

    assert main(["audit", "export", "--since", "2026-09-01"]) == 0

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and all(r["at"] >= "2026-09" for r in rows)
    assert "APL-26-0001" not in {r["case"] for r in rows}
