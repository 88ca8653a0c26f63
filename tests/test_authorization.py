"""Who may do what: every case command and button against every role.

An ATE acts on their own cases, a manager on their team's, an admin on all;
someone not on the roster on none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from bot.offline import OfflineBot
from bot.render import render_message
from bot.sample import OFFICE, Person
from bot.settings import Settings
from bot.standin import Call
from models.access import NOT_ON_ROSTER
from reminders.sweep import SimulatedClock

NOW = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
OTHER_MANAGER = Person("U0MGR2", "Lee Other", "manager", None, "America/Chicago", "40200")
CASE = "APL-26-0001"  # Alex Rivera's (U0ATE1), on Dana Whitfield's (U0MGR1) team

# actor → may act on Alex's case
ROLES = {
    "U0ATE1": True,  # the ATE who owns it
    "U0ATE2": False,  # another ATE
    "U0MGR1": True,  # the ATE's manager
    "U0MGR2": False,  # another team's manager
    "U0ADM1": True,  # an admin
    "U0NOBODY": False,  # not on the roster
}
COMMANDS = [
    f"received {CASE} 10:00",
    f"replied {CASE}",
    f"contact {CASE} letter",
    f"discontinued {CASE}",
    f"tfa {CASE}",
    f"poa {CASE}",
    f"case {CASE}",
    f"close {CASE}",
]
REFUSALS = ("belongs to another ATE", NOT_ON_ROSTER, texts.NOT_YOUR_MESSAGE)


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[OfflineBot]:
    clock = SimulatedClock(NOW)
    async with OfflineBot(database_url, settings=Settings(), clock=clock) as offline:
        offline.seed((*OFFICE, OTHER_MANAGER))
        await offline.slash("U0ATE1", f"received {CASE} 09:00")
        yield offline


def said(calls: list[Call]) -> str:
    return "\n".join(str(c.args.get("text", "")) for c in calls)


def refused(calls: list[Call]) -> bool:
    return any(reason in said(calls) for reason in REFUSALS)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("actor", list(ROLES))
async def test_case_commands_follow_the_roles(bot: OfflineBot, actor: str, command: str) -> None:
    calls = await bot.slash(actor, command)

    assert refused(calls) is not ROLES[actor], said(calls)


async def _dm_with(bot: OfflineBot, action_id: str) -> Call:
    assert isinstance(bot.clock, SimulatedClock)
    calls = await bot.sweep(until=bot.clock.now + timedelta(days=1))
    calls += bot.slack.calls_to("chat.postMessage")
    return next(c for c in calls if c.method == "chat.postMessage" and action_id in str(c.args))


@pytest.mark.parametrize("action_id", ["sm_replied", "sm_no_reply", "sm_snooze", "car_recorded"])
@pytest.mark.parametrize("actor", list(ROLES))
async def test_buttons_follow_the_roles(bot: OfflineBot, actor: str, action_id: str) -> None:
    dm = await _dm_with(bot, action_id)
    shown = render_message(dm.args["blocks"])
    choice = next(c for c in shown.actions if c.action_id == action_id)
    option = choice.options[0] if choice.options else None

    calls = await bot.click(actor, choice, dm, option)

    assert refused(calls) is not ROLES[actor], said(calls)


@pytest.mark.parametrize("actor", list(ROLES))
async def test_checklist_steps_follow_the_roles(bot: OfflineBot, actor: str) -> None:
    posted = next(
        c for c in await bot.slash("U0ATE1", f"tfa {CASE}") if c.method == "chat.postMessage"
    )

    calls = await bot.click(actor, render_message(posted.args["blocks"]).choice(1), posted)

    assert refused(calls) is not ROLES[actor], said(calls)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [("U0ATE1", False), ("U0MGR1", True), ("U0MGR2", True), ("U0ADM1", True), ("U0NOBODY", False)],
)
async def test_digests_are_for_managers_and_admins(
    bot: OfflineBot, actor: str, allowed: bool
) -> None:
    calls = await bot.slash(actor, "digest")

    assert ("Daily digest" in said(calls)) is allowed
