"""Secure messages from chat: `/sm received`, `/sm replied`, and the reminder buttons."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session

from bot import blocks as kit
from bot import texts
from bot.errors import UserError
from bot.guard import looks_like_taxpayer_id
from bot.services import Services, case_rules
from handlers.commands import CommandRequest, Subcommand
from handlers.replies import Reply, on_button, request_ids, respond_safely
from models import access
from models.db import session_scope
from models.tables import Case, Closing, Employee, SecureMessage
from reminders import tracking
from reminders.events import EmployeeRef, MessageReceived, MessageSent
from reminders.intake import CaseRules, apply_event
from reminders.tracking import open_inbound
from reminders.when import parse_case_number, parse_when

logger = logging.getLogger(__name__)

REASON_LIMIT = 200  # the store keeps this much of a No-reply reason


def _rules(services: Services) -> CaseRules:
    return case_rules(services.settings)


def _case_and_when(
    services: Services, session: Session, person: Employee, args: str, usage: str
) -> tuple[str, datetime, Employee]:
    """Read `CASE [WHEN]`, check the person may act on the case, return (case, instant, owner)."""
    word, *others = args.split(maxsplit=1) or [""]
    rest = others[0] if others else ""
    if not word:
        raise UserError(usage)
    settings = services.settings
    number = parse_case_number(
        word, settings.case_number_pattern, example=settings.case_number_example
    )
    at = parse_when(rest, now=services.clock(), tz=ZoneInfo(person.tz))
    case = session.get(Case, number)
    if case is not None:
        access.require_case_access(session, person, case)
    else:
        access.require_may_open_case(person, number)
    owner = session.get(Employee, case.owner_id) if case is not None else person
    return number, at, owner or person


async def received_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm received CASE [WHEN]`: record an inbound secure message."""
    with session_scope(services.engine) as session:
        person = access.actor(session, request.user_id)
        number, at, owner = _case_and_when(
            services, session, person, request.args, texts.USAGE_RECEIVED
        )
        event = MessageReceived(
            id=f"slack-{uuid.uuid4()}", case=number, employee=EmployeeRef(id=owner.id), at=at
        )
        applied = apply_event(
            session, services.policy, event, rules=_rules(services), actor=person.id
        )
        closed = session.get(Closing, number)
        after_closing = texts.received_after_closing(number) if closed is not None else ""
    if applied.first_due is None:
        return Reply(text=texts.received_recorded(number, None) + after_closing)
    due = applied.first_due.astimezone(ZoneInfo(owner.tz))
    overdue = applied.first_due <= services.clock()
    recorded = texts.received_recorded(number, texts.when(due), overdue=overdue)
    return Reply(text=recorded + after_closing)


