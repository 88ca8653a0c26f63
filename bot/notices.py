"""Compose each outbox notification from the store's current state, in the reader's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import blocks as kit
from bot import texts
from bot.digest_view import digest_message
from models.tables import CarPrompt, Checklist, Closing, Employee, Notification, SecureMessage
from reminders import case_actions, digest
from reminders.policy import Policy
from reminders.tracking import next_step, schedule_of

Rendered = tuple[str, list[dict[str, Any]]]


def checklist_message(session: Session, checklist: Checklist, tz: str) -> Rendered:
    """Compose a checklist as it stands: ticked steps with who and when, open ones with *Done*."""
    done = case_actions.steps_done(session, checklist)
    names = texts.CHECKLIST_STEPS[checklist.kind]
    rows = []
    for step in case_actions.CHECKLIST_STEPS[checklist.kind]:
        tick = done.get(step)
        if tick is None:
            rows.append((step, texts.checklist_step_open(step, names[step]), False))
            continue
        who = session.get(Employee, tick.done_by)
        when_text = texts.when(tick.done_at.astimezone(ZoneInfo(tz)))
        rows.append(
            (
                step,
                texts.checklist_step_done(
                    step, names[step], who.name if who else tick.done_by, when_text
                ),
                True,
            )
        )
    heading = texts.checklist_heading(checklist.kind, checklist.case_number, len(done), len(rows))
    blocks = kit.checklist_blocks(heading, rows, checklist.id or 0)
    if checklist.closed_at is not None:
        blocks += kit.notice_blocks(
            texts.checklist_complete(checklist.kind, checklist.case_number)
        )
    return heading, blocks


def compose_digest(session: Session, policy: Policy, reader: Employee, now: datetime) -> Rendered:
    """Compose a reader's digest as of now, covering the time since their last one."""
    since = digest.previous_digest_at(session, policy, reader, now)
    found = digest.compose(session, policy, reader, now, since)
    local = now.astimezone(ZoneInfo(reader.tz))
    return digest_message(found, texts.digest_title(reader.name, found.office, local), local)


