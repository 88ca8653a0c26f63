"""The store, the sweep and restart safety on PostgreSQL (skipped without TEST_DATABASE_URL).

Each test runs on a database of its own, created for it and dropped after it
(tests/pg.py). `.ci/run` starts PostgreSQL and sets TEST_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel, col, select

from bot.delivery import make_sweeper
from bot.offline import OfflineBot
from bot.settings import Settings
from bot.standin import SlackStandIn
from models.db import make_engine, session_scope
from models.migrate import alembic_config, upgrade
from models.store import record_question
from models.tables import Notification, Question
from reminders.sweep import Delivery, SimulatedClock, Sweeper
from tests.pg import base_url, needs_postgres, scratch_database
from tests.test_restart import _overdue_office, _serve, _until

pytestmark = needs_postgres

# Monday 2026-09-14 09:00 in Chicago; Alex Rivera (U0ATE1) and Sam Okafor (U0ATE2).
MONDAY = datetime(2026, 9, 14, 14, 0, tzinfo=UTC)
TUESDAY_AFTERNOON = MONDAY + timedelta(days=1, hours=5)
FINAL = {"sent", "superseded", "cancelled"}


@pytest.fixture
def pg_url() -> Iterator[str]:
    """Return the URL of a fresh, empty PostgreSQL database, dropped after the test."""
    with scratch_database(base_url()) as url:
        yield url


@pytest.fixture
def engine(pg_url: str) -> Iterator[sa.engine.Engine]:
    engine = make_engine(pg_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
async def office(pg_url: str) -> AsyncIterator[tuple[OfflineBot, SimulatedClock]]:
    clock = SimulatedClock(MONDAY)
    async with OfflineBot(pg_url, settings=Settings(), clock=clock) as bot:
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


def notifications(engine: sa.engine.Engine) -> list[Notification]:
    with Session(engine) as session:
        return list(session.exec(select(Notification)).all())


def posted_keys(slack: SlackStandIn) -> list[str]:
    return [
        call.args["metadata"]["event_payload"]["key"]
        for call in slack.calls_to("chat.postMessage")
        if call.ok
    ]


def test_a_fresh_upgrade_reaches_head_and_leaves_nothing_for_autogenerate(
    engine: sa.engine.Engine,
) -> None:
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    upgrade(engine)  # a second upgrade changes nothing

    with engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)

    assert version == head
    assert differences == []


def test_a_non_utc_time_comes_back_as_the_same_instant_aware(pg_url: str) -> None:
    # The session's own zone is not UTC either, so nothing depends on the server's setting.
    engine = make_engine(pg_url, connect_args={"options": "-c TimeZone=Asia/Kolkata"})
    upgrade(engine)
    chicago = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/Chicago"))

    with session_scope(engine) as session:
        row = record_question(
            session,
            asked_by="U1",
            text="q",
            answered=True,
            section="x1-3",
            score=1.0,
            channel="slash",
            at=chicago,
        )
        question_id = row.id
    with Session(engine) as session:
        stored = session.get(Question, question_id)
    with engine.connect() as connection:
        column_type = connection.exec_driver_sql(
            "SELECT data_type FROM information_schema.columns"
            " WHERE table_name = 'question' AND column_name = 'asked_at'"
        ).scalar()
        in_utc = connection.exec_driver_sql(
            "SELECT asked_at AT TIME ZONE 'UTC' FROM question"
        ).scalar()
    engine.dispose()

    assert stored is not None
    assert stored.asked_at == chicago
    assert stored.asked_at.utcoffset() == timedelta(0)
    assert column_type == "timestamp with time zone"
    assert in_utc == datetime(2026, 3, 8, 7, 30)


async def test_the_sweep_delivers_a_due_reminder_once(office) -> None:
    bot, _clock = office
    receive(bot, "m-1", "APL-26-0001", "U0ATE1")

    await bot.sweep(until=TUESDAY_AFTERNOON)
    await bot.sweep(until=TUESDAY_AFTERNOON)

    assert bot.services is not None
    states = {n.key: n.state for n in notifications(bot.services.engine)}
    keys = posted_keys(bot.slack)
    assert keys.count("reminder:m-1:1") == 1
    assert len(keys) == len(set(keys))
    assert states["reminder:m-1:1"] == "sent"


async def test_two_sweepers_at_once_deliver_each_notification_exactly_once(office) -> None:
    bot, clock = office
    count = 40
    for n in range(count):
        receive(bot, f"m-{n}", f"APL-26-{n:04d}", ("U0ATE1", "U0ATE2")[n % 2])
    clock.now = TUESDAY_AFTERNOON
    assert bot.services is not None and bot.sweeper is not None
    due = {
        n.key
        for n in notifications(bot.services.engine)
        if n.state == "pending" and n.not_before <= clock.now
    }
    client = bot.sweeper.notifier.client
    first, second = make_sweeper(bot.services, client), make_sweeper(bot.services, client)
    first.batch = second.batch = 6  # several claims each, interleaved

    reports = await asyncio.wait_for(
        asyncio.gather(first.run_once(clock.now), second.run_once(clock.now)), timeout=60
    )

    after = {n.key: n for n in notifications(bot.services.engine)}
    sent = {key for key, n in after.items() if n.state == "sent"}
    keys = posted_keys(bot.slack)
    assert first.worker != second.worker
    assert {f"reminder:m-{n}:1" for n in range(count)} <= sent
    assert len(keys) == len(set(keys)) and set(keys) == sent
    assert sorted(reports[0].keys + reports[1].keys) == sorted(keys)
    assert all(after[key].state not in ("pending", "claimed") for key in due)
    assert reports[0].sent > 0 and reports[1].sent > 0
    assert {after[key].claimed_by for key in sent} == {first.worker, second.worker}


class _Silent:
    """A notifier that is never reached: these tests stop at the claim."""

    async def deliver(
        self, notification: Notification, *, now: datetime, reattempt: bool
    ) -> Delivery:
        raise AssertionError("not expected to deliver")


def test_a_claim_skips_rows_another_replica_holds_instead_of_waiting(pg_url: str) -> None:
    # A lock timeout turns a claim that would wait into an error instead of a hang.
    engine = make_engine(pg_url, connect_args={"options": "-c lock_timeout=5000"})
    upgrade(engine)
    with session_scope(engine) as session:
        for n in range(10):
            due = MONDAY + timedelta(minutes=n)
            session.add(
                Notification(
                    key=f"k-{n}", kind="reminder", recipient_id="U1", due_at=due, not_before=due
                )
            )
    with Session(engine) as session:
        ids = [
            n.id or 0 for n in session.exec(select(Notification).order_by(col(Notification.id)))
        ]
    sweeper = Sweeper(engine, _Silent(), lambda: TUESDAY_AFTERNOON, worker="replica-b")

    holder = engine.connect()
    transaction = holder.begin()
    try:
        # Another replica is mid-claim on the four rows due first.
        held = holder.execute(
            sa.text("SELECT id FROM notification ORDER BY not_before, id LIMIT 4 FOR UPDATE")
        ).scalars()
        held_ids = list(held)
        with ThreadPoolExecutor(1) as pool:
            started = time.perf_counter()
            claimed = pool.submit(sweeper._claim, TUESDAY_AFTERNOON).result(timeout=10)
            elapsed = time.perf_counter() - started
    finally:
        transaction.rollback()
        holder.close()
    later = sweeper._claim(TUESDAY_AFTERNOON)
    engine.dispose()

    assert held_ids == ids[:4]
    assert sorted(n.id or 0 for n in claimed) == ids[4:]
    assert elapsed < 2.0
    assert sorted(n.id or 0 for n in later) == ids[:4]
    assert {n.claimed_by for n in claimed + later} == {"replica-b"}


async def test_a_process_killed_after_claiming_leaves_every_reminder_to_arrive_once(
    pg_url: str,
) -> None:
    expected = _overdue_office(pg_url)
    async with SlackStandIn() as slack:
        # The first process claims its batch, then hangs opening the first DM.
        slack.fail("conversations.open", delay=60)
        first = _serve(pg_url, slack)
        try:
            await _until(lambda: slack.arrivals["conversations.open"] > 0)
            claimed = _states_of(pg_url, expected)
        finally:
            first.kill()
            first.wait()

        second = _serve(pg_url, slack)
        try:
            await _until(
                lambda: all(s in FINAL for s in _states_of(pg_url, expected).values()), limit=60
            )
            await asyncio.sleep(1.5)  # room for any duplicate to show up
        finally:
            second.terminate()
            second.wait(timeout=30)

    keys = posted_keys(slack)  # may include what the process plans itself (e.g. digests)
    ours = {key for key in keys if key in expected}
    final = _states_of(pg_url, expected)
    assert set(claimed.values()) <= {"claimed", "superseded"}  # all claimed, none sent yet
    assert len(keys) == len(set(keys))  # nothing twice
    assert {key for key, state in final.items() if state == "sent"} == ours
    # Every level is overdue: each message's latest reminder and its escalation, once.
    assert {key for key in expected if key.startswith("escalation:")} <= ours
    assert {f"reminder:m-{n}:2" for n in (1, 2, 3)} <= ours
    assert not {f"reminder:m-{n}:1" for n in (1, 2, 3)} & ours


def _states_of(url: str, keys: set[str]) -> dict[str, str]:
    """Return the state of each of these notifications (rows the process added left out)."""
    engine = make_engine(url)
    try:
        return {n.key: n.state for n in notifications(engine) if n.key in keys}
    finally:
        engine.dispose()
