"""`smbot replay`: reminder and escalation instants on the business-hours clock, and the
replay's own reporting: roster order, refusals, warnings, terminal text."""

from __future__ import annotations

import io
import json
import sys
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


# --- the replay as a whole timeline: roster order, refusals, warnings, output ---------


def employee(ident: str, name: str, role: str, manager: str | None, tz: str) -> dict[str, Any]:
    return {
        "type": "employee",
        "id": ident,
        "name": name,
        "role": role,
        "manager": manager,
        "tz": tz,
    }


def write(tmp_path: Path, lines: list[Any]) -> Path:
    """Write a replay file as given: dicts as JSON, strings as they are (no OFFICE first)."""
    path = tmp_path / "timeline.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def replay_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, events: list[Any]
) -> tuple[int, str]:
    """Replay OFFICE plus events in plain text; return the status and stdout+stderr as one
    reader sees them in a terminal."""
    path = write(tmp_path, [*OFFICE, *events])
    both = io.StringIO()
    monkeypatch.setattr(sys, "stdout", both)
    monkeypatch.setattr(sys, "stderr", both)

    status = main(["replay", str(path)])

    return status, both.getvalue()


def test_an_ate_listed_before_their_manager_is_on_the_roster_and_escalates_to_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # DESIGN.md's own order: the ATE first; their manager's manager even after the events.
    path = write(
        tmp_path,
        [
            {**employee("U01", "A. Rivera", "ate", "U09", "America/Chicago"), "egain": "40123"},
            employee("U09", "Dana Manager", "manager", "U50", "America/Chicago"),
            received("m-1", "APL-26-0020", {"egain": "40123"}, "2026-09-14T09:00:00-05:00"),
            employee("U50", "Ola Admin", "admin", None, "America/New_York"),
            tick("2026-09-18T00:00:00-05:00"),
        ],
    )

    status = main(["replay", str(path), "--json"])

    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "0 lines refused" in captured.err
    assert when([json.loads(line) for line in captured.out.splitlines()]) == [
        ("2026-09-15T09:00:00-05:00", "U01", "reminder", 1),
        ("2026-09-16T09:00:00-05:00", "U01", "reminder", 2),
        ("2026-09-17T09:00:00-05:00", "U09", "escalation", 3),
    ]


def test_a_circle_of_managers_and_a_manager_nowhere_in_the_file_are_refused_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        [
            employee("U04", "Kim", "manager", "U05", "UTC"),
            employee("U05", "Lee", "manager", "U04", "UTC"),
            employee("U06", "Max", "ate", "U77", "UTC"),
            employee("U07", "Noa", "ate", None, "UTC"),
        ],
    )

    status = main(["replay", str(path)])

    captured = capsys.readouterr()
    assert status == 1
    circle = "field 'manager': the managers go round in a circle (U04 → U05 → U04)"
    assert f"line 1: {circle}" in captured.err and f"line 2: {circle}" in captured.err
    assert "line 3: field 'manager': no employee with id U77" in captured.err
    assert "line 4:" not in captured.err
    assert "1 line applied, 3 lines refused" in captured.out


def test_a_later_employee_line_applies_at_its_place_with_its_manager_from_further_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            received("m-1", "APL-26-0021", "U01", "2026-09-14T09:00:00-05:00"),
            tick("2026-09-18T00:00:00-05:00"),
            # Alex moves to New York under a new manager, whose own line comes last.
            employee("U01", "Alex Rivera", "ate", "U10", "America/New_York"),
            received("m-2", "APL-26-0022", "U01", "2026-09-21T09:00:00-04:00"),
            tick("2026-09-25T00:00:00-04:00"),
            employee("U10", "Rene Lead", "manager", None, "America/New_York"),
        ],
    )

    escalations = [(n["case"], n["to"], n["at"]) for n in out if n["kind"] == "escalation"]
    assert escalations == [
        ("APL-26-0021", "U09", "2026-09-17T09:00:00-05:00"),
        ("APL-26-0022", "U10", "2026-09-24T09:00:00-04:00"),
    ]


def test_a_refused_line_is_reported_where_it_happens_and_counted_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, text = replay_both(
        tmp_path,
        monkeypatch,
        [
            received("m-1", "APL-26-0023", "U01", "2026-09-14T09:00:00-05:00"),
            received("m-2", "APL-26-0024", "U77", "2026-09-15T12:00:00-05:00"),
            tick("2026-09-17T00:00:00-05:00"),
        ],
    )

    assert status == 1
    refusal = text.index("line 6: field 'employee': no employee with id U77")
    assert text.index("Reminder 1 — case APL-26-0023") < refusal
    assert refusal < text.index("Reminder 2 — case APL-26-0023")
    assert text.rstrip().splitlines()[-1] == (
        "Replay done: 6 lines applied, 1 line refused, 0 warnings; 6 notifications."
    )