class NoticeRenderer:
    """Turn a notification into fallback text and blocks; callable as the notifier's renderer."""

    def __init__(self, engine: Engine, policy: Policy) -> None:
        self.engine = engine
        self.policy = policy
        self._case_actions = {
            "car_prompt": self._car_prompt,
            "checklist": self._checklist_stalled,
            "closing_prompt": self._closing_prompt,
            "closing_confirmed": self._closing_confirmed,
            "digest": self._digest,
        }

    def __call__(
        self, notification: Notification, now: datetime
    ) -> tuple[str, list[dict[str, Any]]]:
        with Session(self.engine) as session:
            if notification.kind == "reminder":
                return self._reminder(session, notification, now)
            if notification.kind == "escalation":
                return self._escalation(session, notification, now)
            if notification.kind == "delivery_failed":
                return self._delivery_failed(session, notification)
            if notification.kind in self._case_actions:
                return self._case_actions[notification.kind](session, notification, now)
        raise ValueError(f"no renderer for notification kind {notification.kind!r}")

    def _reminder(
        self, session: Session, notification: Notification, now: datetime
    ) -> tuple[str, list[dict[str, Any]]]:
        message, ate = self._message_and_ate(session, notification)
        schedule = schedule_of(self.policy, ate)
        zone = ZoneInfo(ate.tz)
        upcoming = next_step(session, message.id, after=notification)
        if upcoming is None:
            after = texts.NO_NEXT_STEP
        elif upcoming.due_at <= now:
            after = texts.ESCALATING_NOW
        elif upcoming.kind == "reminder":
            after = texts.next_reminder(texts.when(upcoming.due_at.astimezone(zone)))
        else:
            after = texts.next_escalation(texts.when(upcoming.due_at.astimezone(zone)))
        text = texts.reminder(
            message.case_number,
            texts.when(message.at.astimezone(zone)),
            schedule.business_days_between(message.at, now),
            notification.level or 1,
            after,
        )
        # Snooze moves the next reminder; with none left (the escalation is next) it is not
        # offered, rather than refused when clicked.
        hours = self.policy.snooze_hours if upcoming and upcoming.kind == "reminder" else ()
        return text, kit.reminder_blocks(text, message.id, hours)

    def _escalation(
        self, session: Session, notification: Notification, now: datetime
    ) -> tuple[str, list[dict[str, Any]]]:
        message, ate = self._message_and_ate(session, notification)
        manager = session.get(Employee, notification.recipient_id)
        zone = ZoneInfo(manager.tz if manager else ate.tz)
        waited = schedule_of(self.policy, ate).business_days_between(message.at, now)
        text = texts.escalation(
            ate.name, message.case_number, texts.when(message.at.astimezone(zone)), waited
        )
        return text, kit.notice_blocks(text)

    def _delivery_failed(
        self, session: Session, notification: Notification
    ) -> tuple[str, list[dict[str, Any]]]:
        failed_key, _, error = (notification.error or "|").partition("|")
        person_id = _recipient_of(session, failed_key)
        person = session.get(Employee, person_id) if person_id else None
        name = person.name if person else (person_id or "someone")
        text = texts.delivery_failed(name, notification.case_number, error or "unknown error")
        return text, kit.notice_blocks(text)

    def _car_prompt(self, session: Session, notification: Notification, now: datetime) -> Rendered:
        prompt = session.get(CarPrompt, int((notification.ref or "car:0").split(":")[1]))
        if prompt is None:
            raise ValueError(f"notification {notification.key} names no stored CAR prompt")
        text = texts.car_prompt(
            prompt.case_number,
            prompt.code,
            texts.day(prompt.record_date),
            (notification.level or 1) > 1,
            # A prompt asked again with a date moved back is keyed by that date.
            corrected=notification.key.rsplit(":", 1)[-1].count("-") == 2,
        )
        return _rendered(text, kit.car_prompt_blocks(text, prompt.id or 0))

    def _checklist_stalled(
        self, session: Session, notification: Notification, now: datetime
    ) -> Rendered:
        checklist = session.get(Checklist, int((notification.ref or "checklist:0").split(":")[1]))
        if checklist is None:
            raise ValueError(f"notification {notification.key} names no stored checklist")
        step = case_actions.next_open_step(session, checklist) or ""
        owner = session.get(Employee, checklist.employee_id)
        schedule = schedule_of(self.policy, owner) if owner else self.policy.schedule()
        waited = schedule.business_days_between(checklist.progressed_at, now)
        step_text = texts.CHECKLIST_STEPS[checklist.kind].get(step, "")
        text = texts.checklist_stalled(
            checklist.kind, checklist.case_number, step, waited, step_text
        )
        steps = [(step, text, False)]
        return _rendered(
            text,
            kit.checklist_blocks(texts.CHECKLIST_TITLES[checklist.kind], steps, checklist.id or 0)[
                1:
            ],
        )

    def _closing_prompt(
        self, session: Session, notification: Notification, now: datetime
    ) -> Rendered:
        case = notification.case_number or ""
        text = texts.closing_prompt(case)
        return _rendered(text, kit.closing_prompt_blocks(text, case))

    def _closing_confirmed(
        self, session: Session, notification: Notification, now: datetime
    ) -> Rendered:
        closing = session.get(Closing, notification.case_number or "")
        if closing is None:
            raise ValueError(f"notification {notification.key} names no stored closing")
        ate = session.get(Employee, closing.confirmed_by)
        name = ate.name if ate else closing.confirmed_by
        unanswered = session.exec(
            select(func.count())
            .select_from(SecureMessage)
            .where(
                SecureMessage.case_number == closing.case_number,
                SecureMessage.settled_how == "case_closed",
            )
        ).one()
        text = texts.closing_to_manager(name, closing.case_number, closing.note, unanswered)
        return _rendered(text)

    def _digest(self, session: Session, notification: Notification, now: datetime) -> Rendered:
        reader = session.get(Employee, notification.recipient_id)
        if reader is None:
            raise ValueError(f"notification {notification.key} names no stored employee")
        return compose_digest(session, self.policy, reader, now)

    def _message_and_ate(
        self, session: Session, notification: Notification
    ) -> tuple[SecureMessage, Employee]:
        message = session.get(SecureMessage, notification.message_id)
        if message is None:
            raise ValueError(f"notification {notification.key} names no stored message")
        ate = session.get(Employee, message.employee_id)
        if ate is None:
            raise ValueError(f"message {message.id} names no stored employee")
        return message, ate


def _rendered(text: str, blocks: list[dict[str, Any]] | None = None) -> Rendered:
    return text, blocks if blocks is not None else kit.notice_blocks(text)


def _recipient_of(session: Session, key: str) -> str | None:
    from sqlmodel import select

    return session.exec(select(Notification.recipient_id).where(Notification.key == key)).first()
