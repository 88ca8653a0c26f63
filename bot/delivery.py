"""Assemble the sweep: the outbox, the Slack notifier and the renderer, for one process."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bot.notices import NoticeRenderer
from bot.notifier import SlackNotifier
from bot.services import Services
from models.db import session_scope
from reminders.digest import plan_digests
from reminders.policy import Policy
from reminders.sweep import Sweeper


def worker_name() -> str:
    """Name this process uniquely among replicas (host, pid and a random suffix)."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def make_sweeper(services: Services, client: AsyncWebClient) -> Sweeper:
    """Build the sweeper that delivers due notifications as Slack DMs."""
    renderer = NoticeRenderer(services.engine, services.policy)
    return Sweeper(
        services.engine,
        SlackNotifier(client, renderer),
        services.clock,
        worker=worker_name(),
        lease=timedelta(seconds=services.settings.claim_lease_seconds),
        plan=digest_planner(services.engine, services.policy),
    )


def digest_planner(engine: Engine, policy: Policy) -> Callable[[datetime], int]:
    """Return the step that keeps each manager's next digest in the outbox."""

    def plan(now: datetime) -> int:
        with session_scope(engine) as session:
            return plan_digests(session, policy, now)

    return plan