def test_with_json_the_closing_count_goes_to_stderr_and_stdout_stays_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, [*OFFICE, "{not json", tick("2026-09-15T10:00:00-05:00")])

    status = main(["replay", str(path), "--json"])

    captured = capsys.readouterr()
    assert status == 1
    assert all(json.loads(line)["kind"] == "digest" for line in captured.out.splitlines())
    assert captured.err.splitlines()[0].startswith("line 5: not valid JSON")
    assert "1 line refused" in captured.err.splitlines()[-1]


@pytest.mark.parametrize(
    ("setting", "says", "example"),
    [
        ({"reminder_days": "soon"}, "reminder_days must be a list of business days", "[1, 2]"),
        (
            {"reminder_days": [1, 5]},
            "reminder_days must be a list of business days before each reminder, rising, "
            "all before escalation_days",
            "[1, 2]",
        ),
        ({"escalation_days": None}, "escalation_days must be a number of business days", "3"),
        (
            {"snooze_hours": [1.5]},
            "snooze_hours must be a list of whole working hours",
            "[1, 2, 4]",
        ),
        ({"work_start": "8am"}, "work_start must be a time of day as HH:MM", '"08:00"'),
        ({"work_days": "weekdays"}, "work_days must be working days like mon-fri", '"mon-fri"'),
        ({"office_tz": "Mars/Base"}, "office_tz must be an IANA time zone", '"America/New_York"'),
        ({"executive_closures": "maybe"}, "executive_closures must be true or false", "false"),
    ],
)
def test_a_bad_config_value_names_the_setting_what_it_takes_and_an_example(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setting: dict[str, Any],
    says: str,
    example: str,
) -> None:
    path = write(tmp_path, [*OFFICE, {"type": "config", **setting}])

    status = main(["replay", str(path)])

    err = capsys.readouterr().err
    name = next(iter(setting))
    assert status == 1
    assert f"line 5: config: {says}" in err
    assert f'e.g. "{name}": {example}' in err
    assert f"(the line gives {json.dumps(setting[name])})" in err


def test_an_unknown_config_setting_lists_the_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, [*OFFICE, {"type": "config", "snooze": [1]}])

    status = main(["replay", str(path)])

    err = capsys.readouterr().err
    assert status == 1
    assert "line 5: config: unknown setting 'snooze'" in err
    assert "snooze_hours" in err and "executive_closures" in err


@pytest.mark.parametrize(
    ("closures", "first_reminder"), [("no", "2025-01-09"), (True, "2025-01-10")]
)
def test_a_config_value_in_words_means_what_it_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], closures: Any, first_reminder: str
) -> None:
    # Thursday 2025-01-09 was closed by executive order (the National Day of Mourning).
    out = replay(
        tmp_path,
        capsys,
        [
            {"type": "config", "executive_closures": closures},
            received("m-1", "APL-26-0025", "U01", "2025-01-08T09:00:00-06:00"),
            tick("2025-01-11T00:00:00-06:00"),
        ],
    )

    assert when(out)[0] == (f"{first_reminder}T09:00:00-06:00", "U01", "reminder", 1)


def test_a_line_earlier_than_the_clock_applies_as_a_backfill_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        [
            *OFFICE,
            received("m-2", "APL-26-0026", "U01", "2026-09-15T10:00:00-05:00"),
            received("m-1", "APL-26-0027", "U01", "2026-09-14T09:00:00-05:00"),
            tick("2026-09-15T12:00:00-05:00"),
        ],
    )

    status = main(["replay", str(path), "--json"])

    captured = capsys.readouterr()
    assert status == 0
    assert (
        "line 6: warning: 2026-09-14T09:00:00-05:00 is earlier than the replay's clock "
        "(2026-09-15T10:00:00-05:00)"
    ) in captured.err
    assert "1 warning" in captured.err.splitlines()[-1]
    backfilled = [json.loads(x) for x in captured.out.splitlines()]
    # What the backfill made due before the clock is sent at once: the latest of each.
    assert [(n["kind"], n["at"]) for n in backfilled if n["case"] == "APL-26-0027"] == [
        ("reminder", "2026-09-15T10:00:00-05:00"),
        ("car_prompt", "2026-09-15T10:00:00-05:00"),
    ]


