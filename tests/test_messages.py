"""Secure messages from chat: `/sm received`, `/sm replied` and the reminder's buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot import texts
from bot.blocks import NO_REPLY_BLOCK, NO_REPLY_INPUT
from bot.offline import OfflineBot
from bot.render import render_message
from bot.settings import Settings
from bot.standin import Call
from models.tables import Notification, SecureMessage
from reminders.sweep import SimulatedClock

# Wednesday 2026-12-02 15:00 in Chicago.
NOW = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[OfflineBot]:
    clock = SimulatedClock(NOW)
    async with OfflineBot(database_url, settings=Settings(), clock=clock) as offline:
        offline.seed()
        yield offline


def said(calls: list[Call]) -> str:
    return "\n".join(str(c.args.get("text", "")) for c in calls)


def stored(bot: OfflineBot) -> list[SecureMessage]:
    assert bot.services is not None
    with Session(bot.services.engine) as session:
        return list(session.exec(select(SecureMessage).order_by(SecureMessage.at)).all())


def keys(bot: OfflineBot, state: str) -> list[str]:
    """Return the keys of the reminders and escalations in a state (CAR prompts left out)."""
    assert bot.services is not None
    with Session(bot.services.engine) as session:
        rows = session.exec(select(Notification).where(Notification.state == state)).all()
        return sorted(n.key for n in rows if n.kind in ("reminder", "escalation"))


async def reminder_for(bot: OfflineBot, who: str, days: int = 2) -> Call:
    assert isinstance(bot.clock, SimulatedClock)
    calls = await bot.sweep(until=bot.clock.now + timedelta(days=days))
    return next(
        c
        for c in calls
        if c.method == "chat.postMessage"
        and c.args["channel"] == f"D{who}"
        and "sm_replied" in str(c.args.get("blocks"))
    )


async def test_received_with_a_time_is_stored_in_the_ates_zone(bot: OfflineBot) -> None:
    calls = await bot.slash("U0ATE1", "received apl-26-0001 09:40")

    [message] = stored(bot)
    assert message.case_number == "APL-26-0001"
    assert message.at == datetime(2026, 12, 2, 15, 40, tzinfo=UTC)
    assert "Thu Dec 3, 09:40 CST" in said(calls)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("received APL-26-0001 09:40", "First reminder Thu Dec 3, 09:40 CST if it is still"),
        ("received APL-26-0001\t09:40", "First reminder Thu Dec 3, 09:40 CST if it is still"),
        (
            "received APL-26-0001 mon 09:40",
            "Its first reminder is already due, so it goes out now.",
        ),
    ],
)
async def test_received_says_when_the_first_reminder_comes(
    bot: OfflineBot, typed: str, says: str
) -> None:
    assert says in said(await bot.slash("U0ATE1", typed))


async def test_a_message_older_than_a_recorded_reply_is_stored_settled(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "replied APL-26-0001 14:00")

    calls = await bot.slash("U0ATE1", "received APL-26-0001 10:00")

    assert "A reply after it is already on record, so its clock is stopped." in said(calls)


async def test_a_reply_earlier_than_a_waiting_message_says_that_one_still_waits(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 10:00")

    calls = await bot.slash("U0ATE1", "replied APL-26-0001 09:00")

    assert texts.replied_recorded("APL-26-0001", 0, 1) in said(calls)
    assert "1 message that came in after it still waits" in said(calls)


async def test_a_message_on_a_case_already_closed_is_recorded_with_a_warning(
    bot: OfflineBot,
) -> None:
    bot.platform_event(
        {
            "type": "message.received",
            "id": "m-1",
            "case": "APL-26-0001",
            "employee": "U0ATE1",
            "at": "2026-12-02T09:00:00-06:00",
        }
    )
    for kind, what in (("case.closing", None), ("confirm", "closing")):
        bot.platform_event(
            {
                "type": kind,
                "case": "APL-26-0001",
                "employee": "U0ATE1",
                "at": "2026-12-02T10:00:00-06:00",
                **({"what": what} if what else {}),
            }
        )

    calls = await bot.slash("U0ATE1", "received APL-26-0001 14:00")

    assert "closing export of *APL-26-0001* was already confirmed" in said(calls)


async def test_replied_stops_the_clock_on_the_case(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 yesterday 15:10")

    calls = await bot.slash("U0ATE1", "replied APL-26-0001")

    assert texts.replied_recorded("APL-26-0001", 1) in said(calls)
    assert keys(bot, "pending") == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("received", texts.USAGE_RECEIVED),
        ("received case-1", "APL-26-0001"),
        ("received APL-26-0001 tomorow 9", "I couldn't read"),
        ("received APL-26-0001 2027-01-05 10:00", "future"),
        ("received 123-45-6789", texts.TAXPAYER_ID_REFUSED),
    ],
)
async def test_bad_input_is_refused_with_what_to_type(
    bot: OfflineBot, text: str, says: str
) -> None:
    calls = await bot.slash("U0ATE1", text)

    assert says in said(calls)
    assert stored(bot) == []


async def test_another_ates_case_is_refused(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")

    calls = await bot.slash("U0ATE2", "replied APL-26-0001")

    assert "belongs to another ATE" in said(calls)
    assert keys(bot, "cancelled") == []


async def test_someone_not_on_the_roster_is_told_how_to_get_added(bot: OfflineBot) -> None:
    calls = await bot.slash("U0STRANGER", "received APL-26-0001")

    assert "roster" in said(calls)


async def test_the_replied_button_settles_and_a_second_click_changes_nothing(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")
    reminder = await reminder_for(bot, "U0ATE1")
    replied = render_message(reminder.args["blocks"]).choice(1)

    first = await bot.click("U0ATE1", replied, reminder)
    second = await bot.click("U0ATE1", replied, reminder)

    assert texts.REPLIED_DONE in said(first)
    assert "already answered" in said(second)
    assert len([m for m in stored(bot) if m.direction == "out"]) == 1


async def test_snooze_moves_the_next_reminder_once_per_level(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")
    reminder = await reminder_for(bot, "U0ATE1", days=1)
    snooze = render_message(reminder.args["blocks"]).choice(3)
    two_hours = next(o for o in snooze.options if o.value.endswith("|2"))

    first = await bot.click("U0ATE1", snooze, reminder, two_hours)
    second = await bot.click("U0ATE1", snooze, reminder, two_hours)

    assert "Snoozed. The next reminder comes Fri Dec 4, 11:00 CST" in said(first)
    assert "already snoozed" in said(second)


async def test_the_last_reminder_offers_no_snooze_as_the_escalation_is_next(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")
    await reminder_for(bot, "U0ATE1", days=1)

    last = await reminder_for(bot, "U0ATE1", days=1)

    assert "Reminder 2" in last.args["text"]
    assert "sm_snooze" not in str(last.args["blocks"])
    assert {"sm_replied", "sm_no_reply"} <= {
        c.action_id for c in render_message(last.args["blocks"]).actions
    }


async def test_no_reply_needed_asks_for_a_reason_and_stops_the_clock(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")
    reminder = await reminder_for(bot, "U0ATE1")
    button = render_message(reminder.args["blocks"]).choice(2)
    opened = [c for c in await bot.click("U0ATE1", button, reminder) if c.method == "views.open"]

    empty = await bot.submit("U0ATE1", opened[0], {NO_REPLY_BLOCK: {NO_REPLY_INPUT: "  "}})
    done = await bot.submit("U0ATE1", opened[0], {NO_REPLY_BLOCK: {NO_REPLY_INPUT: "ack only"}})

    assert empty == []  # refused inside the dialog, nothing posted
    assert texts.no_reply_recorded("ack only") in said(done)
    [message] = stored(bot)
    assert (message.settled_how, message.settled_note) == ("no_reply_needed", "ack only")


async def test_slack_markup_in_a_reason_is_shown_as_typed_not_as_a_mention_or_link(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")
    reminder = await reminder_for(bot, "U0ATE1")
    button = render_message(reminder.args["blocks"]).choice(2)
    opened = [c for c in await bot.click("U0ATE1", button, reminder) if c.method == "views.open"]
    reason = "<!here> <https://evil.example|verify>"
    await bot.submit("U0ATE1", opened[0], {NO_REPLY_BLOCK: {NO_REPLY_INPUT: reason}})

    shown = said(await bot.slash("U0MGR1", "case APL-26-0001"))

    assert "&lt;!here&gt; &lt;https://evil.example|verify&gt;" in shown
    assert "<!here>" not in shown


async def test_a_manager_may_act_on_the_teams_reminder_but_another_ate_may_not(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")
    reminder = await reminder_for(bot, "U0ATE1")
    replied = render_message(reminder.args["blocks"]).choice(1)

    stranger = await bot.click("U0ATE2", replied, reminder)
    manager = await bot.click("U0MGR1", replied, reminder)

    assert texts.NOT_YOUR_MESSAGE in said(stranger)
    assert texts.REPLIED_DONE in said(manager)
