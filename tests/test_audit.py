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
    capsys.readouterr()

    status = main(["purge", "--closed-before", "2026-06-01"])

    assert status == 0
    assert capsys.readouterr().out == (
        "Removed the data of 1 case closed before 2026-06-01; the audit log is kept.\n"
    )
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


def case_numbers(tmp_path: Path) -> list[str]:
    with store(tmp_path) as session:
        return sorted(c.number for c in session.exec(select(Case)).all())


def test_a_cut_off_later_than_today_is_refused_and_nothing_is_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(tmp_path, case_events("APL-26-0001", "2026-09-14"))
    capsys.readouterr()

    status = main(["purge", "--closed-before", "2099-01-01"])

    err = capsys.readouterr().err
    assert status == 2
    assert "--closed-before 2099-01-01 is later than today" in err
    assert case_numbers(tmp_path) == ["APL-26-0001"]


@pytest.mark.parametrize("days", ["-5", "0"])
def test_a_retention_of_no_days_or_fewer_is_refused_naming_the_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, days: str
) -> None:
    load(tmp_path, case_events("APL-26-0001", "2026-09-14"))
    capsys.readouterr()
    monkeypatch.setenv("RETENTION_DAYS", days)

    status = main(["purge"])

    err = capsys.readouterr().err
    assert status == 2
    assert f"RETENTION_DAYS: {days} is not a number of days to keep closed cases" in err
    assert case_numbers(tmp_path) == ["APL-26-0001"]


def test_purging_two_cases_says_so_in_the_plural(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(
        tmp_path,
        case_events("APL-26-0001", "2026-01-12") + case_events("APL-26-0002", "2026-02-09"),
    )
    capsys.readouterr()

    status = main(["purge", "--closed-before", "2026-06-01"])

    assert status == 0
    assert "Removed the data of 2 cases closed before 2026-06-01" in capsys.readouterr().out
    assert case_numbers(tmp_path) == []


def test_a_case_with_a_message_after_its_closing_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = {
        "type": "message.received",
        "id": "late-1",
        "case": "APL-26-0001",
        "employee": "U01",
        "at": "2026-07-01T09:00:00-05:00",
    }
    closed = case_events("APL-26-0001", "2026-01-12")
    load(tmp_path, [*closed, later, *case_events("APL-26-0002", "2026-01-12")])
    capsys.readouterr()

    status = main(["purge", "--closed-before", "2026-06-01"])

    assert status == 0
    assert "1 case closed before then was kept" in capsys.readouterr().out
    assert case_numbers(tmp_path) == ["APL-26-0001"]
