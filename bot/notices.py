"""Compose each outbox notification from the store's current state, in the reader's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import blocks as kit
from bot import texts
from models.tables import Employee, Notification, SecureMessage
from reminders.policy import Policy
from reminders.tracking import next_step, schedule_of


class NoticeRenderer:
    """Turn a notification into fallback text and blocks; callable as the notifier's renderer."""

    def __init__(self, engine: Engine, policy: Policy) -> None:
        self.engine = engine
        self.policy = policy

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
        return text, kit.reminder_blocks(text, message.id, self.policy.snooze_hours)

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


def _recipient_of(session: Session, key: str) -> str | None:
    from sqlmodel import select

    return session.exec(select(Notification.recipient_id).where(Notification.key == key)).first()
