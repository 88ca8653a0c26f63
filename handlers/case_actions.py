"""Case actions from chat: CAR entries, initial contact, TFA and POA checklists, closing."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session

from bot import blocks as kit
from bot import texts
from bot.errors import UserError
from bot.guard import looks_like_taxpayer_id
from bot.notices import checklist_message
from bot.services import Services, case_rules
from handlers.case_view import case_summary
from handlers.commands import CommandRequest, Subcommand
from handlers.replies import Reply, on_button, request_ids, respond_safely
from models import access
from models.db import session_scope
from models.tables import CarPrompt, Case, Checklist, Closing, Employee
from reminders import case_actions
from reminders.events import ContactInitial, EmployeeRef, SmDiscontinued
from reminders.intake import apply_event, known_case
from reminders.when import parse_case_number, parse_when

logger = logging.getLogger(__name__)

CLOSING_NOTE_LIMIT = 500  # what the store keeps of a closing note


def _case_of(services: Services, session: Session, person: Employee, word: str) -> Case:
    """Return a known case this person may act on."""
    settings = services.settings
    number = parse_case_number(
        word, settings.case_number_pattern, example=settings.case_number_example
    )
    case = known_case_or_user_error(session, number)
    access.require_case_access(session, person, case)
    return case


def known_case_or_user_error(session: Session, number: str) -> Case:
    """Return the case, or refuse with what to do first."""
    case = session.get(Case, number)
    if case is None:
        raise UserError(
            f"I don't know case {number} yet. Record its first contact "
            f"(`/sm contact {number} phone`) or a secure message (`/sm received {number}`) first."
        )
    return case


def _split(args: str, usage: str) -> list[str]:
    words = args.split()
    if not words:
        raise UserError(usage)
    return words


async def contact_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm contact CASE phone|letter [resolved] [WHEN]`."""
    words = _split(request.args, texts.USAGE_CONTACT)
    method = words[1].lower() if len(words) > 1 else ""
    if method not in ("phone", "letter"):
        raise UserError(texts.USAGE_CONTACT)
    resolved = len(words) > 2 and words[2].lower() == "resolved"
    when_text = " ".join(words[3 if resolved else 2 :])
    with session_scope(services.engine) as session:
        person = access.actor(session, request.user_id)
        number, owner = _case_for_new_fact(services, session, person, words[0])
        event = ContactInitial(
            case=number,
            employee=EmployeeRef(id=owner.id),
            method=method,
            resolved=resolved,
            at=parse_when(when_text, now=services.clock(), tz=ZoneInfo(person.tz)),
        )
        apply_event(
            session,
            services.policy,
            event,
            rules=case_rules(services.settings),
            actor=person.id,
        )
    if method == "letter":
        return Reply(text=f"{texts.contact_recorded(number, 'letter')} {texts.LETTER_CONTACT}")
    return Reply(text=texts.contact_recorded(number, "phone") + " " + texts.CAR_PROMPT_COMING)


def _case_for_new_fact(
    services: Services, session: Session, person: Employee, word: str
) -> tuple[str, Employee]:
    """Check a case number that may be new; return it and the ATE who owns it."""
    settings = services.settings
    number = parse_case_number(
        word, settings.case_number_pattern, example=settings.case_number_example
    )
    case = session.get(Case, number)
    if case is None:
        access.require_may_open_case(person, number)
        return number, person
    access.require_case_access(session, person, case)
    return number, session.get(Employee, case.owner_id) or person


