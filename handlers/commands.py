"""The `/sm` slash command: ack at once, then route the subcommand and reply."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.errors import UserError
from bot.guard import refuse_taxpayer_id
from bot.services import Services
from handlers.replies import Reply, request_ids, respond_safely

logger = logging.getLogger(__name__)

COMMAND = "/sm"
# Subcommands that can change someone's open items (their Home tab is then republished).
CHANGES_ITEMS = frozenset(
    {"received", "replied", "contact", "discontinued", "tfa", "poa", "close"}
)


@dataclass(frozen=True)
class CommandRequest:
    """One `/sm` invocation: who, where, the subcommand's own words."""

    user_id: str
    channel_id: str
    subcommand: str
    args: str
    trigger_id: str | None = None
    client: AsyncWebClient | None = None


Subcommand = Callable[[Services, CommandRequest], Awaitable[Reply]]


def parse(
    user_id: str,
    channel_id: str,
    text: str,
    trigger_id: str | None,
    client: AsyncWebClient | None = None,
) -> CommandRequest:
    """Split `/sm` text into its subcommand (lower-cased) and the rest."""
    word, _, rest = text.strip().partition(" ")
    return CommandRequest(user_id, channel_id, word.lower(), rest.strip(), trigger_id, client)


async def show_help(services: Services, request: CommandRequest) -> Reply:
    """List what the bot can do."""
    return Reply(text=texts.HELP)


async def route(
    services: Services, request: CommandRequest, subcommands: Mapping[str, Subcommand]
) -> Reply:
    """Run the subcommand; a user error becomes its message, an unknown word the usage."""
    if not request.subcommand:
        return Reply(text=texts.USAGE)
    try:
        refuse_taxpayer_id(f"{request.subcommand} {request.args}")
        handler = subcommands.get(request.subcommand)
        if handler is None:
            return Reply(text=texts.unknown_subcommand(request.subcommand))
        return await handler(services, request)
    except UserError as error:
        return Reply(text=error.message)


def register(app: AsyncApp, services: Services, subcommands: Mapping[str, Subcommand]) -> None:
    """Attach the `/sm` listener with the given subcommands (plus `help`)."""
    table = {"help": show_help, **subcommands}

    @app.command(COMMAND)
    async def on_sm(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        async with services.work.track():
            await ack()
            request = parse(
                body.get("user_id", ""),
                body.get("channel_id", ""),
                body.get("text", ""),
                body.get("trigger_id"),
                client,
            )
            logger.debug("slash command sub=%s %s", request.subcommand, request_ids(body))
            reply = await route(services, request, table)
            if reply.text:
                await respond_safely(respond, client, body, reply)
            if request.subcommand in CHANGES_ITEMS:
                services.changed(request.user_id)
