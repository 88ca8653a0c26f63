"""Serve a local stand-in for the Slack Web API so the bot runs with no Slack at all.

Tests, the offline console and the demo point slack-sdk's ``AsyncWebClient`` at
``SlackStandIn.api_url``. The stand-in keeps just enough state (messages, views,
a users directory) to answer like Slack, records every call it receives and can
be told to fail the next calls of a method the way Slack fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import WSMsgType, web

logger = logging.getLogger(__name__)

Args = dict[str, Any]
Handler = Callable[[Args], Args]
Subscriber = Callable[["Call"], None]

BOT_ID = "B0SMBOT"
APP_ID = "A0SMBOT"
FIRST_TS_MICROS = 1_700_000_000_000_100
TS_STEP_MICROS = 100
RESPONSE_URL_USES = 5
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata"})
MESSAGE_FIELDS = ("blocks", "attachments", "thread_ts", "metadata")
UPDATABLE_FIELDS = ("text", "blocks", "attachments", "metadata")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class Call:
    """One request the stand-in received and what it answered."""

    method: str
    args: Args
    at: datetime
    response: Args
    status: int

    @property
    def ok(self) -> bool:
        """Tell whether the call succeeded."""
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """Give the Slack error code of a failed call."""
        error = self.response.get("error")
        return str(error) if error is not None else None


@dataclass
class _Fault:
    error: str | None
    status: int
    retry_after: int | None
    delay: float

    @property
    def fails(self) -> bool:
        """Tell whether this fault answers with an error, not just late."""
        return self.error is not None or self.status != 200

    def body(self) -> Args:
        """Build the error body Slack would send for this fault."""
        default = "ratelimited" if self.status == 429 else "fatal_error"
        return {"ok": False, "error": self.error or default}

    def headers(self) -> dict[str, str]:
        """Give the Retry-After header when the fault carries one."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


@dataclass
class _ResponseTarget:
    channel: str | None
    ts: str | None
    uses: int = 0