async def discontinued_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm discontinued CASE [WHEN]`: the taxpayer asked to stop using Secure Messaging."""
    words = _split(request.args, texts.USAGE_DISCONTINUED)
    with session_scope(services.engine) as session:
        person = access.actor(session, request.user_id)
        case = _case_of(services, session, person, words[0])
        event = SmDiscontinued(
            case=case.number,
            employee=EmployeeRef(id=person.id),
            at=parse_when(" ".join(words[1:]), now=services.clock(), tz=ZoneInfo(person.tz)),
        )
        applied = apply_event(
            session,
            services.policy,
            event,
            rules=case_rules(services.settings),
            actor=person.id,
        )
    if applied.code is None:
        return Reply(text=texts.discontinued_already(case.number))
    return Reply(text=texts.discontinued_recorded(case.number))


async def checklist_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm tfa CASE` and `/sm poa CASE`: post the checklist in a DM, kept up to date."""
    words = _split(request.args, texts.USAGE_CHECKLIST)
    kind = request.subcommand
    with session_scope(services.engine) as session:
        person = access.actor(session, request.user_id)
        case = _case_of(services, session, person, words[0])
        owner = session.get(Employee, case.owner_id) or person
        checklist = case_actions.open_checklist(
            session, services.policy, case, kind, owner, services.clock(), by=person.id
        )
        text, blocks = checklist_message(session, checklist, person.tz)
        checklist_id = checklist.id
    if request.client is None:
        return Reply(text=text, blocks=blocks)
    posted = await request.client.chat_postMessage(
        channel=request.user_id, text=text, blocks=blocks
    )
    with session_scope(services.engine) as session:
        stored = session.get(Checklist, checklist_id)
        if stored is not None:
            stored.channel, stored.ts = str(posted["channel"]), str(posted["ts"])
            session.add(stored)
    return Reply(text=texts.checklist_sent(texts.CHECKLIST_TITLES[kind], case.number))


async def case_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm case CASE` (everything known) or `/sm case CASE origin ORIGIN [bmf]`."""
    words = _split(request.args, texts.USAGE_CASE)
    with session_scope(services.engine) as session:
        person = access.actor(session, request.user_id)
        case = _case_of(services, session, person, words[0])
        if len(words) == 1:
            return case_summary(session, case, person.tz)
        if words[1].lower() != "origin" or len(words) < 3:
            raise UserError(texts.USAGE_CASE)
        origin = words[2].lower().replace("&", "").replace("/", "")
        if origin not in texts.ORIGIN_NAMES:
            raise UserError(texts.USAGE_CASE)
        business = any(w.lower() in ("bmf", "business") for w in words[3:])
        hint = case_actions.set_origin(
            session, case, origin, business, by=person.id, at=services.clock()
        )
    answer = texts.origin_recorded(case.number, origin, business)
    return Reply(text=f"{answer}\n{texts.GROUP_MAILBOX_HINT}" if hint else answer)


