"""`/sm digest` and `/sm digest full`: a manager's team digest (an admin's office digest) now."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import texts
from bot.digest_view import digest_full
from bot.errors import UserError
from bot.notices import compose_digest
from bot.services import Services
from handlers.commands import CommandRequest, Subcommand
from handlers.replies import Reply
from models import access
from reminders import digest


async def digest_command(services: Services, request: CommandRequest) -> Reply:
    """Preview the digest; with `full`, send every item to the person's DMs."""
    word = request.args.strip().lower()
    if word not in ("", "full"):
        raise UserError(texts.USAGE_DIGEST)
    now = services.clock()
    with Session(services.engine) as session:
        reader = access.actor(session, request.user_id)
        if reader.role not in ("manager", "admin"):
            raise UserError(texts.DIGEST_NOT_FOR_ATES)
        if word == "":
            text, blocks = compose_digest(session, services.policy, reader, now)
            return Reply(text=text, blocks=blocks)
        since = digest.previous_digest_at(session, reader.id, now)
        found = digest.compose(session, services.policy, reader, now, since)
        title = texts.digest_title(reader.name, found.office, now.astimezone(ZoneInfo(reader.tz)))
    messages = digest_full(found, title)
    if request.client is None:
        return Reply(text="\n\n".join(text for text, _ in messages))
    for text, blocks in messages:
        await request.client.chat_postMessage(channel=request.user_id, text=text, blocks=blocks)
    return Reply(text=texts.digest_full_sent(len(messages)))


SUBCOMMANDS: dict[str, Subcommand] = {"digest": digest_command}