class _SlackError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class SlackStandIn:
    """Answer Slack Web API and response_url calls from memory, recording each one."""

    def __init__(self, *, bot_user_id: str = "UBOT", team_id: str = "T0SM") -> None:
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        self.calls: list[Call] = []
        self.socket_connections = 0
        self.socket_acks: list[Args] = []
        self._sockets: list[web.WebSocketResponse] = []
        # Requests counted as they arrive, before any injected delay (calls are recorded after).
        self.arrivals: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._counter = 0
        self._messages: dict[tuple[str, str], Args] = {}
        self._views: dict[str, Args] = {}
        self._home_views: dict[str, str] = {}
        self._group_dms: dict[tuple[str, ...], str] = {}
        self._users: dict[str, Args] = {}
        self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
        self._response_urls: dict[str, _ResponseTarget] = {}
        self._responses: list[Args] = []
        self._subscribers: list[Subscriber] = []
        self._arrived = asyncio.Event()
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update_message,
            "chat.delete": self._delete_message,
            "conversations.open": self._open_conversation,
            "conversations.history": self._history,
            "apps.connections.open": self._open_socket_url,
            "users.info": self._user_info,
            "users.lookupByEmail": self._lookup_by_email,
            "views.open": self._open_view,
            "views.push": self._open_view,
            "views.update": self._update_view,
            "views.publish": self._publish_view,
        }

    # --- lifecycle --------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port; port 0 picks a free one."""
        if self._runner is not None:
            raise RuntimeError("the Slack stand-in is already running")
        app = web.Application()
        app.router.add_get("/api/{method}", self._serve_api)
        app.router.add_post("/api/{method}", self._serve_api)
        app.router.add_post("/respond/{n}", self._serve_response_url)
        app.router.add_get("/socket", self._serve_socket)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        public_host = "127.0.0.1" if host in ("", "0.0.0.0") else host
        self._base_url = f"http://{public_host}:{bound_port}"
        logger.info("Slack stand-in listening on %s", self._base_url)

    async def stop(self) -> None:
        """Stop serving; state and recorded calls stay readable."""
        if self._runner is None:
            return
        await self.socket_drop()
        await self._runner.cleanup()
        self._runner = None
        logger.info("Slack stand-in on %s stopped", self._base_url)

    async def __aenter__(self) -> SlackStandIn:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Give the server's root URL, e.g. http://127.0.0.1:54321."""
        if self._base_url is None:
            raise RuntimeError("the Slack stand-in has not been started")
        return self._base_url

    @property
    def api_url(self) -> str:
        """Give the Web API root in the form AsyncWebClient(base_url=...) wants."""
        return f"{self.base_url}/api/"

    # --- arranging state and faults ----------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        tz: str = "America/New_York",
        email: str | None = None,
        deleted: bool = False,
    ) -> None:
        """Put a person in the users directory that users.* answer from."""
        real = real_name or name
        profile: Args = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": name,
            "display_name_normalized": name,
            "team": self.team_id,
        }
        if email is not None:
            profile["email"] = email
        self._users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "real_name": real,
            **_tz_fields(tz),
            "is_bot": False,
            "is_app_user": False,
            "updated": FIRST_TS_MICROS // 1_000_000,
            "profile": profile,
        }

    def fail(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next `times` calls of a method fail (or, with only `delay`, answer late).

        A fault with an error or a non-200 status answers ``{"ok": false, "error": ...}``
        (default error ``ratelimited`` for 429, else ``fatal_error``) and changes nothing.
        A fault with only a delay sleeps and then answers normally, like a slow Slack.
        For "response_url" the error is sent as plain text, with status 400 if none given.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        self._faults[method].extend(
            _Fault(error, status, retry_after, delay) for _ in range(times)
        )

    def new_response_url(self, *, channel: str | None = None, ts: str | None = None) -> str:
        """Issue a response_url; given channel and ts, replace/delete_original act on it."""
        self._counter += 1
        url = f"{self.base_url}/respond/{self._counter}"
        self._response_urls[url] = _ResponseTarget(channel, ts)
        return url

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback` with each Call as it is recorded; return an unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    # --- reading state and recorded calls -------------------------------------------

    def messages(self, channel: str | None = None) -> list[Args]:
        """List the messages now in a channel (or all channels), oldest first."""
        return [
            {**copy.deepcopy(message), "channel": ch}
            for (ch, _), message in self._messages.items()
            if channel is None or ch == channel
        ]

    def home_view(self, user_id: str) -> Args | None:
        """Give the Home tab view last published for a user."""
        view_id = self._home_views.get(user_id)
        return copy.deepcopy(self._views[view_id]) if view_id else None

    @property
    def views(self) -> dict[str, Args]:
        """Map view id to the view as last opened, pushed, updated or published."""
        return copy.deepcopy(self._views)

    def responses(self, url: str | None = None) -> list[Args]:
        """List accepted response_url bodies (each with its "url"), optionally for one url."""
        return [body for body in self._responses if url is None or body["url"] == url]

    def calls_to(self, method: str) -> list[Call]:
        """List the recorded calls of one method, failed ones included."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed API; reads best in tests
    ) -> list[Call]:
        """Wait until `count` calls of a method have been recorded and return them all."""
        try:
            async with asyncio.timeout(timeout):
                while len(self.calls_to(method)) < count:
                    await self._arrived.wait()
        except TimeoutError:
            raise TimeoutError(self._timeout_message(method, count, timeout)) from None
        return self.calls_to(method)

    def clear(self) -> None:
        """Forget recorded calls and responses; messages, views, users and faults stay."""
        self.calls.clear()
        self._responses.clear()

    def _timeout_message(self, method: str, count: int, timeout: float) -> str:
        arrived = ", ".join(
            call.method if call.ok else f"{call.method} ({call.error})" for call in self.calls
        )
        return (
            f"expected {count} call(s) to {method} within {timeout}s, "
            f"got {len(self.calls_to(method))}; calls received: {arrived or 'none'}"
        )

    def _record(self, method: str, args: Args, response: Args, status: int) -> None:
        call = Call(method, args, datetime.now(UTC), response, status)
        self.calls.append(call)
        logger.debug("stand-in %s -> %s %s", method, status, call.error or "ok")
        for callback in list(self._subscribers):
            try:
                callback(call)
            except Exception:
                logger.exception("stand-in subscriber %r failed on %s", callback, method)
        arrived, self._arrived = self._arrived, asyncio.Event()
        arrived.set()

    # --- HTTP -----------------------------------------------------------------------

    async def _serve_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.arrivals[method] += 1
        args = await _read_args(request)
        token = _bearer_token(request) or args.pop("token", None)
        status, body, headers = await self._answer_api(method, args, token)
        self._record(method, args, body, status)
        return web.json_response(body, status=status, headers=headers)

    async def _answer_api(
        self, method: str, args: Args, token: str | None
    ) -> tuple[int, Args, dict[str, str]]:
        fault = await self._take_fault(method)
        if fault is not None and fault.fails:
            return fault.status, fault.body(), fault.headers()
        try:
            handler = self._handlers.get(method)
            if handler is None:
                raise _SlackError("unknown_method")
            _check_token(token)
            return 200, {"ok": True, **handler(args)}, {}
        except _SlackError as exc:
            return 200, {"ok": False, "error": exc.error}, {}

    async def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue.popleft()
        if fault.delay:
            await asyncio.sleep(fault.delay)
        return fault

    async def _serve_response_url(self, request: web.Request) -> web.Response:
        url = f"{self.base_url}/respond/{request.match_info['n']}"
        try:
            body = await request.json()
        except ValueError:
            body = None
        args: Args = {**body, "url": url} if isinstance(body, dict) else {"url": url}
        status, error = await self._answer_response_url(url, args, body)
        response: Args = {"ok": True} if error is None else {"ok": False, "error": error}
        self._record("response_url", args, response, status)
        return web.Response(status=status, text=error or "ok")

    async def _answer_response_url(
        self, url: str, args: Args, body: object
    ) -> tuple[int, str | None]:
        fault = await self._take_fault("response_url")
        if fault is not None and fault.fails:
            return (400 if fault.status == 200 else fault.status), str(fault.body()["error"])
        target = self._response_urls.get(url)
        if target is None:
            return 404, "expired_url"
        if target.uses >= RESPONSE_URL_USES:
            return 404, "used_url"
        if not isinstance(body, dict):
            return 400, "invalid_payload"
        if not (body.get("delete_original") or body.get("text") or body.get("blocks")):
            return 400, "no_text"
        target.uses += 1
        self._apply_response(target, body)
        self._responses.append(args)
        return 200, None

    def _apply_response(self, target: _ResponseTarget, body: Args) -> None:
        key = (target.channel or "", target.ts or "")
        message = self._messages.get(key)
        if message is None:
            return
        if body.get("delete_original"):
            del self._messages[key]
        elif body.get("replace_original"):
            message["text"] = body.get("text", "")
            message.pop("blocks", None)
            if "blocks" in body:
                message["blocks"] = body["blocks"]

    # --- Web API methods ---------------------------------------------------------------

    def _auth_test(self, args: Args) -> Args:
        return {
            "url": "https://smbot-standin.slack.com/",
            "team": "Secure Messaging stand-in",
            "user": "smbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, args: Args) -> Args:
        channel = self._writable_channel(args)
        message = self._new_message(args)
        self._messages[(channel, message["ts"])] = message
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _post_ephemeral(self, args: Args) -> Args:
        self._writable_channel(args)
        if not args.get("user"):
            raise _SlackError("user_not_in_channel")
        return {"message_ts": self._new_message(args)["ts"]}

    def _update_message(self, args: Args) -> Args:
        channel, ts = self._existing_message(args)
        _check_blocks(args)
        message = self._messages[(channel, ts)]
        for key in UPDATABLE_FIELDS:
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        reply = copy.deepcopy(message)
        return {"channel": channel, "ts": ts, "text": message["text"], "message": reply}

    def _delete_message(self, args: Args) -> Args:
        channel, ts = self._existing_message(args)
        del self._messages[(channel, ts)]
        return {"channel": channel, "ts": ts}

    def _open_conversation(self, args: Args) -> Args:
        if args.get("channel"):
            return {"channel": {"id": str(args["channel"])}}
        users = _user_list(args.get("users"))
        if not users:
            raise _SlackError("users_list_not_supplied")
        if len(users) == 1:
            return {"channel": {"id": f"D{users[0]}"}}
        group = self._group_dms.setdefault(users, f"G0SM{len(self._group_dms) + 1:05d}")
        return {"channel": {"id": group}}

    def _open_socket_url(self, args: Args) -> Args:
        return {"url": f"{self.base_url.replace('http://', 'ws://')}/socket"}

    async def _serve_socket(self, request: web.Request) -> web.WebSocketResponse:
        """Play Slack's Socket Mode server: say hello, record acks, push envelopes."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.socket_connections += 1
        self._sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}}
        )
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(frame.data))
        self._sockets.remove(socket)
        return socket

    async def socket_send(self, envelope: Args) -> None:
        """Push a Socket Mode envelope to the connected app."""
        await self._sockets[-1].send_json(envelope)

    async def socket_drop(self) -> None:
        """Close every Socket Mode connection, as Slack does when it refreshes them."""
        for socket in list(self._sockets):
            await socket.close()

    def _history(self, args: Args) -> Args:
        channel = _channel_id(args)
        posted = [m for (ch, _ts), m in self._messages.items() if ch == channel]
        posted.sort(key=lambda message: message["ts"], reverse=True)
        limit = int(args.get("limit") or 100)
        return {"messages": copy.deepcopy(posted[:limit]), "has_more": len(posted) > limit}

    def _user_info(self, args: Args) -> Args:
        user = self._users.get(str(args.get("user", "")))
        if user is None:
            raise _SlackError("user_not_found")
        return {"user": copy.deepcopy(user)}

    def _lookup_by_email(self, args: Args) -> Args:
        email = str(args.get("email", "")).lower()
        for user in self._users.values():
            if email and str(user["profile"].get("email", "")).lower() == email:
                return {"user": copy.deepcopy(user)}
        raise _SlackError("users_not_found")

    def _open_view(self, args: Args) -> Args:
        if not args.get("trigger_id"):
            raise _SlackError("invalid_arguments")
        view = self._store_view(_view_arg(args))
        return {"view": copy.deepcopy(view)}

    def _update_view(self, args: Args) -> Args:
        old = self._find_view(args)
        _check_hash(args, old)
        view = self._store_view(_view_arg(args), old)
        return {"view": copy.deepcopy(view)}

    def _publish_view(self, args: Args) -> Args:
        user_id = str(args.get("user_id", ""))
        view = _view_arg(args)
        if not user_id or view.get("type") != "home":
            raise _SlackError("invalid_arguments")
        old = self._views.get(self._home_views.get(user_id, ""))
        _check_hash(args, old)
        stored = self._store_view(view, old)
        self._home_views[user_id] = stored["id"]
        return {"view": copy.deepcopy(stored)}

    # --- state helpers -------------------------------------------------------------------

    def _next_ts(self) -> str:
        self._counter += 1
        micros = FIRST_TS_MICROS + (self._counter - 1) * TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _writable_channel(self, args: Args) -> str:
        channel = _channel_id(args)
        if not channel:
            raise _SlackError("channel_not_found")
        user = self._users.get(channel[1:]) if channel.startswith("D") else None
        if user is not None and user["deleted"]:
            raise _SlackError("account_inactive")
        return channel

    def _new_message(self, args: Args) -> Args:
        _check_blocks(args)
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise _SlackError("no_text")
        message: Args = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
            "ts": self._next_ts(),
            "text": str(args.get("text", "")),
        }
        message.update({key: args[key] for key in MESSAGE_FIELDS if key in args})
        return message

    def _existing_message(self, args: Args) -> tuple[str, str]:
        channel, ts = _channel_id(args), str(args.get("ts", ""))
        if (channel, ts) not in self._messages:
            raise _SlackError("message_not_found")
        return channel, ts

    def _find_view(self, args: Args) -> Args:
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        for view in self._views.values():
            if (view_id and view["id"] == view_id) or (
                external_id and view.get("external_id") == external_id
            ):
                return view
        raise _SlackError("not_found")

    def _store_view(self, view: Args, old: Args | None = None) -> Args:
        self._counter += 1
        view_id = old["id"] if old else f"V0SM{self._counter:05d}"
        stored = {
            "external_id": "",
            "callback_id": "",
            "private_metadata": "",
            "submit": None,
            "close": None,
            "clear_on_close": False,
            "notify_on_close": False,
            **copy.deepcopy(view),
            "id": view_id,
            "team_id": self.team_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "state": {"values": {}},
            "hash": f"{FIRST_TS_MICROS // 1_000_000}.{self._counter:08d}",
            "root_view_id": old["root_view_id"] if old else view_id,
            "previous_view_id": None,
        }
        self._views[view_id] = stored
        return stored


# --- request parsing and checks -----------------------------------------------------


async def _read_args(request: web.Request) -> Args:
    """Merge query string and body (JSON or form) into one dict, decoding JSON fields."""
    args: Args = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            args.update(body)
    elif request.content_type in FORM_TYPES:
        form = await request.post()
        args.update({key: value for key, value in form.items() if isinstance(value, str)})
    for key in JSON_FIELDS & args.keys():
        if isinstance(args[key], str):
            # Undecodable text stays a string; the method then answers Slack's format error.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


def _bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _check_token(token: str | None) -> None:
    if not token:
        raise _SlackError("not_authed")
    if not token.startswith(("xox", "xapp-")):  # bot and user tokens; app-level tokens
        raise _SlackError("invalid_auth")


def _check_blocks(args: Args) -> None:
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        raise _SlackError("invalid_blocks_format")
    if blocks is not None and not isinstance(blocks, list):
        raise _SlackError("invalid_blocks")


def _check_hash(args: Args, view: Args | None) -> None:
    if args.get("hash") and view is not None and args["hash"] != view["hash"]:
        raise _SlackError("hash_conflict")


def _view_arg(args: Args) -> Args:
    view = args.get("view")
    if not isinstance(view, dict):
        raise _SlackError("invalid_arguments")
    return view


def _user_list(users: object) -> tuple[str, ...]:
    names = users if isinstance(users, list) else str(users or "").split(",")
    return tuple(sorted({str(name).strip() for name in names if str(name).strip()}))


def _channel_id(args: Args) -> str:
    """Read the channel argument; a user id means the bot's DM with that user, as in Slack."""
    channel = str(args.get("channel", ""))
    return f"D{channel}" if channel[:1] in ("U", "W") else channel


def _tz_fields(tz: str) -> Args:
    try:
        now = datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r for a stand-in user; using UTC offsets", tz)
        now = datetime.now(UTC)
    offset = now.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    return {"tz": tz, "tz_label": now.tzname() or tz, "tz_offset": seconds}