def test_plain_text_shows_messages_as_a_terminal_does_not_as_slack_mrkdwn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        [
            *OFFICE,
            received("m-1", "APL-26-0028", "U01", "2026-09-14T09:00:00-05:00"),
            tick("2026-09-15T10:00:00-05:00"),
        ],
    )

    status = main(["replay", str(path)])

    out = capsys.readouterr().out
    assert status == 0
    assert "── to Alex Rivera (U01) · car_prompt ─" in out
    assert "📝 To record in the CAR — case APL-26-0028" in out
    assert "\nWhy: " in out and "[1] Recorded in CAR" in out
    assert "⏰ Reminder 1 — case APL-26-0028" in out and "[1] Replied   [2] No reply needed" in out
    assert "*" not in out.replace("`/sm digest full`", "") and "_Why:_" not in out


def test_json_output_keeps_its_documented_fields_and_slack_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [received("m-1", "APL-26-0029", "U01", "2026-09-14T09:00:00-05:00")],
    )

    assert [set(n) for n in out] == [{"at", "to", "kind", "case", "level", "code", "text"}]
    assert "*To record in the CAR*" in out[0]["text"]


def test_a_file_ending_with_a_message_prints_the_co_tdc_prompt_due_at_that_instant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [received("m-1", "APL-26-0030", "U01", "2026-09-14T09:00:00-05:00")],
    )

    assert [(n["at"], n["kind"], n["code"]) for n in out] == [
        ("2026-09-14T09:00:00-05:00", "car_prompt", "CO-TDC")
    ]


def test_an_escalation_goes_to_the_manager_of_the_day_it_falls_due(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_manager = {**OFFICE[0], "id": "U08", "name": "Lee Newmanager"}
    moved = {**OFFICE[1], "manager": "U08"}
    out = replay(
        tmp_path,
        capsys,
        [
            new_manager,
            received("m-1", "APL-26-0001", "U01", "2026-03-02T09:00:00-06:00"),
            tick("2026-03-03T12:00:00-06:00"),
            moved,  # Alex moves to Lee's team before the escalation falls due
            tick("2026-03-06T00:00:00-06:00"),
        ],
    )

    assert [n["to"] for n in out if n["kind"] == "escalation"] == ["U08"]


def test_a_message_received_before_the_ate_had_a_manager_is_escalated_once_they_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = {**OFFICE[2], "id": "U04", "name": "Sam Alone", "manager": None}
    out = replay(
        tmp_path,
        capsys,
        [
            {k: v for k, v in alone.items() if v is not None},
            received("m-1", "APL-26-0002", "U04", "2026-03-02T09:00:00-06:00"),
            tick("2026-03-03T12:00:00-06:00"),
            {**alone, "manager": "U09"},
            tick("2026-03-06T00:00:00-06:00"),
        ],
    )

    assert [(n["to"], n["at"]) for n in out if n["kind"] == "escalation"] == [
        ("U09", "2026-03-05T09:00:00-06:00")  # three business days after receipt
    ]


def test_a_line_years_past_the_start_is_refused_rather_than_replayed_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "timeline.jsonl"
    events = [
        *OFFICE,
        received("m-1", "APL-26-0001", "U01", "2026-03-02T09:00:00-06:00"),
        received("m-2", "APL-26-0002", "U01", "2062-03-02T09:00:00-06:00"),  # for 2026
    ]
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")

    status = main(["replay", str(path), "--json"])

    captured = capsys.readouterr()
    assert status == 1
    assert "line 6: field 'at': 2062-03-02T09:00:00-06:00 is more than 400 days" in captured.err
    assert not any(json.loads(n)["at"].startswith("2062") for n in captured.out.splitlines())


def test_a_name_with_slack_markup_reaches_the_manager_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sly = {**OFFICE[1], "name": "<!here> <https://evil.example|Click>"}
    out = replay(
        tmp_path,
        capsys,
        [
            sly,
            received("m-1", "APL-26-0001", "U01", "2026-03-02T09:00:00-06:00"),
            tick("2026-03-06T00:00:00-06:00"),
        ],
    )

    [escalation] = [n for n in out if n["kind"] == "escalation"]
    assert "&lt;!here&gt; &lt;https://evil.example|Click&gt;'s case" in escalation["text"]


def test_an_admin_who_steps_down_no_longer_hears_of_unmanaged_escalations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = {"type": "employee", "name": "Ada Admin", "role": "admin", "tz": "America/Chicago"}
    alone = {**OFFICE[2], "id": "U04", "name": "Sam Alone"}
    del alone["manager"]
    out = replay(
        tmp_path,
        capsys,
        [
            {**admin, "id": "U05"},
            alone,
            received("m-1", "APL-26-0004", "U04", "2026-03-02T09:00:00-06:00"),
            {**admin, "id": "U06", "name": "Bo Admin"},
            {**admin, "id": "U05", "role": "manager"},  # Ada steps down before it falls due
            tick("2026-03-06T00:00:00-06:00"),
        ],
    )

    assert [n["to"] for n in out if n["kind"] == "escalation"] == ["U06"]
