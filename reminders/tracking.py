"""Secure messages in, replies out: keep each inbound message's reminder steps in the store.

Every function takes an open session and the instant it acts at, so the same
code runs live, under `replay` with a simulated clock, and in tests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from models import audit
from models.errors import UserError
from models.tables import Case, Employee, Notification, SecureMessage
from reminders.clock import Schedule
from reminders.policy import Policy

logger = logging.getLogger(__name__)

INBOUND = "in"
OUTBOUND = "out"
OPEN_STATES = ("pending", "claimed")


@dataclass(frozen=True)
class Step:
    """One planned notification for an inbound message."""

    level: int
    kind: str
    recipient_id: str
    due_at: datetime


def schedule_of(policy: Policy, employee: Employee) -> Schedule:
    """Return the employee's working schedule (their zone and any personal hours)."""
    return policy.schedule(
        employee.tz, start=employee.work_start, end=employee.work_end, days=employee.work_days
    )


def open_case(session: Session, number: str, owner: Employee, at: datetime) -> Case:
    """Return the case, opening it (owned by this ATE) on first sight."""
    case = session.get(Case, number)
    if case is None:
        case = Case(number=number, owner_id=owner.id, opened_at=at)
        session.add(case)
        session.flush()
    elif at < case.opened_at:  # an earlier record backfilled
        case.opened_at = at
        session.add(case)
    return case


def escalation_recipients(session: Session, ate: Employee) -> list[str]:
    """Return who hears of an escalation: the ATE's manager, else the office's admins."""
    if ate.manager_id:
        return [ate.manager_id]
    admins = session.exec(select(Employee.id).where(Employee.role == "admin")).all()
    return list(admins)


def plan(session: Session, policy: Policy, ate: Employee, received_at: datetime) -> list[Step]:
    """Work out every reminder and escalation for a message received at this instant."""
    schedule = schedule_of(policy, ate)
    steps: list[Step] = []
    for level, kind, days in policy.levels():
        due = schedule.add(received_at, schedule.day_length * days)
        recipients = [ate.id] if kind == "reminder" else escalation_recipients(session, ate)
        steps.extend(Step(level, kind, recipient, due) for recipient in recipients)
    return steps


def retarget_escalations(session: Session, policy: Policy, ate: Employee) -> int:
    """Point the escalations still to come on this ATE's open messages at whoever hears of
    them now (their manager, else the admins); return how many were planned anew.

    Called when a person's manager changes: an escalation goes to the manager of the day
    it falls due, and a message received while the ATE had no one above them gets its
    escalation once they do. Sent or in-flight escalations are left as they are.
    """
    recipients = escalation_recipients(session, ate)
    waiting = session.exec(
        select(SecureMessage).where(
            SecureMessage.employee_id == ate.id,
            SecureMessage.direction == INBOUND,
            col(SecureMessage.settled_at).is_(None),
        )
    ).all()
    planned = 0
    for message in waiting:
        escalations = session.exec(
            select(Notification).where(
                Notification.message_id == message.id, Notification.kind == "escalation"
            )
        ).all()
        if any(n.state != "pending" for n in escalations):
            continue  # already sent, being sent, or settled: nothing to move
        if sorted(n.recipient_id for n in escalations) == sorted(recipients):
            continue
        for stale in escalations:
            session.delete(stale)
        session.flush()
        steps = [s for s in plan(session, policy, ate, message.at) if s.kind == "escalation"]
        for step in steps:
            session.add(_notification(message, step))
        planned += len(steps)
    return planned


def receive(
    session: Session, policy: Policy, *, message_id: str, case: Case, ate: Employee, at: datetime
) -> SecureMessage:
    """Record an inbound message and plan its reminders, unless a later reply settled it."""
    message = SecureMessage(
        id=message_id, case_number=case.number, employee_id=ate.id, direction=INBOUND, at=at
    )
    reply = _first_reply_after(session, case.number, at)
    if reply is not None:
        message.settled_at, message.settled_how, message.settled_by = (
            reply.at,
            "replied",
            reply.employee_id,
        )
    session.add(message)
    session.flush()
    if reply is None:
        for step in plan(session, policy, ate, at):
            session.add(_notification(message, step))
    logger.debug("message received id=%s case=%s", message_id, case.number)
    return message


def _notification(message: SecureMessage, step: Step) -> Notification:
    key = f"{step.kind}:{message.id}:{step.level}"
    if step.kind == "escalation":
        key = f"{key}:{step.recipient_id}"
    return Notification(
        key=key,
        kind=step.kind,
        recipient_id=step.recipient_id,
        case_number=message.case_number,
        message_id=message.id,
        level=step.level,
        due_at=step.due_at,
        not_before=step.due_at,
    )


