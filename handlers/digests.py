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
from models import access, audit
from models.db import session_scope
from reminders import digest
from reminders.policy import parse_clock_time, parse_days


async def digest_command(services: Services, request: CommandRequest) -> Reply:
    """Preview the digest; `full` sends every item to the DMs; `at`, `days`, `on`, `off` set it."""
    word, _, rest = request.args.strip().lower().partition(" ")
    if word in ("at", "days", "on", "off"):
        return set_preferences(services, request.user_id, word, rest.strip())
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
        since = digest.previous_digest_at(session, services.policy, reader, now)
        found = digest.compose(session, services.policy, reader, now, since)
        title = texts.digest_title(reader.name, found.office, now.astimezone(ZoneInfo(reader.tz)))
    messages = digest_full(found, title)
    if request.client is None:
        return Reply(text="\n\n".join(text for text, _ in messages))
    for text, blocks in messages:
        await request.client.chat_postMessage(channel=request.user_id, text=text, blocks=blocks)
    return Reply(text=texts.digest_full_sent(len(messages)))


def set_preferences(services: Services, user_id: str, what: str, value: str) -> Reply:
    """Set when a manager's digest comes: `at HH:MM`, `days mon-fri`, `on` or `off`."""
    with session_scope(services.engine) as session:
        reader = access.actor(session, user_id)
        if reader.role not in ("manager", "admin"):
            raise UserError(texts.DIGEST_NOT_FOR_ATES)
        try:
            if what == "at":
                reader.digest_time = parse_clock_time(value).strftime("%H:%M")
            elif what == "days":
                parse_days(value)
                reader.digest_days = value
            else:
                reader.digest_enabled = what == "on"
        except ValueError as error:
            raise UserError(f"{error}. {texts.USAGE_DIGEST}") from None
        digest.replan(session, reader.id)
        session.add(reader)
        audit.record(
            session,
            actor=reader.id,
            action="digest.preferences",
            at=services.clock(),
            detail=f"{what} {value}".strip(),
        )
        summary = texts.digest_preferences(
            reader.digest_enabled,
            reader.digest_time or "08:30",
            reader.digest_days or "working days",
        )
    return Reply(text=summary)


SUBCOMMANDS: dict[str, Subcommand] = {"digest": digest_command}
