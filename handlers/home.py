"""The App Home tab: each person's open items with the same buttons as the DMs.

Published when the person opens the tab and again whenever their items change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import blocks as kit
from bot import texts
from bot.notices import compose_digest
from bot.services import Services
from models.tables import CarPrompt, Checklist, Employee, SecureMessage
from reminders import case_actions
from reminders.tracking import INBOUND, next_step

logger = logging.getLogger(__name__)

MAX_ITEMS = 15  # per section; the Home tab holds at most 100 blocks


def home_view(
    services: Services, session: Session, person: Employee, now: datetime
) -> dict[str, Any]:
    """Build a person's Home tab as it stands now."""
    zone = ZoneInfo(person.tz)
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=texts.HOME_TITLE))]
    blocks += _messages(session, person, zone)
    blocks += _prompts(session, person)
    blocks += _checklists(session, person)
    if len(blocks) == 1:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=texts.HOME_NOTHING_OPEN)))
    if person.role in ("manager", "admin"):
        _text, team = compose_digest(session, services.policy, person, now)
        return {"type": "home", "blocks": [*kit.as_dicts(blocks), {"type": "divider"}, *team]}
    return {"type": "home", "blocks": kit.as_dicts(blocks)}


def _messages(session: Session, person: Employee, zone: ZoneInfo) -> list[Block]:
    waiting = (
        SecureMessage.employee_id == person.id,
        SecureMessage.direction == INBOUND,
        col(SecureMessage.settled_at).is_(None),
    )
    rows = session.exec(
        select(SecureMessage).where(*waiting).order_by(col(SecureMessage.at)).limit(MAX_ITEMS)
    ).all()
    if not rows:
        return []
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=texts.HOME_MESSAGES))]
    for message in rows:
        upcoming = next_step(session, message.id)
        due = texts.when(upcoming.due_at.astimezone(zone)) if upcoming else None
        line = texts.home_message(
            message.case_number, texts.when(message.at.astimezone(zone)), due
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=line)))
        blocks.append(ActionsBlock(elements=_message_buttons(message.id)))
    return blocks + _more(session, SecureMessage, waiting, len(rows))


def _more(session: Session, table: Any, where: tuple[Any, ...], shown: int) -> list[Block]:
    """Count what a section left out, and say so."""
    if shown < MAX_ITEMS:
        return []
    total = session.exec(select(func.count()).select_from(table).where(*where)).one()
    if total <= shown:
        return []
    return [ContextBlock(elements=[MarkdownTextObject(text=texts.home_more(total - shown))])]


def _message_buttons(message_id: str) -> list[Any]:
    reminder = kit.reminder_blocks("·", message_id, ())
    return [ButtonElement(**element) for element in reminder[1]["elements"]]


def _prompts(session: Session, person: Employee) -> list[Block]:
    pending = (CarPrompt.employee_id == person.id, col(CarPrompt.confirmed_at).is_(None))
    rows = session.exec(select(CarPrompt).where(*pending).limit(MAX_ITEMS)).all()
    if not rows:
        return []
    blocks: list[Block] = [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=texts.HOME_CAR)),
    ]
    for prompt in rows:
        line = texts.home_car(prompt.case_number, prompt.code, texts.day(prompt.record_date))
        button = ButtonElement(
            text=texts.BUTTON_RECORDED, action_id=kit.ACTION_CAR_RECORDED, value=str(prompt.id)
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=line), accessory=button))
    return blocks + _more(session, CarPrompt, pending, len(rows))


def _checklists(session: Session, person: Employee) -> list[Block]:
    still_open = (Checklist.employee_id == person.id, col(Checklist.closed_at).is_(None))
    rows = session.exec(select(Checklist).where(*still_open).limit(MAX_ITEMS)).all()
    if not rows:
        return []
    blocks: list[Block] = [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=texts.HOME_CHECKLISTS)),
    ]
    for checklist in rows:
        step = case_actions.next_open_step(session, checklist) or ""
        line = texts.home_checklist(checklist.kind, checklist.case_number, step)
        button = ButtonElement(
            text=texts.BUTTON_STEP_DONE,
            action_id=kit.ACTION_STEP_DONE,
            value=f"{checklist.id}:{step}",
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=line), accessory=button))
    return blocks + _more(session, Checklist, still_open, len(rows))


def _view_of(services: Services, user_id: str) -> dict[str, Any] | None:
    with Session(services.engine) as session:
        person = session.get(Employee, user_id)
        if person is None:  # they may still ask questions; say how to get the rest
            blocks = [
                HeaderBlock(text=PlainTextObject(text=texts.HOME_TITLE)),
                SectionBlock(text=MarkdownTextObject(text=texts.HOME_NOT_ON_ROSTER)),
            ]
            return {"type": "home", "blocks": kit.as_dicts(blocks)}
        return home_view(services, session, person, services.clock())


async def publish(services: Services, client: AsyncWebClient, user_ids: Iterable[str]) -> None:
    """Publish the Home tab of each person on the roster among `user_ids`."""
    for user_id in set(user_ids):
        # Built in a thread: a manager's Home reads the whole team, and the event loop
        # must stay free to acknowledge what Slack and the platform send meanwhile.
        view = await asyncio.to_thread(_view_of, services, user_id)
        if view is None:
            continue
        try:
            await client.views_publish(user_id=user_id, view=view)
        except SlackApiError as error:
            logger.warning(
                "home publish failed user=%s error=%s", user_id, error.response.get("error")
            )
        except Exception:  # a network failure must not end the refresh for the others
            logger.warning("home publish failed user=%s", user_id, exc_info=True)


class Republisher:
    """Republish Home tabs after changes, one refresh at a time.

    Changes that arrive while a refresh runs are gathered and published together once
    it ends, so a burst of events on one person's cases costs one or two refreshes, not
    one each.
    """

    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self.services, self.client = services, client
        self.waiting: set[str] = set()
        self.running: asyncio.Task[None] | None = None

    def changed(self, user_ids: Iterable[str]) -> None:
        self.waiting.update(user_ids)
        if self.running is None or self.running.done():
            self.running = asyncio.get_running_loop().create_task(self._drain())
            self.services.background.add(self.running)
            self.running.add_done_callback(self.services.background.discard)

    async def _drain(self) -> None:
        async with self.services.work.track():
            while self.waiting:
                batch, self.waiting = self.waiting, set()
                await publish(self.services, self.client, batch)


def register(app: AsyncApp, services: Services) -> None:
    """Publish the Home tab when opened, and after every change to someone's items."""

    @app.event("app_home_opened")
    async def on_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        async with services.work.track():
            await publish(services, client, [event.get("user", "")])

    republisher = Republisher(services, app.client)
    services.on_change = republisher.changed
