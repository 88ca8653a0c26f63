"""`/sm case CASE`: everything the bot knows about one case, in one message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot import blocks as kit
from bot import texts
from handlers.replies import Reply
from models.tables import CarPrompt, Case, Checklist, Closing, Employee, SecureMessage
from reminders import case_actions
from reminders.tracking import next_step

SETTLED_SHOWN = 10  # answered messages and replies shown; the older ones are counted


def case_summary(session: Session, case: Case, tz: str) -> Reply:
    """Compose the case's messages and their state, CAR entries, checklists and closing."""
    zone = ZoneInfo(tz)

    def shown(moment: datetime) -> str:
        return texts.when(moment.astimezone(zone))

    owner = session.get(Employee, case.owner_id)
    lines = [texts.case_heading(case.number, owner.name if owner else case.owner_id, case)]
    lines += _messages(session, case, shown)
    lines += _prompts(session, case, shown)
    lines += _checklists(session, case)
    lines.append(_closing(session, case, shown))
    text = "\n".join(line for line in lines if line)
    return Reply(text=text, blocks=kit.notice_blocks(text))


def _messages(session: Session, case: Case, shown: Callable[[datetime], str]) -> list[str]:
    rows = session.exec(
        select(SecureMessage)
        .where(SecureMessage.case_number == case.number)
        .order_by(col(SecureMessage.at))
    ).all()
    lines = [texts.CASE_MESSAGES if rows else texts.CASE_NO_MESSAGES]
    # Every message still waiting is shown; of the settled history, the latest few.
    settled = [m for m in rows if m.direction == "out" or m.settled_at is not None]
    hidden = {m.id for m in settled[:-SETTLED_SHOWN]} if len(settled) > SETTLED_SHOWN else set()
    if hidden:
        lines.append(texts.case_earlier_messages(len(hidden)))
    for message in rows:
        if message.id in hidden:
            continue
        upcoming = next_step(session, message.id) if message.direction == "in" else None
        lines.append(texts.case_message_line(message, shown, upcoming))
    return lines


def _prompts(session: Session, case: Case, shown: Callable[[datetime], str]) -> list[str]:
    rows = session.exec(select(CarPrompt).where(CarPrompt.case_number == case.number)).all()
    return [texts.CASE_CAR] + [texts.case_car_line(p, shown) for p in rows] if rows else []


def _checklists(session: Session, case: Case) -> list[str]:
    rows = session.exec(select(Checklist).where(Checklist.case_number == case.number)).all()
    lines = []
    for checklist in rows:
        done = len(case_actions.steps_done(session, checklist))
        total = len(case_actions.CHECKLIST_STEPS[checklist.kind])
        lines.append(texts.case_checklist_line(checklist.kind, done, total))
    return lines


def _closing(session: Session, case: Case, shown: Callable[[datetime], str]) -> str:
    closing = session.get(Closing, case.number)
    return texts.case_closing_line(case, closing, shown)
