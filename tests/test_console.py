"""The offline console: typed lines reach the real handlers, buttons are clicked by number."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot import texts
from bot.console import Console
from bot.offline import OfflineBot
from bot.settings import Settings
from models.tables import CarPrompt, Feedback
from reminders.sweep import SimulatedClock


async def test_a_slash_command_prints_the_cited_answer_with_numbered_buttons(
    offline: OfflineBot, capsys: pytest.CaptureFixture[str]
) -> None:
    console = Console(offline, "U0ATE1")

    await console.handle("/sm ask what code when the tp asks to stop using secure messaging")

    out = capsys.readouterr().out
    assert "IRM 8.6.1.4.X.1(4)" in out
    assert "[1] 👍 Helpful" in out and "[2] 👎 Not helpful" in out


async def test_typing_a_number_clicks_that_button_as_the_current_person(
    offline: OfflineBot, capsys: pytest.CaptureFixture[str]
) -> None:
    console = Console(offline, "U0ATE1")
    await console.handle(":as U0ATE2")
    await console.handle("co-tdc when?")

    await console.handle("2")

    assert texts.FEEDBACK_THANKS_DOWN in capsys.readouterr().out
    assert offline.services is not None
    with Session(offline.services.engine) as session:
        votes = session.exec(select(Feedback)).all()
    assert [(v.voter, v.helpful) for v in votes] == [("U0ATE2", False)]


async def test_switching_person_leaves_the_last_persons_buttons_behind(
    offline: OfflineBot, capsys: pytest.CaptureFixture[str]
) -> None:
    console = Console(offline, "U0ATE1")
    await console.handle("co-tdc when?")
    await console.handle(":as U0ATE2")

    await console.handle("2")

    assert texts.console_no_button(2) in capsys.readouterr().out
    assert offline.services is not None
    with Session(offline.services.engine) as session:
        assert session.exec(select(Feedback)).all() == []


async def test_a_number_with_no_button_says_so(
    offline: OfflineBot, capsys: pytest.CaptureFixture[str]
) -> None:
    console = Console(offline, "U0ATE1")

    await console.handle("7")

    assert texts.console_no_button(7) in capsys.readouterr().out


async def test_quit_ends_the_session(offline: OfflineBot) -> None:
    console = Console(offline, "U0ATE1")

    assert await console.handle(":quit") is False


async def test_a_menu_option_and_a_dialog_are_driven_from_the_prompt(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = SimulatedClock(datetime(2026, 12, 2, 21, 0, tzinfo=UTC))
    answers = iter(["   ", "taxpayer only said thanks"])
    async with OfflineBot(database_url, settings=Settings(), clock=clock) as offline:
        offline.seed()
        console = Console(offline, "U0ATE1", ask=lambda _prompt: next(answers))
        offline.platform_event(
            {
                "type": "message.received",
                "id": "m-1",
                "case": "APL-26-0001",
                "employee": "U0ATE1",
                "at": "2026-12-01T09:00:00-06:00",
            }
        )
        console._print(await offline.sweep(until=clock.now))
        capsys.readouterr()

        await console.handle("3")
        await console.handle("3.2")
        await console.handle("2")
        await console.handle("2")

    out = " ".join(capsys.readouterr().out.split())
    assert "[3.1] 1 working hour" in out
    assert "Snoozed." in out
    assert "The dialog says: Give a short reason" in out
    assert texts.no_reply_recorded("taxpayer only said thanks") in out


def test_a_console_reopened_on_its_store_still_answers_direct_messages(tmp_path: Path) -> None:
    store = tmp_path / "console.db"
    runs = [
        subprocess.run(
            [sys.executable, "-m", "bot", "console", "--db", str(store)],
            input="what code for the first secure message\n:quit\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        for _ in range(2)
    ]

    for run in runs:
        assert "IRM 8.6.1.4.X.1(3)" in run.stdout, run.stdout + run.stderr


async def test_buttons_printed_together_get_numbers_of_their_own(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = SimulatedClock(datetime(2026, 12, 2, 21, 0, tzinfo=UTC))
    async with OfflineBot(database_url, settings=Settings(), clock=clock) as offline:
        offline.seed()
        console = Console(offline, "U0ATE1")
        for kind, extra in (("contact.initial", {"method": "phone"}), ("sm.discontinued", {})):
            offline.platform_event(
                {
                    "type": kind,
                    "case": "APL-26-0001",
                    "employee": "U0ATE1",
                    "at": "2026-12-02T09:00:00-06:00",
                    **extra,
                }
            )
        console._print(await offline.sweep(until=clock.now))
        printed = capsys.readouterr().out

        await console.handle("1")
        await console.handle("2")

        assert offline.services is not None
        with Session(offline.services.engine) as session:
            prompts = session.exec(select(CarPrompt)).all()
    assert "[1] Recorded in CAR" in printed and "[2] Recorded in CAR" in printed
    assert len(prompts) == 2 and all(p.confirmed_by == "U0ATE1" for p in prompts)


async def test_what_an_action_makes_due_at_once_is_printed_without_a_sweep(
    offline: OfflineBot, capsys: pytest.CaptureFixture[str]
) -> None:
    console = Console(offline, "U0ATE1")

    await console.handle("/sm contact APL-26-0001 phone")

    out = capsys.readouterr().out
    assert "To record in the CAR — case APL-26-0001" in out
    assert "[1] Recorded in CAR" in out
