"""Deliver outbox notifications as Slack DMs, telling lasting failures from passing ones."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from models.tables import Notification
from reminders.sweep import Delivery

logger = logging.getLogger(__name__)

# Errors that no retry will cure: the person or the DM is gone, or the message is malformed.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "user_disabled",
        "channel_not_found",
        "is_archived",
        "cannot_dm_bot",
        "not_in_channel",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "invalid_arguments",
    }
)
METADATA_EVENT = "smbot_notification"

Renderer = Callable[[Notification, datetime], tuple[str, list[dict]]]


class SlackNotifier:
    """Open the DM, make sure an earlier attempt did not already land, post with the key."""

    def __init__(self, client: AsyncWebClient, render: Renderer) -> None:
        self.client = client
        self.render = render

    async def deliver(
        self, notification: Notification, *, now: datetime, reattempt: bool
    ) -> Delivery:
        """Send one notification; classify any failure instead of raising."""
        try:
            text, blocks = await asyncio.to_thread(self.render, notification, now)
            channel = await self._dm_channel(notification.recipient_id)
            if reattempt:
                landed = await self._already_posted(channel, notification.key)
                if landed is not None:
                    logger.info("notification found already posted key=%s", notification.key)
                    return Delivery("sent", channel, landed)
            response = await self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                metadata={
                    "event_type": METADATA_EVENT,
                    "event_payload": {"key": notification.key},
                },
            )
            return Delivery("sent", channel, str(response.get("ts")))
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown_error"))
            outcome = "failed" if code in PERMANENT_ERRORS else "retry"
            return Delivery(outcome, error=code)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return Delivery("retry", error=type(error).__name__)

    async def _dm_channel(self, user_id: str) -> str:
        opened = await self.client.conversations_open(users=user_id)
        return str(opened["channel"]["id"])

    async def _already_posted(self, channel: str, key: str) -> str | None:
        history = await self.client.conversations_history(
            channel=channel, limit=100, include_all_metadata=True
        )
        messages: list[dict[str, Any]] = history.get("messages", [])
        for message in messages:
            metadata = message.get("metadata") or {}
            if metadata.get("event_payload", {}).get("key") == key:
                return str(message.get("ts"))
        return None
