"""The sweep over the stand-in: each reminder exactly once, retries, failures surfaced."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.delivery import make_sweeper
from bot.offline import OfflineBot
from bot.settings import Settings
from models.tables import Notification
from reminders.sweep import SimulatedClock

# Monday 2026-09-14 09:00 in Chicago; Alex Rivera (U0ATE1) and Sam Okafor (U0ATE2).
MONDAY = datetime(2026, 9, 14, 14, 0, tzinfo=UTC)
TUESDAY_AFTERNOON = MONDAY + timedelta(days=1, hours=5)
JUST_BEFORE_DUE = MONDAY + timedelta(days=1, minutes=-1)  # the first reminder is due Tue 09:00


@pytest.fixture
async def office(database_url: str) -> AsyncIterator[tuple[OfflineBot, SimulatedClock]]:
    clock = SimulatedClock(MONDAY)
    async with OfflineBot(database_url, settings=Settings(), clock=clock) as bot:
        bot.seed()
        yield bot, clock


def receive(bot: OfflineBot, ident: str, case: str, who: str, at: datetime = MONDAY) -> None:
    bot.platform_event(
        {
            "type": "message.received",
            "id": ident,
            "case": case,
            "employee": who,
            "at": at.isoformat(),
        }
    )


def states(bot: OfflineBot) -> dict[str, str]:
    assert bot.services is not None
    with Session(bot.services.engine) as session:
        return {n.key: n.state for n in session.exec(select(Notification)).all()}


def dms(bot: OfflineBot, user: str, kind: str = "reminder") -> list[dict]:
    """Return the DMs of one kind (by the notification key they carry) a person received."""

    def key(message: dict) -> str:
        return str((message.get("metadata") or {}).get("event_payload", {}).get("key", ""))

    return [m for m in bot.slack.messages(f"D{user}") if key(m).startswith(f"{kind}:")]


async def test_a_due_reminder_is_posted_once_with_its_buttons_and_marked_sent(office) -> None:
    bot, _clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    await bot.sweep(until=MONDAY)  # the CO-TDC prompt goes out first

    await bot.sweep(until=TUESDAY_AFTERNOON)
    await bot.sweep(until=TUESDAY_AFTERNOON)

    [reminder] = dms(bot, "U0ATE1")
    assert "APL-26-0001" in reminder["text"]
    buttons = [
        e["action_id"] for b in reminder["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["sm_replied", "sm_no_reply", "sm_snooze"]
    assert reminder["metadata"]["event_payload"]["key"] == "reminder:m-1:1"
    assert states(bot)["reminder:m-1:1"] == "sent"


async def test_a_rate_limit_is_waited_out_and_the_reminder_arrives_once(office) -> None:
    bot, _clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    await bot.sweep(until=MONDAY)  # the CO-TDC prompt goes out first
    await bot.sweep(until=JUST_BEFORE_DUE)  # the managers' 08:30 digests go out first
    bot.slack.fail("chat.postMessage", status=429, error="ratelimited", retry_after=1)

    await bot.sweep(until=TUESDAY_AFTERNOON)

    assert len(dms(bot, "U0ATE1")) == 1
    posts = [c for c in bot.slack.calls_to("chat.postMessage") if "sm_replied" in str(c.args)]
    assert [c.status for c in posts] == [429, 200]


async def test_server_errors_are_retried_with_back_off_until_slack_accepts(office) -> None:
    bot, clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    await bot.sweep(until=MONDAY)  # the CO-TDC prompt goes out first
    await bot.sweep(until=JUST_BEFORE_DUE)  # the managers' 08:30 digests go out first
    bot.slack.fail("chat.postMessage", status=500, times=3)

    await bot.sweep(until=MONDAY + timedelta(days=1))
    waiting = states(bot)["reminder:m-1:1"]
    await bot.sweep(until=clock.now + timedelta(minutes=5))

    assert waiting == "pending"
    assert len(dms(bot, "U0ATE1")) == 1
    assert states(bot)["reminder:m-1:1"] == "sent"


async def test_a_deactivated_account_is_recorded_failed_and_the_manager_told(office) -> None:
    bot, _clock = office
    bot.slack.add_user("U0ATE1", name="Alex Rivera", tz="America/Chicago", deleted=True)
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    receive(bot, "m-2", "APL-26-0002", "U0ATE2")
    await bot.sweep(until=MONDAY)  # the CO-TDC prompts go out first

    await bot.sweep(until=TUESDAY_AFTERNOON)

    assert states(bot)["reminder:m-1:1"] == "failed"
    assert states(bot)["reminder:m-2:1"] == "sent"
    told = dms(bot, "U0MGR1", "delivery_failed")
    assert len(told) == 2  # one notice per day (the CO-TDC prompt Monday, reminders Tuesday)
    assert all("Alex Rivera" in t["text"] and "account_inactive" in t["text"] for t in told)


async def test_a_claim_abandoned_by_a_crash_is_delivered_once_after_the_lease(office) -> None:
    bot, clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    await bot.sweep(until=MONDAY)  # the CO-TDC prompt goes out first
    clock.now = TUESDAY_AFTERNOON
    assert bot.services is not None and bot.sweeper is not None
    crashed = make_sweeper(bot.services, bot.sweeper.notifier.client)  # type: ignore[attr-defined]
    claimed = crashed._claim(clock.now)

    await bot.sweep(until=clock.now + timedelta(seconds=30))
    early = len(dms(bot, "U0ATE1"))
    await bot.sweep(until=clock.now + bot.sweeper.lease)

    assert "reminder:m-1:1" in [n.key for n in claimed]
    assert early == 0
    assert len(dms(bot, "U0ATE1")) == 1


async def test_a_post_that_landed_before_a_crash_is_not_posted_again(office) -> None:
    bot, clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    await bot.sweep(until=MONDAY)  # the CO-TDC prompt goes out first
    clock.now = TUESDAY_AFTERNOON
    assert bot.services is not None and bot.sweeper is not None
    crashed = make_sweeper(bot.services, bot.sweeper.notifier.client)  # type: ignore[attr-defined]
    [row] = [n for n in crashed._claim(clock.now) if n.kind == "reminder"]
    # Slack accepts the post; then the process dies before recording it.
    await crashed.notifier.deliver(row, now=clock.now, reattempt=False)

    await bot.sweep(until=clock.now + bot.sweeper.lease)

    assert len(dms(bot, "U0ATE1")) == 1
    assert states(bot)["reminder:m-1:1"] == "sent"
    checked = [
        c for c in bot.slack.calls_to("conversations.history") if c.args["channel"] == "DU0ATE1"
    ]
    assert len(checked) == 2  # one per re-attempted row of Alex's


async def test_a_reply_before_the_due_instant_cancels_the_reminder(office) -> None:
    bot, _clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    await bot.sweep(until=MONDAY)  # the CO-TDC prompt goes out first
    bot.platform_event(
        {
            "type": "message.sent",
            "id": "m-2",
            "case": "APL-26-0001",
            "employee": "U0ATE1",
            "at": (MONDAY + timedelta(hours=2)).isoformat(),
        }
    )

    await bot.sweep(until=MONDAY + timedelta(days=10))

    assert dms(bot, "U0ATE1") == []
    assert {k: v for k, v in states(bot).items() if k.startswith(("reminder", "escalation"))} == {
        "reminder:m-1:1": "cancelled",
        "reminder:m-1:2": "cancelled",
        "escalation:m-1:3:U0MGR1": "cancelled",
    }


def test_the_notification_key_makes_a_second_row_impossible(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from models.db import make_engine, session_scope
    from models.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade(engine)
    row = dict(
        key="reminder:m-1:1", kind="reminder", recipient_id="U1", due_at=MONDAY, not_before=MONDAY
    )

    with session_scope(engine) as session:
        session.add(Notification(**row))
    with pytest.raises(sa.exc.IntegrityError), session_scope(engine) as session:
        session.add(Notification(**row))


async def test_after_downtime_the_ate_gets_only_the_latest_reminder(office) -> None:
    bot, clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    await bot.sweep(until=MONDAY)  # the CO-TDC prompt goes out first
    clock.now = MONDAY + timedelta(days=2, hours=2)  # both reminders overdue, escalation not yet

    await bot.sweep()

    [latest] = dms(bot, "U0ATE1")
    assert "Reminder 2" in latest["text"]
    assert states(bot)["reminder:m-1:1"] == "superseded"
    assert states(bot)["escalation:m-1:3:U0MGR1"] == "pending"


async def test_an_unknown_user_is_recorded_failed_and_a_slow_slack_is_retried(office) -> None:
    bot, _clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    receive(bot, "m-2", "APL-26-0002", "U0ATE2")
    await bot.sweep(until=JUST_BEFORE_DUE)
    bot.slack.fail("conversations.open", error="user_not_found")
    bot.slack.fail("conversations.open", delay=12)  # longer than the client's 10 s time-out

    await bot.sweep(until=MONDAY + timedelta(days=1))
    await bot.sweep(until=MONDAY + timedelta(days=1, minutes=5))

    assert states(bot)["reminder:m-1:1"] == "failed"
    assert states(bot)["reminder:m-2:1"] == "sent"
    assert len(dms(bot, "U0ATE2")) == 1


async def test_a_locked_database_delays_the_sweep_and_loses_nothing(office) -> None:
    import sqlite3

    bot, _clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")
    await bot.sweep(until=JUST_BEFORE_DUE)
    assert bot.services is not None
    path = bot.services.engine.url.database
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")

    async def release_later() -> None:
        await asyncio.sleep(1.5)
        blocker.execute("COMMIT")
        blocker.close()

    release = asyncio.create_task(release_later())
    await bot.sweep(until=MONDAY + timedelta(days=1))
    await release

    assert len(dms(bot, "U0ATE1")) == 1
    assert states(bot)["reminder:m-1:1"] == "sent"
