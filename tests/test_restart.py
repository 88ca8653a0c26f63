"""Restart safety: `smbot serve` killed between claiming and sending loses and doubles nothing."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from bot.standin import SlackStandIn
from models.db import make_engine, session_scope, utcnow
from models.migrate import upgrade
from models.tables import Notification
from reminders.events import parse_event
from reminders.intake import apply_event
from reminders.policy import Policy

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _overdue_office(url: str) -> set[str]:
    """Store an ATE, a manager and three messages long overdue; return the expected keys."""
    engine = make_engine(url)
    upgrade(engine)
    long_ago = (utcnow() - timedelta(days=20)).isoformat()
    events = [
        {"type": "employee", "id": "U09", "name": "Dana", "role": "manager", "tz": "UTC"},
        {
            "type": "employee",
            "id": "U01",
            "name": "Alex",
            "role": "ate",
            "manager": "U09",
            "tz": "UTC",
        },
        *(
            {
                "type": "message.received",
                "id": f"m-{n}",
                "case": f"APL-26-000{n}",
                "employee": "U01",
                "at": long_ago,
            }
            for n in (1, 2, 3)
        ),
    ]
    with session_scope(engine) as session:
        for event in events:
            apply_event(session, Policy(office_tz="UTC"), parse_event(event))
    with Session(engine) as session:
        keys = {n.key for n in session.exec(select(Notification)).all()}
    engine.dispose()
    return keys


def _serve(url: str, slack: SlackStandIn, lease: float = 2) -> subprocess.Popen[bytes]:
    """Start `smbot serve` on the stand-in; the lease is short so a takeover comes quickly."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-restart-test",
        "SLACK_SIGNING_SECRET": "restart-test",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "PORT": str(_free_port()),
        "SWEEP_INTERVAL_SECONDS": "0.2",
        "CLAIM_LEASE_SECONDS": str(lease),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    return subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=REPO, env=env)


def _posted_keys(slack: SlackStandIn) -> set[str]:
    calls = slack.calls_to("chat.postMessage")
    return {c.args["metadata"]["event_payload"]["key"] for c in calls if c.ok}


def _states(url: str) -> list[str]:
    """Return the states of the case notifications (the daily digests left out)."""
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(select(Notification).where(Notification.kind != "digest")).all()
        states = [n.state for n in rows]
    engine.dispose()
    return states


async def _until(condition: Callable[[], bool], limit: float = 30.0) -> None:
    """Poll a condition another process makes true (there is no event to wait on)."""
    for _ in range(int(limit / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the first process never got that far")


async def test_a_process_killed_after_claiming_leaves_every_reminder_to_arrive_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    expected = _overdue_office(url)
    # Every level is overdue: the ATE gets the latest reminder and CAR prompt, not a burst.
    latest = {key for key in expected if key.startswith("escalation:") or key.endswith(":2")}
    async with SlackStandIn() as slack:
        # The first process claims its batch, then hangs opening the first DM.
        slack.fail("conversations.open", delay=60)
        first = _serve(url, slack)
        try:
            await _until(lambda: slack.arrivals["conversations.open"] > 0)
            claimed = _states(url)
        finally:
            first.kill()
            first.wait()

        second = _serve(url, slack)
        try:
            await _until(lambda: latest <= _posted_keys(slack), limit=60)
            await asyncio.sleep(1.5)  # room for any duplicate to show up
        finally:
            second.terminate()
            second.wait(timeout=30)

    posted = [
        c.args["metadata"]["event_payload"]["key"] for c in slack.calls_to("chat.postMessage")
    ]
    assert "sent" not in claimed and "pending" not in claimed  # all claimed, none sent yet
    assert len(posted) == len(set(posted))  # nothing twice, digests included
    assert sorted(k for k in posted if not k.startswith("digest:")) == sorted(latest)
    superseded = len(expected) - len(latest)
    assert sorted(_states(url)) == sorted(["sent"] * len(latest) + ["superseded"] * superseded)