async def replied_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm replied CASE [WHEN]`: record a reply, which stops the clock on the case."""
    with session_scope(services.engine) as session:
        person = access.actor(session, request.user_id)
        number, at, _owner = _case_and_when(
            services, session, person, request.args, texts.USAGE_REPLIED
        )
        event = MessageSent(
            id=f"slack-{uuid.uuid4()}", case=number, employee=EmployeeRef(id=person.id), at=at
        )
        applied = apply_event(
            session, services.policy, event, rules=_rules(services), actor=person.id
        )
    with Session(services.engine) as session:
        still = len(open_inbound(session, number))
    return Reply(text=texts.replied_recorded(number, len(applied.settled), still))


SUBCOMMANDS: dict[str, Subcommand] = {"received": received_command, "replied": replied_command}


def _message_for(session: Session, user_id: str, message_id: str) -> SecureMessage:
    """Return the message a button names, if this person may act on it."""
    person = access.actor(session, user_id)
    message = session.get(SecureMessage, message_id)
    if message is None:
        raise UserError(texts.UNKNOWN_MESSAGE)
    if not access.may_act_on(session, person, message.employee_id):
        raise UserError(texts.NOT_YOUR_MESSAGE)
    return message


def _settled_text(message: SecureMessage, person_tz: str) -> str | None:
    if message.settled_at is None:
        return None
    shown = texts.when(message.settled_at.astimezone(ZoneInfo(person_tz)))
    return texts.already_settled(message.settled_how or "", shown)


def mark_replied(services: Services, user_id: str, message_id: str) -> Reply:
    """Settle a message (and every earlier one on its case) as replied, now."""
    with session_scope(services.engine) as session:
        message = _message_for(session, user_id, message_id)
        person = access.actor(session, user_id)
        done = _settled_text(message, person.tz)
        if done is not None:
            return Reply(text=done)
        event = MessageSent(
            id=f"slack-{uuid.uuid4()}",
            case=message.case_number,
            employee=EmployeeRef(id=user_id),
            at=services.clock(),
        )
        apply_event(session, services.policy, event, rules=_rules(services), actor=user_id)
    return Reply(text=texts.REPLIED_DONE)


def mark_no_reply(services: Services, user_id: str, message_id: str, reason: str) -> Reply:
    """Settle one message as needing no reply, with the person's short reason."""
    with session_scope(services.engine) as session:
        message = _message_for(session, user_id, message_id)
        done = _settled_text(message, access.actor(session, user_id).tz)
        if done is not None:
            return Reply(text=done)
        tracking.settle(
            session, message, how="no_reply_needed", by=user_id, at=services.clock(), note=reason
        )
    logger.info("no reply needed message=%s by=%s", message_id, user_id)
    return Reply(text=texts.no_reply_recorded(reason))


def snooze(services: Services, user_id: str, value: str) -> Reply:
    """Postpone the next reminder of a message by the chosen working hours."""
    message_id, _, hours = value.rpartition("|")
    with session_scope(services.engine) as session:
        message = _message_for(session, user_id, message_id)
        person = access.actor(session, user_id)
        done = _settled_text(message, person.tz)
        if done is not None:
            return Reply(text=done)
        moved = tracking.snooze(
            session,
            services.policy,
            message=message,
            hours=int(hours or 0),
            by=user_id,
            at=services.clock(),
        )
        due = texts.when(moved.due_at.astimezone(ZoneInfo(person.tz)))
    return Reply(text=texts.snoozed(due))


def no_reply_problem(reason: str) -> str | None:
    """Return why a no-reply reason cannot be accepted, or None."""
    if not reason.strip():
        return texts.NO_REPLY_EMPTY
    if looks_like_taxpayer_id(reason):
        return texts.TAXPAYER_ID_REFUSED
    if len(reason) > REASON_LIMIT:
        return texts.reason_too_long(REASON_LIMIT)
    return None


def register(app: AsyncApp, services: Services) -> None:
    """Attach the reminder buttons and the no-reply dialog."""

    on_button(app, services, kit.ACTION_REPLIED, mark_replied)
    on_button(app, services, kit.ACTION_SNOOZE, snooze)

    @app.action(kit.ACTION_NO_REPLY)
    async def on_no_reply(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        async with services.work.track():
            await ack()
            await _open_no_reply_dialog(services, body, action["value"], respond, client)

    @app.view(kit.NO_REPLY_VIEW)
    async def on_no_reply_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        async with services.work.track():
            values = view["state"]["values"]
            reason = (values[kit.NO_REPLY_BLOCK][kit.NO_REPLY_INPUT].get("value") or "").strip()
            problem = no_reply_problem(reason)
            if problem is not None:
                await ack(response_action="errors", errors={kit.NO_REPLY_BLOCK: problem})
                return
            await ack()
            origin = _origin(view.get("private_metadata"))
            try:
                reply = mark_no_reply(
                    services, body["user"]["id"], origin.get("message", ""), reason
                )
            except UserError as error:
                reply = Reply(text=error.message)
            await _tell(client, body, origin, reply)
            services.changed(body["user"]["id"])


async def _open_no_reply_dialog(
    services: Services,
    body: dict[str, Any],
    message_id: str,
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> None:
    """Open the reason dialog at once (a trigger lives 3 s), unless nothing is left to do."""
    try:
        with Session(services.engine) as session:
            message = _message_for(session, body["user"]["id"], message_id)
            done = _settled_text(message, access.actor(session, body["user"]["id"]).tz)
    except UserError as error:
        done = error.message
    if done is not None:
        await respond_safely(respond, client, body, Reply(text=done), replace_original=False)
        return
    view = kit.no_reply_view(message_id, message.case_number)
    container = body.get("container", {})
    view["private_metadata"] = json.dumps(
        {"message": message_id, "channel": container.get("channel_id")}
    )
    await client.views_open(trigger_id=body["trigger_id"], view=view)


def _origin(metadata: str | None) -> dict[str, Any]:
    """Read the dialog's private metadata (ours, but it arrives over the wire)."""
    try:
        origin = json.loads(metadata or "{}")
    except ValueError:
        return {}
    return origin if isinstance(origin, dict) else {}


async def _tell(
    client: AsyncWebClient, body: dict[str, Any], origin: dict[str, Any], reply: Reply
) -> None:
    """Post the outcome of a dialog to the DM it came from."""
    channel = origin.get("channel") or body["user"]["id"]
    try:
        await client.chat_postMessage(channel=channel, text=reply.text)
    except Exception:
        logger.warning("could not post the dialog outcome %s", request_ids(body), exc_info=True)