def _first_reply_after(session: Session, case_number: str, at: datetime) -> SecureMessage | None:
    return session.exec(
        select(SecureMessage)
        .where(
            SecureMessage.case_number == case_number,
            SecureMessage.direction == OUTBOUND,
            col(SecureMessage.at) >= at,
        )
        .order_by(col(SecureMessage.at))
    ).first()


def reply(
    session: Session, *, message_id: str, case: Case, employee: Employee, at: datetime
) -> list[SecureMessage]:
    """Record a reply; it settles every earlier open inbound message on the case."""
    session.add(
        SecureMessage(
            id=message_id,
            case_number=case.number,
            employee_id=employee.id,
            direction=OUTBOUND,
            at=at,
        )
    )
    waiting = open_inbound(session, case.number, before=at)
    for message in waiting:
        settle(session, message, how="replied", by=employee.id, at=at)
    session.flush()
    return waiting


def open_inbound(
    session: Session, case_number: str, *, before: datetime | None = None
) -> list[SecureMessage]:
    """Return the case's inbound messages still waiting for a reply, oldest first."""
    query = select(SecureMessage).where(
        SecureMessage.case_number == case_number,
        SecureMessage.direction == INBOUND,
        col(SecureMessage.settled_at).is_(None),
    )
    if before is not None:
        query = query.where(col(SecureMessage.at) <= before)
    return list(session.exec(query.order_by(col(SecureMessage.at))).all())


def settle(
    session: Session,
    message: SecureMessage,
    *,
    how: str,
    by: str,
    at: datetime,
    note: str | None = None,
) -> None:
    """Stop a message's clock and cancel the notifications it still owes."""
    message.settled_at, message.settled_how, message.settled_by = at, how, by
    message.settled_note = note
    session.add(message)
    session.execute(
        update(Notification)
        .where(
            col(Notification.message_id) == message.id,
            col(Notification.state).in_(OPEN_STATES),
        )
        .values(state="cancelled")
    )
    audit.record(
        session,
        actor=by,
        action=f"message.{how}",
        at=at,
        case=message.case_number,
        detail=f"message {message.id}" + (f": {note}" if note else ""),
    )
    logger.debug("message settled id=%s how=%s", message.id, how)


def snooze(
    session: Session,
    policy: Policy,
    *,
    message: SecureMessage,
    hours: int,
    by: str,
    at: datetime,
) -> Notification:
    """Postpone the message's next reminder by working hours (the escalation keeps its
    instant).

    Each level may be snoozed once; a second snooze of the same level is refused.
    """
    if hours not in policy.snooze_hours:
        choices = ", ".join(str(h) for h in policy.snooze_hours)
        raise UserError(f"Snooze by one of {choices} working hours.")
    pending = [n for n in _pending_steps(session, message.id) if n.kind == "reminder"]
    if not pending:
        raise UserError(
            "Nothing is left to snooze on that message: the next step is your manager's "
            "escalation, which a snooze does not move."
        )
    if pending[0].snoozed:
        raise UserError("You already snoozed this reminder once; it can't be snoozed again.")
    ate = session.get(Employee, message.employee_id)
    schedule = schedule_of(policy, ate) if ate else policy.schedule()
    # Only the next reminder moves: the manager's escalation keeps its instant.
    pending[0].due_at = schedule.add(pending[0].due_at, timedelta(hours=hours))
    pending[0].not_before = pending[0].due_at
    session.add(pending[0])
    pending[0].snoozed = True
    audit.record(
        session,
        actor=by,
        action="reminder.snoozed",
        at=at,
        case=message.case_number,
        detail=f"message {message.id} by {hours} working hours",
    )
    logger.info("snoozed message=%s hours=%s by=%s", message.id, hours, by)
    return pending[0]


def _pending_steps(session: Session, message_id: str) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(Notification.message_id == message_id, Notification.state == "pending")
            .order_by(col(Notification.due_at), col(Notification.level))
        ).all()
    )


def next_step(
    session: Session, message_id: str, *, after: Notification | None = None
) -> Notification | None:
    """Return the message's next notification still to go out (after `after`), if any."""
    query = select(Notification).where(
        Notification.message_id == message_id, col(Notification.state).in_(OPEN_STATES)
    )
    if after is not None:
        query = query.where(
            Notification.id != after.id, col(Notification.level) > (after.level or 0)
        )
    order = (col(Notification.due_at), col(Notification.level))
    return session.exec(query.order_by(*order)).first()
