"""One code path for every event, whichever door it came in by (webhook, slash, import, replay)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.errors import UserError
from models.store import upsert_employee
from models.tables import Case, Employee, SeenEvent
from reminders import tracking
from reminders.events import (
    CaseClosing,
    ConfigEvent,
    Confirm,
    EmployeeEvent,
    EmployeeRef,
    Event,
    EventRejected,
    MessageReceived,
    MessageSent,
    SmDiscontinued,
    Tick,
)
from reminders.policy import Policy
from reminders.when import parse_case_number

logger = logging.getLogger(__name__)


@dataclass
class Applied:
    """What applying one event did."""

    duplicate: bool = False
    settled: list[str] = field(default_factory=list)
    first_due: datetime | None = None


@dataclass(frozen=True)
class CaseRules:
    """The office's case-number form, as a pattern and an example for messages."""

    pattern: str = r"^[A-Z]{3}-\d{2}-\d{4,6}$"
    example: str = "APL-26-0001"

    def check(self, number: str) -> str:
        """Return the case number normalised, or refuse it with the expected form."""
        try:
            return parse_case_number(number, self.pattern, example=self.example)
        except UserError as error:
            raise EventRejected(f"field 'case': {error.message}", 422) from None


def apply_event(
    session: Session, policy: Policy, event: Event, *, rules: CaseRules = CaseRules()
) -> Applied:
    """Apply one validated event to the store; an id seen before changes nothing."""
    if event.id is not None and not _first_time(session, event.id):
        logger.debug("event ignored as a repeat id=%s", event.id)
        return Applied(duplicate=True)
    if isinstance(event, EmployeeEvent):
        _employee(session, event)
        return Applied()
    if isinstance(event, MessageReceived):
        return _received(session, policy, event, rules)
    if isinstance(event, MessageSent):
        return _sent(session, event, rules)
    if isinstance(event, Tick | ConfigEvent):
        return Applied()
    if isinstance(event, Confirm | CaseClosing | SmDiscontinued):
        resolve_employee(session, event.employee)
        known_case(session, rules.check(event.case))
    raise EventRejected(f"type '{event.type}': not handled by this version of the bot", 422)


def _first_time(session: Session, event_id: str) -> bool:
    if session.get(SeenEvent, event_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(SeenEvent(id=event_id))
    except IntegrityError:
        return False
    return True


def known_case(session: Session, number: str) -> Case:
    """Return a case the store knows, or refuse an event about one it has never seen."""
    case = session.get(Case, number)
    if case is None:
        raise EventRejected(
            f"field 'case': no case {number} is known yet; it starts with its first "
            "message.received, message.sent or contact.initial event",
            422,
        )
    return case


def resolve_employee(session: Session, ref: EmployeeRef) -> Employee:
    """Find the employee an event names, by Slack id or eGain number."""
    if ref.id is not None:
        found = session.get(Employee, ref.id)
    else:
        found = session.exec(select(Employee).where(Employee.egain == ref.egain)).first()
    if found is None:
        named = f"id {ref.id}" if ref.id else f"eGain number {ref.egain}"
        raise EventRejected(
            f"field 'employee': no employee with {named} on the roster; "
            "send an employee event or import the roster first",
            422,
        )
    return found


def _employee(session: Session, event: EmployeeEvent) -> None:
    if (
        event.manager
        and event.manager != event.id
        and session.get(Employee, event.manager) is None
    ):
        raise EventRejected(
            f"field 'manager': no employee with id {event.manager}; add the manager first", 422
        )
    upsert_employee(
        session,
        Employee(
            id=event.id,
            name=event.name,
            role=event.role,
            manager_id=event.manager,
            tz=event.tz,
            egain=event.egain,
            work_start=event.work_start,
            work_end=event.work_end,
            work_days=event.work_days,
        ),
    )


def _received(
    session: Session, policy: Policy, event: MessageReceived, rules: CaseRules
) -> Applied:
    ate = resolve_employee(session, event.employee)
    case = tracking.open_case(session, rules.check(event.case), ate, event.at)
    owner = session.get(Employee, case.owner_id) or ate
    message = tracking.receive(
        session, policy, message_id=event.id, case=case, ate=owner, at=event.at
    )
    first = tracking.next_step(session, message.id)
    return Applied(first_due=first.due_at if first else None)


def _sent(session: Session, event: MessageSent, rules: CaseRules) -> Applied:
    employee = resolve_employee(session, event.employee)
    case = tracking.open_case(session, rules.check(event.case), employee, event.at)
    settled = tracking.reply(
        session, message_id=event.id, case=case, employee=employee, at=event.at
    )
    return Applied(settled=[message.id for message in settled])
