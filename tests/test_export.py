"""`smbot export closings` and `smbot audit export`: office-zone times, spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import texts
from bot.cli import main
from bot.offline import OfflineBot
from bot.run import spreadsheet_safe
from bot.settings import Settings
from reminders.sweep import SimulatedClock

# Thursday 2026-12-03 22:09:09 in New York (the office's zone), already Friday in UTC.
EVENING = datetime(2026, 12, 4, 3, 9, 9, tzinfo=UTC)
ALL_TICKED = {item: {f"{item}_input": [item]} for item in texts.CLOSING_ITEMS}
FORMULA = '=HYPERLINK("https://evil.example","Open")'


@pytest.fixture
async def bot(monkeypatch: pytest.MonkeyPatch, database_url: str) -> AsyncIterator[OfflineBot]:
    """The offline bot at EVENING; the CLI reads the same store."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    async with OfflineBot(database_url, settings=Settings(), clock=SimulatedClock(EVENING)) as bot:
        bot.seed()
        yield bot


async def close_case(bot: OfflineBot, case: str, note: str) -> None:
    await bot.slash("U0ATE1", f"received {case} 09:00")
    calls = await bot.slash("U0ATE1", f"close {case}")
    opened = next(call for call in calls if call.method == "views.open")
    await bot.submit("U0ATE1", opened, {**ALL_TICKED, "note": {"note_input": note}})


def exported(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, str]]:
    assert main(list(args)) == 0
    out = capsys.readouterr().out
    if "json" in args:
        return [json.loads(line) for line in out.splitlines()]
    return list(csv.DictReader(io.StringIO(out)))


async def test_a_closing_confirmed_that_evening_is_shown_on_that_day_and_since_agrees(
    bot: OfflineBot, capsys: pytest.CaptureFixture[str]
) -> None:
    await close_case(bot, "APL-26-0001", "all saved")
    capsys.readouterr()

    that_day = exported(capsys, "export", "closings", "--since", "2026-12-03")
    next_day = exported(capsys, "export", "closings", "--since", "2026-12-04")
    as_json = exported(capsys, "export", "closings", "--format", "json")

    assert [row["confirmed_at"] for row in that_day] == ["2026-12-03T22:09:09-05:00"]
    assert next_day == []
    assert as_json[0]["confirmed_at"] == "2026-12-03T22:09:09-05:00"


async def test_the_audit_log_shows_times_in_the_office_zone_too(
    bot: OfflineBot, capsys: pytest.CaptureFixture[str]
) -> None:
    await close_case(bot, "APL-26-0001", "all saved")
    capsys.readouterr()

    rows = exported(capsys, "audit", "export", "--since", "2026-12-03")

    closing = next(row for row in rows if row["action"] == "closing.confirmed")
    assert closing["at"] == "2026-12-03T22:09:09-05:00"
    assert exported(capsys, "audit", "export", "--since", "2026-12-04") == []


async def test_a_closing_note_that_looks_like_a_formula_is_neutralised_in_csv_only(
    bot: OfflineBot, capsys: pytest.CaptureFixture[str]
) -> None:
    await close_case(bot, "APL-26-0001", FORMULA)
    capsys.readouterr()

    as_csv = exported(capsys, "export", "closings")
    as_json = exported(capsys, "export", "closings", "--format", "json")

    assert as_csv[0]["note"] == "'" + FORMULA
    assert as_json[0]["note"] == FORMULA


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_audit_cells_a_spreadsheet_would_run_are_neutralised_in_csv_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    person = f"{start}1+2"
    employee = {"type": "employee", "id": person, "name": "Alex Rivera", "role": "ate"}
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps({**employee, "tz": "UTC"}) + "\n")
    assert main(["import", "events", str(path)]) == 0
    capsys.readouterr()

    as_csv = exported(capsys, "audit", "export")
    as_json = exported(capsys, "audit", "export", "--format", "json")

    assert [row["detail"] for row in as_csv] == [f"'{person} (ate)"]
    assert [row["detail"] for row in as_json] == [f"{person} (ate)"]


def test_a_cell_starting_with_a_tab_or_carriage_return_is_neutralised_and_others_kept() -> None:
    rows = [{"note": "\t=1+2", "detail": "\r@A1", "case": "APL-26-0001", "pdf_saved": True}]

    safe = spreadsheet_safe(rows)

    assert safe == [
        {"note": "'\t=1+2", "detail": "'\r@A1", "case": "APL-26-0001", "pdf_saved": True}
    ]
