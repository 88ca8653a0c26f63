"""`smbot import events`: backfill from JSON lines or CSV, each refused line reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from models.db import make_engine
from models.tables import Employee, Notification, SecureMessage

HEADER = "type,id,case,employee,at,name,role,manager,tz,egain\n"


TZ = "America/Chicago"


def stored(tmp_path: Path) -> list[SecureMessage]:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'smbot.db'}")
    with Session(engine) as session:
        return list(session.exec(select(SecureMessage)).all())


def test_a_csv_backfill_loads_good_rows_and_names_each_bad_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        HEADER
        + "employee,U01,,,,Alex Rivera,ate,,America/Chicago,40123\n"
        + "message.received,m-1,APL-26-0001,,2026-11-30T09:00:00-06:00,,,,,40123\n"
        + "message.received,m-2,APL-26-0002,U404,2026-11-30T09:00:00-06:00,,,,,\n"
        + "message.received,m-3,APL-26-0003,,2026-11-30T09:00:00,,,,,40123\n"
    )

    status = main(["import", "events", str(path)])

    out = capsys.readouterr()
    assert status == 1
    assert out.out == "4 lines read: 2 events applied, 0 already seen, 2 refused.\n"
    assert "line 4:" in out.err and "U404" in out.err
    assert "line 5:" in out.err and "offset" in out.err
    assert [m.id for m in stored(tmp_path)] == ["m-1"]


def test_json_lines_import_applies_events_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.jsonl"
    events = [
        {
            "type": "employee",
            "id": "U01",
            "name": "Alex Rivera",
            "role": "ate",
            "tz": "America/Chicago",
        },
        {
            "type": "message.received",
            "id": "m-1",
            "case": "APL-26-0001",
            "employee": "U01",
            "at": "2026-11-30T09:00:00-06:00",
        },
    ]
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")

    first = main(["import", "events", str(path)])
    again = main(["import", "events", str(path)])

    out = capsys.readouterr().out.splitlines()
    assert (first, again) == (0, 0)
    # The second time only the employee (an update, not an event with an id) applies again.
    assert out == [
        "2 lines read: 2 events applied, 0 already seen, 0 refused.",
        "2 lines read: 1 event applied, 1 already seen (its event id was imported before), "
        "0 refused.",
    ]
    assert [m.id for m in stored(tmp_path)] == ["m-1"]


def test_a_line_with_a_taxpayer_id_is_refused_and_not_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        json.dumps(
            {
                "type": "employee",
                "id": "U01",
                "name": "SSN 123-45-6789",
                "role": "ate",
                "tz": "America/Chicago",
            }
        )
        + "\n"
    )

    status = main(["import", "events", str(path)])

    err = capsys.readouterr().err
    assert status == 1
    assert "line 1:" in err and "6789" not in err
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'smbot.db'}")
    with Session(engine) as session:
        assert session.exec(select(Employee)).all() == []


def test_a_missing_file_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["import", "events", "nowhere.jsonl"])

    assert status == 2
    assert "There is no file nowhere.jsonl" in capsys.readouterr().err


def test_the_summary_adds_up_when_a_line_repeats_an_event_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    received = {
        "type": "message.received",
        "case": "APL-26-0001",
        "employee": "U01",
        "at": "2026-11-30T09:00:00-06:00",
    }
    lines = [
        {"type": "employee", "id": "U01", "name": "Alex Rivera", "role": "ate", "tz": "UTC"},
        {**received, "id": "m-1"},
        {**received, "id": "m-1"},
        {**received, "id": "m-2", "employee": "U404"},
        {**received, "id": "m-3"},
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    status = main(["import", "events", str(path)])

    out = capsys.readouterr()
    assert status == 1
    assert out.out == (
        "5 lines read: 3 events applied, 1 already seen (its event id was imported before), "
        "1 refused.\n"
    )
    assert out.err.startswith("5 lines read so far…\nline 4: ")
    assert sorted(m.id for m in stored(tmp_path)) == ["m-1", "m-3"]


def test_a_file_that_is_not_utf8_is_refused_with_how_to_save_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(
        (HEADER + "employee,U01,,,,José Pérez,ate,,America/Chicago,40123\n").encode("cp1252")
    )

    status = main(["import", "events", str(path)])

    err = capsys.readouterr().err
    assert status == 2
    assert f"{path} is not UTF-8 text" in err and "Save it as UTF-8" in err
    assert "Traceback" not in err


def test_a_line_dated_in_the_future_is_refused_and_the_rest_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        {"type": "employee", "id": "U01", "name": "A. Rivera", "role": "ate", "tz": TZ},
        {
            "type": "message.received",
            "id": "m-1",
            "case": "APL-26-0001",
            "employee": "U01",
            "at": "2030-12-01T09:00:00-06:00",
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    status = main(["import", "events", str(path)])

    err = capsys.readouterr().err
    assert status == 1
    assert "line 1" not in err
    assert "line 2: field 'at': 2030-12-01T09:00:00-06:00 is in the future" in err
    assert stored(tmp_path) == []


def test_a_utf16_file_with_a_bom_is_read_as_the_roster_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.csv"
    row = "employee,U01,,,,José Pérez,ate,,America/Chicago,40123\n"
    path.write_bytes((HEADER + row).encode("utf-16"))

    status = main(["import", "events", str(path)])

    assert status == 0, capsys.readouterr().err
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'smbot.db'}")
    with Session(engine) as session:
        assert [e.name for e in session.exec(select(Employee)).all()] == ["José Pérez"]


def test_replay_only_lines_are_refused_in_an_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        {"type": "config", "reminder_days": [5]},
        {"type": "tick", "at": "2026-12-01T09:00:00-06:00"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    status = main(["import", "events", str(path)])

    err = capsys.readouterr().err
    assert status == 1
    assert "line 1: type 'config': only replay files may use it" in err
    assert "line 2: type 'tick': only replay files may use it" in err


def test_a_backfilled_history_does_not_flood_people_with_overdue_dms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        {"type": "employee", "id": "U09", "name": "Dana", "role": "manager", "tz": TZ},
        {
            "type": "employee",
            "id": "U01",
            "name": "Alex",
            "role": "ate",
            "manager": "U09",
            "tz": TZ,
        },
        *(
            {
                "type": "message.received",
                "id": f"m-{n}",
                "case": f"APL-26-{n:04d}",
                "employee": "U01",
                "at": f"2026-10-{n:02d}T09:00:00-05:00",
            }
            for n in range(1, 21)
        ),
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    status = main(["import", "events", str(path)])

    assert status == 0
    assert "100 reminders and prompts already overdue in this history were not sent" in (
        capsys.readouterr().err
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'smbot.db'}")
    with Session(engine) as session:
        states = {n.state for n in session.exec(select(Notification))}
    engine.dispose()
    assert states == {"held"}
