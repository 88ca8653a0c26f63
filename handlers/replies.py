"""What a listener sends back, and how it reaches the person despite Slack errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.errors import UserError
from bot.services import Services

logger = logging.getLogger(__name__)


@dataclass
class Reply:
    """A message for one person: fallback text and optional blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


def request_ids(body: dict[str, Any]) -> str:
    """Summarise a request's ids as key=value pairs for log lines (no message text)."""
    user = (
        body.get("user_id")
        or (body.get("user") or {}).get("id")
        or body.get("event", {}).get("user")
    )
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
    channel = channel or body.get("event", {}).get("channel")
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    parts = {"team": team, "user": user, "channel": channel, "event_id": body.get("event_id")}
    parts["trigger_id"] = body.get("trigger_id")
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


async def respond_safely(
    respond: AsyncRespond,
    client: AsyncWebClient,
    body: dict[str, Any],
    reply: Reply,
    *,
    replace_original: bool | None = None,
) -> bool:
    """Answer through the response_url; if that fails, log it and tell the person another way."""
    if not body.get("response_url"):
        # A click on the Home tab comes with no response_url: answer in the person's DM.
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        return bool(user) and await post_safely(client, body, str(user), reply)
    try:
        response = await respond(
            text=reply.text,
            blocks=reply.blocks or None,
            response_type="ephemeral",
            replace_original=replace_original,
        )
        if response.status_code == 200:
            return True
        logger.warning(
            "response_url refused status=%s %s", response.status_code, request_ids(body)
        )
    except Exception:  # the webhook client raises plain aiohttp and HTTP errors
        logger.warning("response_url delivery failed %s", request_ids(body), exc_info=True)
    await _tell_by_ephemeral(client, body)
    return False


async def post_safely(
    client: AsyncWebClient, body: dict[str, Any], channel: str, reply: Reply, **extra: Any
) -> bool:
    """Post a message; on a Slack error log the request's ids and tell the person if possible."""
    try:
        await client.chat_postMessage(
            channel=channel, text=reply.text, blocks=reply.blocks or None, **extra
        )
        return True
    except SlackApiError as error:
        logger.warning(
            "chat.postMessage failed error=%s %s", error.response.get("error"), request_ids(body)
        )
    await _tell_by_ephemeral(client, body, channel=channel)
    return False


async def _tell_by_ephemeral(
    client: AsyncWebClient, body: dict[str, Any], channel: str | None = None
) -> None:
    event = body.get("event", {})
    user = body.get("user_id") or (body.get("user") or {}).get("id") or event.get("user")
    channel = channel or body.get("channel_id") or event.get("channel")
    if not user or not channel:
        return
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=texts.SLACK_FAILED)
    except SlackApiError as error:
        logger.warning(
            "could not tell the user either error=%s %s",
            error.response.get("error"),
            request_ids(body),
        )


ButtonWork = Callable[[Services, str, str], Reply]


def on_button(app: AsyncApp, services: Services, action_id: str, work: ButtonWork) -> None:
    """Attach a button whose work is a plain function of (services, user id, value).

    The listener acks, runs the work in a thread (store writes never hold up other
    acks), answers only the clicker, and has their Home tab republished.
    """

    @app.action(action_id)
    async def on_click(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        async with services.work.track():
            await ack()
            user = body["user"]["id"]
            picked = (action.get("selected_option") or {}).get("value")
            value = str(action.get("value") or picked or "")
            try:
                reply = await asyncio.to_thread(work, services, user, value)
            except UserError as error:
                reply = Reply(text=error.message)
            await respond_safely(respond, client, body, reply, replace_original=False)
            services.changed(user)
