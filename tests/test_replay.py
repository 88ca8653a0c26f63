"""`smbot replay`: reminder and escalation instants on the business-hours clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main

OFFICE = [
    {
        "type": "employee",
        "id": "U09",
        "name": "Dana Manager",
        "role": "manager",
        "tz": "America/Chicago",
    },
    {
        "type": "employee",
        "id": "U01",
        "name": "Alex Rivera",
        "role": "ate",
        "manager": "U09",
        "tz": "America/Chicago",
        "egain": "40123",
    },
    {
        "type": "employee",
        "id": "U02",
        "name": "Sam Okafor",
        "role": "ate",
        "manager": "U09",
        "tz": "America/New_York",
    },
    {
        "type": "employee",
        "id": "U03",
        "name": "Priya Nair",
        "role": "ate",
        "manager": "U09",
        "tz": "America/Los_Angeles",
    },
]


def received(ident: str, case: str, who: Any, at: str) -> dict[str, Any]:
    return {"type": "message.received", "id": ident, "case": case, "employee": who, "at": at}


def sent(ident: str, case: str, who: str, at: str) -> dict[str, Any]:
    return {"type": "message.sent", "id": ident, "case": case, "employee": who, "at": at}


def tick(at: str) -> dict[str, Any]:
    return {"type": "tick", "at": at}


def replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    path = tmp_path / "timeline.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in [*OFFICE, *events]) + "\n")

    status = main(["replay", str(path), "--json"])

    assert status == 0, capsys.readouterr().err
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


TIMELINESS = ("reminder", "escalation")


def when(out: list[dict[str, Any]]) -> list[tuple[str, str, str, int | None]]:
    """List the reminders and escalations: (at, to, kind, level)."""
    return [(n["at"], n["to"], n["kind"], n["level"]) for n in out if n["kind"] in TIMELINESS]


def timeliness(out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n for n in out if n["kind"] in TIMELINESS]


def test_late_friday_before_a_monday_holiday_skips_the_weekend_and_the_holiday(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            received("m-1", "APL-26-0001", "U01", "2026-09-04T16:00:00-05:00"),
            tick("2026-09-18T00:00:00-05:00"),
        ],
    )

    assert when(out) == [
        ("2026-09-08T16:00:00-05:00", "U01", "reminder", 1),
        ("2026-09-09T16:00:00-05:00", "U01", "reminder", 2),
        ("2026-09-10T16:00:00-05:00", "U09", "escalation", 3),
    ]


def test_after_hours_before_an_observed_friday_holiday_starts_the_clock_monday(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            received("m-1", "APL-26-0002", "U02", "2026-07-02T18:00:00-04:00"),
            tick("2026-07-20T00:00:00-04:00"),
        ],
    )

    assert when(out)[:2] == [
        ("2026-07-07T08:00:00-04:00", "U02", "reminder", 1),
        ("2026-07-08T08:00:00-04:00", "U02", "reminder", 2),
    ]
    # The manager is in Chicago: 08:00 in New York is 07:00 there.
    escalation = timeliness(out)[2]
    assert escalation["kind"] == "escalation" and escalation["at"] == "2026-07-09T07:00:00-05:00"


def test_a_daylight_saving_change_keeps_wall_clock_working_hours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            received("m-1", "APL-26-0003", "U03", "2026-10-30T12:00:00-07:00"),
            tick("2026-11-10T00:00:00-08:00"),
        ],
    )

    assert when(out)[:2] == [
        ("2026-11-02T12:00:00-08:00", "U03", "reminder", 1),
        ("2026-11-03T12:00:00-08:00", "U03", "reminder", 2),
    ]


def test_a_reply_stops_the_clock_for_every_earlier_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            received("m-1", "APL-26-0004", "U01", "2026-09-14T09:00:00-05:00"),
            received("m-2", "APL-26-0004", "U01", "2026-09-14T11:00:00-05:00"),
            tick("2026-09-15T09:30:00-05:00"),
            sent("m-3", "APL-26-0004", "U01", "2026-09-15T10:00:00-05:00"),
            tick("2026-09-30T00:00:00-05:00"),
        ],
    )

    assert when(out) == [("2026-09-15T09:00:00-05:00", "U01", "reminder", 1)]


def test_a_second_inbound_message_starts_its_own_clock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            received("m-1", "APL-26-0005", "U01", "2026-09-14T09:00:00-05:00"),
            sent("m-2", "APL-26-0005", "U01", "2026-09-14T10:00:00-05:00"),
            received("m-3", "APL-26-0005", "U01", "2026-09-15T11:00:00-05:00"),
            tick("2026-09-17T00:00:00-05:00"),
        ],
    )

    assert when(out) == [("2026-09-16T11:00:00-05:00", "U01", "reminder", 1)]
    assert "Tue Sep 15, 11:00 CDT" in timeliness(out)[0]["text"]


def test_the_same_event_id_twice_counts_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = received("m-1", "APL-26-0006", {"egain": "40123"}, "2026-09-14T09:00:00-05:00")

    out = replay(tmp_path, capsys, [message, message, tick("2026-09-16T00:00:00-05:00")])

    assert when(out) == [("2026-09-15T09:00:00-05:00", "U01", "reminder", 1)]


def test_three_time_zones_each_get_reminders_on_their_own_clock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            received("m-1", "APL-26-0007", "U02", "2026-09-14T09:00:00-04:00"),
            received("m-2", "APL-26-0008", "U01", "2026-09-14T09:00:00-05:00"),
            received("m-3", "APL-26-0009", "U03", "2026-09-14T09:00:00-07:00"),
            tick("2026-09-15T23:00:00-07:00"),
        ],
    )

    assert when(out) == [
        ("2026-09-15T09:00:00-04:00", "U02", "reminder", 1),
        ("2026-09-15T09:00:00-05:00", "U01", "reminder", 1),
        ("2026-09-15T09:00:00-07:00", "U03", "reminder", 1),
    ]


def test_the_reminder_text_names_case_arrival_wait_and_next_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            received("m-1", "APL-26-0010", "U01", "2026-09-14T09:40:00-05:00"),
            tick("2026-09-30T00:00:00-05:00"),
        ],
    )

    first, second, escalation = timeliness(out)
    assert "APL-26-0010" in first["text"] and "Mon Sep 14, 09:40 CDT" in first["text"]
    assert (
        "1 business day" in first["text"] and "Next reminder: Wed Sep 16, 09:40" in first["text"]
    )
    assert "your manager is told Thu Sep 17, 09:40" in second["text"]
    assert "Alex Rivera" in escalation["text"] and "3 business days" in escalation["text"]


def test_config_events_change_the_policy_mid_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            {"type": "config", "reminder_days": [0.5], "escalation_days": 1},
            received("m-1", "APL-26-0011", "U01", "2026-09-14T08:00:00-05:00"),
            tick("2026-09-20T00:00:00-05:00"),
        ],
    )

    assert when(out) == [
        ("2026-09-14T12:15:00-05:00", "U01", "reminder", 1),
        ("2026-09-15T08:00:00-05:00", "U09", "escalation", 2),
    ]


def test_bad_lines_are_reported_with_their_number_and_the_rest_replays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "timeline.jsonl"
    lines = [json.dumps(e) for e in OFFICE] + [
        "{not json",
        json.dumps(received("m-1", "123-45-6789", "U01", "2026-09-14T09:00:00-05:00")),
        json.dumps(received("m-2", "APL-26-0012", "U77", "2026-09-14T09:00:00-05:00")),
        json.dumps(received("m-3", "APL-26-0012", "U01", "2026-09-14T09:00:00-05:00")),
        json.dumps(tick("2026-09-15T10:00:00-05:00")),
    ]
    path.write_text("\n".join(lines) + "\n")

    status = main(["replay", str(path), "--json"])

    captured = capsys.readouterr()
    assert status == 1
    assert "line 5:" in captured.err and "line 6:" in captured.err and "line 7:" in captured.err
    assert "6789" not in captured.err
    cases = {json.loads(x)["case"] for x in captured.out.splitlines()} - {None}  # digests
    assert cases == {"APL-26-0012"}


def test_a_personal_schedule_replaces_the_office_hours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            {
                "type": "employee",
                "id": "U04",
                "name": "Kai Weekend",
                "role": "ate",
                "manager": "U09",
                "tz": "Pacific/Honolulu",
                "work_start": "07:00",
                "work_end": "15:00",
                "work_days": "tue-sat",
            },
            received("m-1", "APL-26-0013", "U04", "2026-09-18T14:00:00-10:00"),
            tick("2026-09-20T00:00:00-10:00"),
        ],
    )

    assert when(out) == [("2026-09-19T14:00:00-10:00", "U04", "reminder", 1)]


def test_personal_hours_that_end_before_they_start_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(
            {
                "type": "employee",
                "id": "U05",
                "name": "Odd",
                "role": "ate",
                "tz": "UTC",
                "work_start": "17:00",
                "work_end": "09:00",
            }
        )
        + "\n"
    )

    status = main(["replay", str(path)])

    assert status == 1
    assert "line 1:" in capsys.readouterr().err
