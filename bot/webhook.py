"""`POST /events`: the signed webhook other systems use to report secure messages."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from aiohttp import web

from bot.services import Services, case_rules
from models.db import session_scope
from models.errors import UserError
from reminders.events import EmployeeEvent, Event, EventRejected, parse_event_json
from reminders.intake import apply_event, first_time, refuse_replay_only

Handler = Callable[[web.Request], Awaitable[web.Response]]

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-SM-Timestamp"
SIGNATURE_HEADER = "X-SM-Signature"
MAX_AGE_SECONDS = 5 * 60


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature header value for a body: `v1=` and the HMAC-SHA256 hex digest."""
    base = b"v1:" + timestamp.encode() + b":" + body
    return "v1=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signature_problem(
    secret: str, request: web.Request, body: bytes, now: float | None = None
) -> str | None:
    """Return why the request's signature is not acceptable, or None when it is."""
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not timestamp or not signature:
        return f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header"
    fresh = timestamp.isascii() and timestamp.isdigit()  # "²".isdigit() is true, int() fails
    if not fresh or abs((now or time.time()) - int(timestamp)) > MAX_AGE_SECONDS:
        return "stale or malformed timestamp; sign each request when it is sent"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode()):
        return "bad signature"
    return None


MAX_WEBHOOK_BYTES = 64 * 1024
LIVE_PAST = timedelta(days=60)
LIVE_FUTURE = timedelta(minutes=10)


def events_endpoint(services: Services) -> Handler:
    """Build the `POST /events` handler: verify, validate, apply, answer 202."""

    async def handle(request: web.Request) -> web.Response:
        secret = services.settings.sm_webhook_secret
        if secret is None:
            return _answer(503, "the webhook is off: set SM_WEBHOOK_SECRET to turn it on")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _answer(413, f"the body is over {MAX_WEBHOOK_BYTES // 1024} KB; send one event")
        problem = signature_problem(secret.get_secret_value(), request, body)
        if problem is not None:
            logger.warning("webhook refused status=401 reason=%s", problem)
            return _answer(401, problem)
        loop = asyncio.get_running_loop()
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        response, person = await loop.run_in_executor(
            services.intake, _apply, services, timestamp, body
        )
        services.changed(person)
        return response

    return handle


def _apply(services: Services, timestamp: str, body: bytes) -> tuple[web.Response, str | None]:
    """Validate and apply one event; return the answer and whose items it changed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _answer(400, "the body is not UTF-8 text; send the event as UTF-8 JSON"), None
    try:
        event = parse_event_json(text)
        refuse_out_of_band(event, services.clock())
        with session_scope(services.engine) as session:
            # A signed request sent again (within the signature's 5 minutes) is a repeat.
            # An event with an id of its own is caught by that id; the others (employee
            # updates, first contacts, closings…) are remembered by the signed request,
            # so the list of what was seen grows only with those.
            once = isinstance(event, EmployeeEvent) or event.id is None
            if once and not first_time(session, _request_key(timestamp, body)):
                return web.json_response({"ok": True, "duplicate": True}, status=200), None
            applied = apply_event(
                session, services.policy, event, rules=case_rules(services.settings)
            )
    except EventRejected as error:
        logger.info("webhook refused status=%s", error.status)
        return _answer(error.status, error.message), None
    except UserError as error:
        return _answer(422, error.message), None
    if applied.duplicate:
        return web.json_response({"ok": True, "duplicate": True}, status=200), None
    logger.debug("webhook applied type=%s id=%s", event.type, event.id)
    person = getattr(getattr(event, "employee", None), "id", None)
    return web.json_response({"ok": True}, status=202), person


def _request_key(timestamp: str, body: bytes) -> str:
    """Name a signed request (its timestamp and body) for the store's list of what was
    seen, in 64 characters."""
    signed = timestamp.encode() + b":" + body
    return "request:" + hashlib.sha256(signed).hexdigest()[:56]


def refuse_out_of_band(event: Event, now: datetime) -> None:
    """Refuse what only a replay file may hold, and times no live system would send."""
    refuse_replay_only(event)
    if event.at is not None and not now - LIVE_PAST <= event.at <= now + LIVE_FUTURE:
        raise EventRejected(
            "field 'at': too far from now for a live event; backfill older events with "
            "`smbot import events FILE`",
            422,
        )


def _answer(status: int, reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status)
