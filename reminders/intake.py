"""One code path for every event, whichever door it came in by (webhook, slash, import, replay)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import access, audit
from models.db import utcnow
from models.errors import UserError
from models.store import upsert_employee
from models.tables import Case, Employee, SecureMessage, SeenEvent
from reminders import case_actions, tracking
from reminders.events import (
    CaseClosing,
    ConfigEvent,
    Confirm,
    ContactInitial,
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
    unchanged: bool = False  # recorded before (a second request to stop, say): no new fact
    settled: list[str] = field(default_factory=list)
    first_due: datetime | None = None
    code: str | None = None


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


# The events whose own record is the change (a confirmation, an employee update or a
# snooze is audited where it is made, with what it changed).
_AUDITED = (MessageReceived, MessageSent, ContactInitial, SmDiscontinued, CaseClosing)


def apply_event(
    session: Session,
    policy: Policy,
    event: Event,
    *,
    rules: CaseRules = CaseRules(),
    actor: str | None = None,
) -> Applied:
    """Apply one validated event to the store; an id seen before changes nothing.

    `actor` is who made the change, for the audit log: the person behind a slash command;
    by default the platform that sent the event (`events`).
    """
    applied = _apply(session, policy, event, rules)
    if isinstance(event, _AUDITED) and not (applied.duplicate or applied.unchanged):
        method = getattr(event, "method", None)
        audit.record(
            session,
            actor=actor or "events",
            action=event.type,
            at=event.at,
            case=rules.check(event.case),
            detail=f"message {event.id}" if event.id and not method else method,
        )
    return applied


def _apply(session: Session, policy: Policy, event: Event, rules: CaseRules) -> Applied:
    # An employee event's `id` is the person's Slack id, not an event id: updates apply.
    repeatable = isinstance(event, EmployeeEvent)
    if event.id is not None and not repeatable and not first_time(session, event.id):
        logger.debug("event ignored as a repeat id=%s", event.id)
        return Applied(duplicate=True)
    if isinstance(event, EmployeeEvent):
        _employee(session, policy, event)
        return Applied()
    if isinstance(event, MessageReceived):
        return _received(session, policy, event, rules)
    if isinstance(event, MessageSent):
        return _sent(session, policy, event, rules)
    if isinstance(event, Tick | ConfigEvent):
        return Applied()
    if isinstance(event, ContactInitial):
        return _contact(session, policy, event, rules)
    employee = resolve_employee(session, event.employee)
    case = known_case(session, rules.check(event.case))
    owner = _owner_for(session, case, employee)
    if isinstance(event, SmDiscontinued):
        prompted = case_actions.discontinued(session, policy, case, owner, event.at)
        return Applied(code=case_actions.CO_TDW if prompted else None, unchanged=not prompted)
    if isinstance(event, CaseClosing):
        started = case_actions.start_closing(session, case, owner, event.at)
        return Applied(unchanged=not started)
    return _confirm(session, policy, event, case, employee)


def _contact(session: Session, policy: Policy, event: ContactInitial, rules: CaseRules) -> Applied:
    ate = resolve_employee(session, event.employee)
    case = tracking.open_case(session, rules.check(event.case), ate, event.at)
    owner = _owner_for(session, case, ate)
    code = case_actions.initial_contact(
        session, policy, case, owner, method=event.method, resolved=event.resolved, at=event.at
    )
    return Applied(code=code)


def _confirm(
    session: Session, policy: Policy, event: Confirm, case: Case, employee: Employee
) -> Applied:
    """Apply a `confirm` event: car:CODE, closing, tfa:STEP or poa."""
    what, _, detail = event.what.partition(":")
    what = what.lower()
    if what == "car":
        prompt = case_actions.find_prompt(session, case.number, detail.upper())
        case_actions.confirm_car(session, prompt, employee.id, event.at)
    elif what == "closing":
        items = case_actions.ClosingItems(True, True, True)
        case_actions.confirm_closing(session, case, items, employee.id, event.at)
    elif what in case_actions.CHECKLIST_STEPS:
        checklist = case_actions.open_checklist(
            session, policy, case, what, employee, event.at, by=employee.id
        )
        step = detail.lower() or case_actions.CHECKLIST_STEPS[what][0]
        case_actions.tick(session, policy, checklist, step, employee.id, event.at)
    else:
        raise EventRejected(
            f"field 'what': {event.what!r} is not something to confirm; "
            "use car:CO-TDC, car:CO-TDW, closing, tfa:a … tfa:d or poa",
            422,
        )
    return Applied()


def refuse_replay_only(event: Event) -> None:
    """Refuse what only a replay file may hold (a simulated clock's ticks and settings)."""
    if isinstance(event, Tick | ConfigEvent):
        raise EventRejected(f"type '{event.type}': only replay files may use it", 422)


def first_time(session: Session, event_id: str) -> bool:
    """Remember an event id (or another key of a request); False if it was seen before."""
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


def _employee(session: Session, policy: Policy, event: EmployeeEvent) -> None:
    _check_management_chain(session, event)
    holder = (
        session.exec(select(Employee).where(Employee.egain == event.egain)).first()
        if event.egain
        else None
    )
    if holder is not None and holder.id != event.id:
        raise EventRejected(
            f"field 'egain': {event.egain} already belongs to {holder.id}; "
            "each eGain number belongs to one person",
            422,
        )
    audit.record(
        session,
        actor="events",
        action="employee.upserted",
        at=event.at or utcnow(),
        detail=f"{event.id} ({event.role})",
    )
    before = session.get(Employee, event.id)
    was = before.role if before is not None else None
    saved = upsert_employee(
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
    # Escalations go to whoever is above the ATE when they fall due.
    affected = [saved]
    if "admin" in (saved.role, was):  # the admins hear of escalations for those with no manager
        affected += session.exec(select(Employee).where(col(Employee.manager_id).is_(None)))
    for person in affected:
        tracking.retarget_escalations(session, policy, person)


def _owner_for(session: Session, case: Case, employee: Employee) -> Employee:
    """Return the case's ATE, refusing an event from someone who may not act on the case
    (another ATE): its reminders would otherwise go to a person it does not name."""
    owner = session.get(Employee, case.owner_id) or employee
    if not access.may_act_on(session, employee, owner.id):
        raise EventRejected(
            f"field 'employee': case {case.number} belongs to {owner.id} ({owner.name}); "
            "send the event for them, or for their manager"
        )
    return owner


def _check_management_chain(session: Session, event: EmployeeEvent) -> None:
    """Refuse a manager who is unknown, an ATE, or a report of this person; and an ATE
    role for someone others still report to."""
    if event.manager == event.id:
        raise EventRejected("field 'manager': a person cannot be their own manager", 422)
    if event.manager:
        manager = session.get(Employee, event.manager)
        if manager is None:
            raise EventRejected(
                f"field 'manager': no employee with id {event.manager}; add the manager first"
            )
        if manager.role == "ate":
            raise EventRejected(
                f"field 'manager': {event.manager} is an ATE; make them a manager first"
            )
        above: Employee | None = manager
        seen = {event.id}
        while above is not None and above.manager_id:
            if above.manager_id in seen:
                raise EventRejected(
                    f"field 'manager': {event.id} would end up managing themselves "
                    f"through {above.id}"
                )
            seen.add(above.id)
            above = session.get(Employee, above.manager_id)
    if event.role == "ate":
        report = session.exec(select(Employee.id).where(Employee.manager_id == event.id)).first()
        if report is not None:
            raise EventRejected(
                f"field 'role': {report} and maybe others report to {event.id}; "
                "give them another manager first"
            )


def _received(
    session: Session, policy: Policy, event: MessageReceived, rules: CaseRules
) -> Applied:
    ate = resolve_employee(session, event.employee)
    case = tracking.open_case(session, rules.check(event.case), ate, event.at)
    owner = _owner_for(session, case, ate)
    message = tracking.receive(
        session, policy, message_id=event.id, case=case, ate=owner, at=event.at
    )
    prompted = case_actions.first_message(session, policy, case, owner, message)
    first = tracking.next_step(session, message.id)
    return Applied(
        first_due=first.due_at if first else None, code=case_actions.CO_TDC if prompted else None
    )


def _sent(session: Session, policy: Policy, event: MessageSent, rules: CaseRules) -> Applied:
    employee = resolve_employee(session, event.employee)
    case = tracking.open_case(session, rules.check(event.case), employee, event.at)
    owner = _owner_for(session, case, employee)
    settled = tracking.reply(
        session, message_id=event.id, case=case, employee=employee, at=event.at
    )
    sent = session.get(SecureMessage, event.id)
    prompted = sent is not None and case_actions.first_message(session, policy, case, owner, sent)
    return Applied(
        settled=[message.id for message in settled],
        code=case_actions.CO_TDC if prompted else None,
    )
