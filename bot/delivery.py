"""Assemble the sweep: the outbox, the Slack notifier and the renderer, for one process."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.notices import NoticeRenderer
from bot.notifier import SlackNotifier
from bot.services import Services
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
    )
