"""Run the real app with no Slack and no server: the stand-in plus signed, dispatched requests.

The console, the demo and the tests drive the bot through this harness, so
they exercise the same listeners, signature check and Web API calls as
production.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from pydantic import SecretStr
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import payloads
from bot.app import create_app
from bot.delivery import make_sweeper
from bot.render import Choice, Option
from bot.sample import OFFICE, Person
from bot.services import Services, case_rules
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.standin import Call, SlackStandIn
from models.db import make_engine, session_scope, utcnow
from models.migrate import upgrade
from models.store import upsert_employee
from models.tables import Employee
from reminders.events import parse_event
from reminders.intake import Applied, apply_event
from reminders.sweep import SimulatedClock, Sweeper, deliver_until

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
BOT_TOKEN = "xoxb-offline"


class OfflineBot:
    """The bot wired to a local Slack stand-in, driven by signed requests."""

    def __init__(
        self,
        database_url: str,
        *,
        clock: Callable[[], datetime] = utcnow,
        settings: Settings | None = None,
    ) -> None:
        self.secret = secrets.token_hex(16)
        self.settings = (settings or Settings()).model_copy(
            update={"database_url": database_url, "slack_signing_secret": None}
        )
        self.slack = SlackStandIn()
        self.clock = clock
        self.services: Services | None = None
        self.app: AsyncApp | None = None
        self.sweeper: Sweeper | None = None
        self.last_response: BoltResponse | None = None

    async def __aenter__(self) -> OfflineBot:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the stand-in, upgrade the store and build the app."""
        await self.slack.start()
        engine = make_engine(self.settings.database_url)
        await asyncio.to_thread(upgrade, engine)
        settings = self.settings.model_copy(
            update={"slack_signing_secret": SecretStr(self.secret)}
        )
        self.services = Services.create(settings, engine, clock=self.clock)
        client = make_web_client(BOT_TOKEN, self.slack.api_url)
        self.app = create_app(self.services, client=client)
        self.sweeper = make_sweeper(self.services, client)

    async def stop(self) -> None:
        """Wait for work in flight, then stop the stand-in and release the store."""
        if self.services is not None:
            await self.settle()
            self.services.engine.dispose()
        await self.slack.stop()

    def seed(self, people: Sequence[Person] = OFFICE) -> None:
        """Put the sample office on the roster and in the stand-in's user directory."""
        assert self.services is not None
        with session_scope(self.services.engine) as session:
            for person in people:
                self.slack.add_user(person.id, name=person.name, tz=person.tz)
                upsert_employee(
                    session,
                    Employee(
                        id=person.id,
                        name=person.name,
                        role=person.role,
                        manager_id=person.manager_id,
                        tz=person.tz,
                        egain=person.egain,
                        job_series=person.job_series,
                        access_granted_on=person.access_on,
                        user_training_on=person.trained_on,
                        supervisor_training_on=person.trained_on if person.role != "ate" else None,
                    ),
                )

    async def sweep(self, until: datetime | None = None) -> list[Call]:
        """Deliver what is due (up to `until` on a simulated clock); return the calls made."""
        assert self.sweeper is not None
        mark = len(self.slack.calls)
        if isinstance(self.clock, SimulatedClock) and until is not None:
            await deliver_until(self.sweeper, self.clock, until)
        else:
            await self.sweeper.run_once()
        return self.slack.calls[mark:]

    def platform_event(self, event: dict[str, Any]) -> Applied:
        """Apply an event as the Secure Messaging platform's webhook would deliver it."""
        assert self.services is not None
        parsed = parse_event(event)
        with session_scope(self.services.engine) as session:
            return apply_event(
                session, self.services.policy, parsed, rules=case_rules(self.services.settings)
            )

    async def dispatch(self, body: str, content_type: str) -> BoltResponse:
        """Sign a body as Slack would and hand it to the app."""
        assert self.app is not None
        headers: dict[str, str | Sequence[str]] = {
            **payloads.signed_headers(self.secret, body, content_type)
        }
        return await self.app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))

    async def settle(self) -> None:
        """Wait until the listeners have finished what they do after their ack."""
        assert self.services is not None
        for _ in range(3):
            await asyncio.sleep(0.02)
            await self.services.work.idle()

    async def _exchange(self, body: str, content_type: str) -> list[Call]:
        mark = len(self.slack.calls)
        response = await self.dispatch(body, content_type)
        self.last_response = response
        if response.status != 200:
            raise RuntimeError(f"the app answered {response.status}: {response.body}")
        await self.settle()
        return self.slack.calls[mark:]

    async def slash(self, user_id: str, text: str) -> list[Call]:
        """Run `/sm TEXT` as this person; return the Web API calls it caused."""
        url = self.slack.new_response_url()
        return await self._exchange(payloads.slash_command(user_id, text, response_url=url), FORM)

    async def direct_message(self, user_id: str, text: str) -> list[Call]:
        """Send the bot a DM as this person."""
        return await self._exchange(payloads.direct_message(user_id, text), JSON)

    async def mention(self, user_id: str, text: str) -> list[Call]:
        """Mention the bot in a channel as this person."""
        return await self._exchange(payloads.mention(user_id, text), JSON)

    async def click(
        self, user_id: str, choice: Choice, origin: Call, option: Option | None = None
    ) -> list[Call]:
        """Click a button (or pick `option` of a menu) on the message `origin` delivered."""
        action: dict[str, Any] = {"action_id": choice.action_id, "block_id": choice.block_id}
        if option is None:
            action.update(value=choice.value, text={"type": "plain_text", "text": choice.label})
        else:
            action.update(
                type="static_select",
                selected_option={
                    "text": {"type": "plain_text", "text": option.label},
                    "value": option.value,
                },
            )
        channel, ts = _where(origin, user_id)
        message: dict[str, Any] | None = None
        if ts is not None:
            message = {
                "ts": ts,
                "text": origin.args.get("text"),
                "blocks": origin.args.get("blocks"),
            }
        body = payloads.block_action(
            user_id,
            action,
            response_url=self.slack.new_response_url(),
            channel_id=channel,
            message_ts=ts,
            message=message,
            view=origin.response.get("view") if origin.method == "views.publish" else None,
        )
        return await self._exchange(body, FORM)

    async def submit(self, user_id: str, opened: Call, values: payloads.FormValues) -> list[Call]:
        """Submit the modal that `opened` (a views.open call) showed, with these inputs."""
        view = {**opened.args["view"], "id": opened.response.get("view", {}).get("id", "V0")}
        return await self._exchange(payloads.view_submission(user_id, view, values), FORM)


def dialog_errors(response: BoltResponse | None) -> dict[str, str]:
    """Return the field errors a view submission was answered with, if any."""
    if response is None or not response.body.startswith("{"):
        return {}
    answer = json.loads(response.body)
    return dict(answer.get("errors", {})) if answer.get("response_action") == "errors" else {}


def _where(origin: Call, user_id: str) -> tuple[str, str | None]:
    """Return the channel and (for a posted, not ephemeral, message) the ts of a delivery."""
    if origin.method in ("chat.postMessage", "chat.update"):
        return str(origin.response.get("channel", origin.args.get("channel"))), str(
            origin.response.get("ts")
        )
    return str(origin.args.get("channel", f"D{user_id}")), None
