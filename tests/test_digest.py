"""Manager digests: when they go out (once a day), what they hold, Slack's limits, previews."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot import texts
from bot.delivery import make_sweeper
from bot.offline import OfflineBot
from bot.settings import Settings
from bot.standin import Call
from models.db import session_scope
from models.tables import Employee, Notification
from reminders.sweep import SimulatedClock

# Friday 2026-09-04 17:00 in Chicago; Monday 2026-09-07 is Labor Day.
FRIDAY_EVENING = datetime(2026, 9, 4, 22, 0, tzinfo=UTC)
TUESDAY_0830_CHICAGO = datetime(2026, 9, 8, 13, 30, tzinfo=UTC)


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[OfflineBot]:
    clock = SimulatedClock(FRIDAY_EVENING)
    async with OfflineBot(database_url, settings=Settings(), clock=clock) as offline:
        offline.seed()
        yield offline


def digests_to(bot: OfflineBot, user: str) -> list[dict]:
    return [m for m in bot.slack.messages(f"D{user}") if "Daily digest" in m["text"]]


def receive(bot: OfflineBot, ident: str, case: str, who: str, at: datetime) -> None:
    bot.platform_event(
        {
            "type": "message.received",
            "id": ident,
            "case": case,
            "employee": who,
            "at": at.isoformat(),
        }
    )


def said(calls: list[Call]) -> str:
    return "\n".join(str(c.args.get("text", "")) for c in calls)


async def test_the_digest_comes_at_0830_local_on_working_days_skipping_the_holiday(
    bot: OfflineBot,
) -> None:
    await bot.sweep(until=TUESDAY_0830_CHICAGO + timedelta(days=1))

    sent = [c for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == "DU0MGR1"]
    assert bot.services is not None
    with Session(bot.services.engine) as session:
        rows = session.exec(
            select(Notification).where(
                Notification.kind == "digest",
                Notification.recipient_id == "U0MGR1",
                Notification.state == "sent",
            )
        ).all()
    assert [r.due_at for r in rows] == [
        TUESDAY_0830_CHICAGO,
        TUESDAY_0830_CHICAGO + timedelta(days=1),
    ]
    assert len(sent) == 2


async def test_two_replicas_sweeping_together_send_each_digest_once(bot: OfflineBot) -> None:
    assert bot.services is not None and bot.sweeper is not None
    other = make_sweeper(bot.services, bot.sweeper.notifier.client)  # type: ignore[attr-defined]
    await bot.sweep(until=TUESDAY_0830_CHICAGO - timedelta(minutes=1))

    import asyncio

    await asyncio.gather(
        bot.sweeper.run_once(TUESDAY_0830_CHICAGO), other.run_once(TUESDAY_0830_CHICAGO)
    )

    assert len(digests_to(bot, "U0MGR1")) == 1


async def test_a_manager_sets_time_days_and_can_turn_it_off(bot: OfflineBot) -> None:
    answer = await bot.slash("U0MGR1", "digest at 07:15")
    await bot.slash("U0MGR1", "digest days wed")
    await bot.sweep(until=datetime(2026, 9, 10, 0, 0, tzinfo=UTC))
    await bot.slash("U0MGR1", "digest off")
    await bot.sweep(until=datetime(2026, 9, 20, 0, 0, tzinfo=UTC))

    assert "07:15" in said(answer)
    [only] = digests_to(bot, "U0MGR1")
    assert "Wed Sep 9" in only["text"]


async def test_an_ate_asking_for_a_team_digest_is_refused(bot: OfflineBot) -> None:
    calls = await bot.slash("U0ATE1", "digest")

    assert texts.DIGEST_NOT_FOR_ATES in said(calls)


async def test_the_preview_puts_totals_first_and_each_item_with_owner_and_age(
    bot: OfflineBot,
) -> None:
    receive(bot, "m-1", "APL-26-0001", "U0ATE1", datetime(2026, 9, 1, 14, 0, tzinfo=UTC))
    assert isinstance(bot.clock, SimulatedClock)
    bot.clock.now = TUESDAY_0830_CHICAGO

    calls = await bot.slash("U0MGR1", "digest")

    blocks = calls[-1].args["blocks"]
    assert "to look at:" in blocks[1]["text"]["text"]
    text = json.dumps(blocks, ensure_ascii=False)
    assert "Alex Rivera — APL-26-0001 — unanswered message, level 3" in text
    assert "Priya Nair — eGain number missing" in text


async def test_nothing_late_gives_a_short_all_clear(bot: OfflineBot) -> None:
    assert bot.services is not None
    with session_scope(bot.services.engine) as session:
        priya = session.get(Employee, "U0ATE3")
        assert priya is not None
        priya.egain, priya.user_training_on = "40125", priya.access_granted_on

    calls = await bot.slash("U0MGR1", "digest")

    assert texts.DIGEST_ALL_CLEAR in said(calls)
    assert len(calls[-1].args["blocks"]) == 2


async def test_300_open_items_still_fit_slacks_limits_and_full_lists_them_all(
    bot: OfflineBot,
) -> None:
    start = datetime(2026, 8, 3, 14, 0, tzinfo=UTC)
    for n in range(300):
        receive(bot, f"m-{n}", f"APL-26-{n:04d}", "U0ATE2", start + timedelta(minutes=n))
    assert isinstance(bot.clock, SimulatedClock)
    bot.clock.now = TUESDAY_0830_CHICAGO

    preview = (await bot.slash("U0MGR1", "digest"))[-1].args
    full = await bot.slash("U0MGR1", "digest full")

    assert len(preview["blocks"]) <= 50 and preview["text"]
    assert all(
        len(json.dumps(b.get("text", {}).get("text", ""))) <= 3000 for b in preview["blocks"]
    )
    assert "and 292 more" in json.dumps(preview["blocks"])
    posts = [c for c in full if c.method == "chat.postMessage"]
    listed = sum(json.dumps(p.args["blocks"]).count("unanswered message") for p in posts)
    assert listed == 300
    assert all(len(p.args["blocks"]) <= 50 for p in posts)
    assert texts.digest_full_sent(len(posts)) in said(full)


async def test_the_admin_digest_lists_unanswered_questions_and_unhelpful_answers(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "ask how do I submit my timesheet")
    answered = await bot.slash("U0ATE1", "ask what code when the rep stops using sm")
    from bot.render import render_message

    await bot.click("U0ATE1", render_message(answered[-1].args["blocks"]).choice(2), answered[-1])

    calls = await bot.slash("U0ADM1", "digest")

    text = json.dumps(calls[-1].args["blocks"], ensure_ascii=False)
    assert "Questions the bot could not answer" in text and "timesheet" in text
    assert "Answers marked not helpful" in text and "x1-4" in text


async def test_a_first_digest_covers_escalations_since_the_last_digest_day(
    bot: OfflineBot,
) -> None:
    # Tuesday 15:00 in Chicago: three business days later, Friday 15:00, it is escalated.
    receive(bot, "m-1", "APL-26-0001", "U0ATE1", datetime(2026, 9, 1, 20, 0, tzinfo=UTC))
    await bot.sweep(until=FRIDAY_EVENING)

    await bot.sweep(until=TUESDAY_0830_CHICAGO)  # past Labor Day, the first digest

    [first] = digests_to(bot, "U0MGR1")
    text = json.dumps(first["blocks"], ensure_ascii=False)
    assert "Escalations since the last digest" in text
    assert "Alex Rivera — APL-26-0001 — escalated" in text
