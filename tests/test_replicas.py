"""Two `smbot serve` replicas on one PostgreSQL: a week of an office's work, each DM once.

Skipped without TEST_DATABASE_URL (`.ci/run` starts PostgreSQL and sets it).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from bot.standin import SlackStandIn
from models.db import make_engine, session_scope, utcnow
from models.migrate import upgrade
from models.tables import Notification
from reminders.digest import next_digest_at
from reminders.events import parse_event
from reminders.intake import apply_event
from reminders.policy import Policy
from tests.pg import base_url, needs_postgres, scratch_database
from tests.test_restart import _serve, _until

pytestmark = needs_postgres

MANAGERS, ATES, MESSAGES, DAYS = 5, 50, 1000, 7
OPEN = ("pending", "claimed")


@pytest.fixture
def pg_url() -> Iterator[str]:
    with scratch_database(base_url()) as url:
        yield url


def _office_week(url: str) -> None:
    """Store 5 managers, 50 ATEs and a week of 1,000 secure messages, half of them answered,
    plus each manager's digests of the week's working days, all due by now."""
    engine = make_engine(url)
    upgrade(engine)
    now, policy, pick = utcnow(), Policy(office_tz="America/Chicago"), random.Random(7)
    zones = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
    events: list[dict] = []
    for m in range(MANAGERS):
        events.append(
            {
                "type": "employee",
                "id": f"UM{m}",
                "name": f"Manager {m}",
                "role": "manager",
                "tz": zones[m % 4],
            }
        )
    for a in range(ATES):
        events.append(
            {
                "type": "employee",
                "id": f"UA{a:02d}",
                "name": f"ATE {a}",
                "role": "ate",
                "manager": f"UM{a % MANAGERS}",
                "tz": zones[a % 4],
            }
        )
    for n in range(MESSAGES):
        # Each case belongs to one ATE: three messages a case, cases spread over the team.
        ate = f"UA{(n // 3) % ATES:02d}"
        at = now - timedelta(minutes=pick.randrange(60, DAYS * 1440))
        case = f"APL-26-{n // 3:04d}"
        events.append(
            {
                "type": "message.received",
                "id": f"m-{n}",
                "case": case,
                "employee": ate,
                "at": at.isoformat(),
            }
        )
        if n % 2:
            reply = min(at + timedelta(hours=pick.randrange(1, 48)), now - timedelta(minutes=1))
            events.append(
                {
                    "type": "message.sent",
                    "id": f"r-{n}",
                    "case": case,
                    "employee": ate,
                    "at": reply.isoformat(),
                }
            )
    events.sort(key=lambda e: e.get("at", ""))
    with session_scope(engine) as session:
        for event in events:
            apply_event(session, policy, parse_event(event))
        _past_digests(session, policy, now)
    engine.dispose()


def _past_digests(session: Session, policy: Policy, now) -> None:  # type: ignore[no-untyped-def]
    from models.tables import Employee

    for manager in session.exec(select(Employee).where(Employee.role == "manager")).all():
        due = next_digest_at(policy, manager, now - timedelta(days=DAYS))
        while due < now:
            key = f"digest:{manager.id}:{due.date().isoformat()}"
            session.add(
                Notification(
                    key=key,
                    kind="digest",
                    recipient_id=manager.id,
                    due_at=due,
                    not_before=due,
                    ref=f"digest:{manager.id}",
                )
            )
            due = next_digest_at(policy, manager, due)


def _due_left(url: str, cutoff) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with Session(engine) as session:
        left = session.exec(
            select(Notification.id).where(
                col(Notification.state).in_(OPEN), col(Notification.due_at) <= cutoff
            )
        ).all()
    engine.dispose()
    return len(left)


def _sent(url: str) -> list[Notification]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = list(session.exec(select(Notification).where(Notification.state == "sent")).all())
    engine.dispose()
    return rows


async def test_two_replicas_deliver_a_week_of_reminders_prompts_and_digests_once_each(
    pg_url: str,
) -> None:
    _office_week(pg_url)
    cutoff = utcnow()
    async with SlackStandIn() as slack:
        # A short lease, so renewals happen during the run; it must still outlast one post.
        replicas = [_serve(pg_url, slack, lease=10), _serve(pg_url, slack, lease=10)]
        try:
            await _until(lambda: _due_left(pg_url, cutoff) == 0, limit=240)
        finally:
            for replica in replicas:
                replica.terminate()
            for replica in replicas:
                replica.wait(timeout=30)

    posted = Counter(
        c.args["metadata"]["event_payload"]["key"]
        for c in slack.calls_to("chat.postMessage")
        if c.ok
    )
    sent = _sent(pg_url)
    kinds = Counter(n.kind for n in sent)
    assert max(posted.values()) == 1  # nothing twice
    assert set(posted) == {n.key for n in sent}  # every DM recorded as sent, and only those
    assert kinds["reminder"] > 0 and kinds["escalation"] > 0 and kinds["car_prompt"] > 0
    assert kinds["digest"] >= MANAGERS * 4
    assert len({n.claimed_by for n in sent}) == 2  # both replicas did part of the work