async def close_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm close CASE`: open the closing-export dialog at once."""
    words = _split(request.args, texts.USAGE_CLOSE)
    with session_scope(services.engine) as session:
        person = access.actor(session, request.user_id)
        case = _case_of(services, session, person, words[0])
        done = _closing_done_text(session, case.number, person.tz)
        view = (
            None
            if done
            else kit.closing_view(case.number, case_actions.closing_warnings(session, case))
        )
    if done or view is None:
        return Reply(text=done or "")
    if request.client is None or request.trigger_id is None:
        raise UserError(texts.USAGE_CLOSE)
    await request.client.views_open(trigger_id=request.trigger_id, view=view)
    return Reply(text="")


def _closing_done_text(session: Session, number: str, tz: str) -> str | None:
    closing = session.get(Closing, number)
    if closing is None:
        return None
    who = session.get(Employee, closing.confirmed_by)
    when_text = texts.when(closing.confirmed_at.astimezone(ZoneInfo(tz)))
    return texts.closing_already(number, who.name if who else closing.confirmed_by, when_text)


SUBCOMMANDS: dict[str, Subcommand] = {
    "contact": contact_command,
    "discontinued": discontinued_command,
    "tfa": checklist_command,
    "poa": checklist_command,
    "case": case_command,
    "close": close_command,
}


def record_car(services: Services, user_id: str, value: str) -> Reply:
    """Store a *Recorded in CAR* click (who, when); a second click changes nothing."""
    with session_scope(services.engine) as session:
        person = access.actor(session, user_id)
        prompt = session.get(CarPrompt, int(value)) if value.isdigit() else None
        if prompt is None:
            raise UserError(texts.UNKNOWN_MESSAGE)
        if not access.may_act_on(session, person, prompt.employee_id):
            raise UserError(texts.NOT_YOUR_MESSAGE)
        if prompt.confirmed_at is not None:
            shown = texts.when(prompt.confirmed_at.astimezone(ZoneInfo(person.tz)))
            return Reply(text=texts.car_already(prompt.code, shown))
        case_actions.confirm_car(session, prompt, person.id, services.clock())
        shown = texts.when(services.clock().astimezone(ZoneInfo(person.tz)))
    return Reply(text=texts.car_recorded(prompt.code, shown))


def tick_step(services: Services, user_id: str, value: str) -> tuple[Reply, Checklist]:
    """Tick a checklist step; return the answer and the checklist as it now stands."""
    checklist_id, _, step = value.partition(":")
    with session_scope(services.engine) as session:
        person = access.actor(session, user_id)
        checklist = session.get(Checklist, int(checklist_id)) if checklist_id.isdigit() else None
        if checklist is None:
            raise UserError(texts.UNKNOWN_MESSAGE)
        if not access.may_act_on(session, person, checklist.employee_id):
            raise UserError(texts.NOT_YOUR_MESSAGE)
        ticked = case_actions.tick(
            session, services.policy, checklist, step, person.id, services.clock()
        )
        done = case_actions.steps_done(session, checklist).get(step)
    if ticked or done is None:
        return Reply(text=""), checklist
    shown = texts.when(done.done_at.astimezone(ZoneInfo(person.tz)))
    return Reply(text=texts.checklist_step_already(shown)), checklist


def closing_problems(values: dict[str, Any]) -> dict[str, str]:
    """Return an error per unticked item (and for a note holding taxpayer data)."""
    errors = {}
    for item in texts.CLOSING_ITEMS:
        picked = values.get(item, {}).get(f"{item}_input", {}).get("selected_options") or []
        if not picked:
            errors[item] = texts.CLOSING_ITEM_MISSING
    note = _note(values)
    if note and looks_like_taxpayer_id(note):
        errors[kit.CLOSING_NOTE_BLOCK] = texts.TAXPAYER_ID_REFUSED
    elif note and len(note) > CLOSING_NOTE_LIMIT:  # the dialog says so too; a client may not
        errors[kit.CLOSING_NOTE_BLOCK] = texts.note_too_long(CLOSING_NOTE_LIMIT)
    return errors


def _note(values: dict[str, Any]) -> str | None:
    raw = values.get(kit.CLOSING_NOTE_BLOCK, {}).get(kit.CLOSING_NOTE_INPUT, {}).get("value")
    return (raw or "").strip() or None


def confirm_closing(services: Services, user_id: str, number: str, note: str | None) -> Reply:
    """Store the closing confirmation once; a repeat answers with who confirmed it."""
    with session_scope(services.engine) as session:
        person = access.actor(session, user_id)
        case = known_case(session, number)
        access.require_case_access(session, person, case)
        done = _closing_done_text(session, number, person.tz)
        if done:
            return Reply(text=done)
        items = case_actions.ClosingItems(True, True, True, note)
        case_actions.confirm_closing(session, case, items, person.id, services.clock())
        shown = texts.when(services.clock().astimezone(ZoneInfo(person.tz)))
    return Reply(text=texts.closing_confirmed(number, shown))


def register(app: AsyncApp, services: Services) -> None:
    """Attach the CAR, checklist and closing listeners."""

    on_button(app, services, kit.ACTION_CAR_RECORDED, record_car)

    @app.action(kit.ACTION_STEP_DONE)
    async def on_step_done(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        async with services.work.track():
            await ack()
            await _step_done(services, body, str(action.get("value", "")), respond, client)
            services.changed(body["user"]["id"])

    @app.action(kit.ACTION_OPEN_CLOSING)
    async def on_open_closing(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        async with services.work.track():
            await ack()
            request = CommandRequest(
                body["user"]["id"],
                "",
                "close",
                str(action.get("value", "")),
                body.get("trigger_id"),
                client,
            )
            try:
                reply = await close_command(services, request)
            except UserError as error:
                reply = Reply(text=error.message)
            if reply.text:
                await respond_safely(respond, client, body, reply, replace_original=False)

    @app.view(kit.CLOSING_VIEW)
    async def on_closing_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        async with services.work.track():
            values = view["state"]["values"]
            errors = closing_problems(values)
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            await ack()
            user = body["user"]["id"]
            try:
                reply = confirm_closing(
                    services, user, view.get("private_metadata", ""), _note(values)
                )
            except UserError as error:
                reply = Reply(text=error.message)
            await _dm(client, body, user, reply)
            services.changed(user)


async def _step_done(
    services: Services,
    body: dict[str, Any],
    value: str,
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> None:
    """Tick a step, then bring the checklist message up to date where it was posted."""
    try:
        reply, checklist = tick_step(services, body["user"]["id"], value)
    except UserError as error:
        await respond_safely(
            respond, client, body, Reply(text=error.message), replace_original=False
        )
        return
    with Session(services.engine) as session:
        person = session.get(Employee, body["user"]["id"])
        fresh = session.get(Checklist, checklist.id)
        assert fresh is not None
        text, blocks = checklist_message(session, fresh, person.tz if person else "UTC")
    clicked_ts = (body.get("container") or {}).get("message_ts")
    if fresh.channel and fresh.ts:
        await _update(client, body, fresh.channel, fresh.ts, text, blocks)
    # A click on an older copy of the checklist gets the current one; a click on the Home
    # tab needs nothing more (the tab is republished, the DM copy was just updated).
    if reply.text or (clicked_ts is not None and clicked_ts != fresh.ts):
        shown = Reply(text=reply.text or text, blocks=[] if reply.text else blocks)
        await respond_safely(respond, client, body, shown, replace_original=False)


async def _update(
    client: AsyncWebClient,
    body: dict[str, Any],
    channel: str,
    ts: str,
    text: str,
    blocks: list[dict[str, Any]],
) -> None:
    try:
        await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as error:
        logger.warning(
            "checklist update failed error=%s %s", error.response.get("error"), request_ids(body)
        )


async def _dm(client: AsyncWebClient, body: dict[str, Any], user: str, reply: Reply) -> None:
    try:
        await client.chat_postMessage(channel=user, text=reply.text)
    except SlackApiError as error:
        logger.warning(
            "could not post to the user error=%s %s",
            error.response.get("error"),
            request_ids(body),
        )
