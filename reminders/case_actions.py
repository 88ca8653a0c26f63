"""The case actions of the procedure (IRM 8.6.1.4.X.1): CAR entries, checklists, closing export.

Each action leaves something the ATE must record or do; this module keeps it in
the store and plans the prompts and follow-ups in the notification outbox. It
knows nothing about Slack: wording and layout live with the chat surface.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import audit
from models.errors import UserError
from models.tables import (
    CarPrompt,
    Case,
    Checklist,
    ChecklistStep,
    Closing,
    Employee,
    Notification,
    SecureMessage,
)
from reminders.policy import Policy
from reminders.tracking import OPEN_STATES, open_inbound, schedule_of, settle

logger = logging.getLogger(__name__)

CO_TDC = "CO-TDC"
CO_TDW = "CO-TDW"
SM_OFFERED = "SM-OFFERED"
SM_NOT_OFFERED = "SM-NOT-OFFERED"
CAR_CODES = (CO_TDC, CO_TDW, SM_OFFERED, SM_NOT_OFFERED)
# How each entry is named to people: the two phone-contact notes have no CARATS code of
# their own (X.1(1)(b)-(c) ask only for a note), so their internal codes are never shown.
CAR_ENTRY_NAMES = {
    CO_TDC: "CO-TDC",
    CO_TDW: "CO-TDW",
    SM_OFFERED: "CAR note: Secure Messaging offered",
    SM_NOT_OFFERED: "CAR note: why Secure Messaging was not offered",
}

CHECKLIST_STEPS = {"tfa": ("a", "b", "c", "d"), "poa": ("access",)}
STALL_DAYS = 2.0
GROUP_MAILBOX_ORIGINS = frozenset({"lbi", "tege", "art"})


@dataclass(frozen=True)
class ClosingItems:
    """The three confirmations the closing export needs, and an optional note."""

    pdf_saved: bool
    attached_in_acds: bool
    closed_in_sm: bool
    note: str | None = None

    @property
    def missing(self) -> list[str]:
        """Name the items not confirmed."""
        flags = {
            "pdf_saved": self.pdf_saved,
            "attached_in_acds": self.attached_in_acds,
            "closed_in_sm": self.closed_in_sm,
        }
        return [name for name, done in flags.items() if not done]


def _plan(
    session: Session,
    *,
    key: str,
    kind: str,
    to: str,
    case: str,
    due: datetime,
    ref: str,
    level: int = 1,
) -> None:
    session.add(
        Notification(
            key=key[:128],
            kind=kind,
            recipient_id=to,
            case_number=case,
            level=level,
            due_at=due,
            not_before=due,
            ref=ref,
        )
    )


def _cancel(session: Session, ref: str) -> None:
    session.execute(
        update(Notification)
        .where(col(Notification.ref) == ref, col(Notification.state).in_(OPEN_STATES))
        .values(state="cancelled")
    )


# --- CAR prompts -----------------------------------------------------------------------


def prompt_car(
    session: Session, policy: Policy, case: Case, ate: Employee, code: str, on: datetime
) -> CarPrompt | None:
    """Ask the ATE to record a CAR entry dated `on` (their local date); once per case and code.

    The prompt goes out at `on` and, if still unconfirmed, once more a working day later.
    """
    if session.exec(
        select(CarPrompt.id).where(CarPrompt.case_number == case.number, CarPrompt.code == code)
    ).first():
        return None
    schedule = schedule_of(policy, ate)
    prompt = CarPrompt(
        case_number=case.number,
        employee_id=ate.id,
        code=code,
        record_date=on.astimezone(schedule.zone()).date(),
        created_at=on,
    )
    session.add(prompt)
    session.flush()
    ref = f"car:{prompt.id}"
    again = schedule.add(on, schedule.day_length)
    for level, due in ((1, on), (2, again)):
        key = f"car:{case.number}:{code}:{level}"
        _plan(
            session,
            key=key,
            kind="car_prompt",
            to=ate.id,
            case=case.number,
            due=due,
            ref=ref,
            level=level,
        )
    logger.info("CAR prompt planned case=%s code=%s", case.number, code)
    return prompt


def confirm_car(session: Session, prompt: CarPrompt, by: str, at: datetime) -> bool:
    """Record that the CAR entry was made; False if it already was."""
    if prompt.confirmed_at is not None:
        return False
    prompt.confirmed_at, prompt.confirmed_by = at, by
    session.add(prompt)
    audit.record(
        session,
        actor=by,
        action="car.recorded",
        at=at,
        case=prompt.case_number,
        detail=prompt.code,
    )
    _cancel(session, f"car:{prompt.id}")
    logger.info("CAR entry confirmed case=%s code=%s by=%s", prompt.case_number, prompt.code, by)
    return True


def find_prompt(session: Session, case_number: str, code: str) -> CarPrompt:
    """Return the case's prompt for a code, or refuse when there is none."""
    prompt = session.exec(
        select(CarPrompt).where(CarPrompt.case_number == case_number, CarPrompt.code == code)
    ).first()
    if prompt is None:
        raise UserError(f"There is no {code} entry to confirm on {case_number}.")
    return prompt


def first_message(
    session: Session, policy: Policy, case: Case, ate: Employee, message: SecureMessage
) -> CarPrompt | None:
    """Prompt CO-TDC when this is the case's first secure message, in either direction."""
    earlier = session.exec(
        select(SecureMessage.id).where(
            SecureMessage.case_number == case.number,
            SecureMessage.id != message.id,
            col(SecureMessage.at) <= message.at,
        )
    ).first()
    if earlier is not None:
        return None
    prompted = prompt_car(session, policy, case, ate, CO_TDC, message.at)
    if prompted is None:
        _move_back(session, policy, case, ate, CO_TDC, message.at)
    return prompted


def _move_back(
    session: Session, policy: Policy, case: Case, ate: Employee, code: str, on: datetime
) -> None:
    """Date an existing prompt back to `on` when an earlier message turns up (a backfill).

    The prompt is asked again with the corrected date if it already went out or was
    confirmed: the CAR would otherwise keep the later date.
    """
    prompt = find_prompt(session, case.number, code)
    day = on.astimezone(schedule_of(policy, ate).zone()).date()
    if day >= prompt.record_date:
        return
    told = (
        prompt.confirmed_at is not None
        or session.exec(
            select(Notification.id).where(
                Notification.ref == f"car:{prompt.id}", Notification.state == "sent"
            )
        ).first()
    )
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="car.redated",
        at=on,
        case=case.number,
        detail=f"{code} {prompt.record_date} -> {day}",
    )
    prompt.record_date, prompt.confirmed_at, prompt.confirmed_by = day, None, None
    session.add(prompt)
    if told:
        key = f"car:{case.number}:{code}:{day.isoformat()}"
        _plan(
            session,
            key=key,
            kind="car_prompt",
            to=ate.id,
            case=case.number,
            due=on,
            ref=f"car:{prompt.id}",
        )
    logger.info("CAR prompt dated back case=%s code=%s", case.number, code)


def initial_contact(
    session: Session,
    policy: Policy,
    case: Case,
    ate: Employee,
    *,
    method: str,
    resolved: bool,
    at: datetime,
) -> str | None:
    """Record how the case was first contacted; return the CAR code it calls for, if any."""
    if case.contact_method is not None:
        raise UserError(
            f"The first contact on {case.number} is already recorded ({case.contact_method})."
        )
    case.contact_method = method
    session.add(case)
    if method == "letter":
        return None
    code = SM_NOT_OFFERED if resolved else SM_OFFERED
    prompt_car(session, policy, case, ate, code, at)
    return code


def discontinued(
    session: Session, policy: Policy, case: Case, ate: Employee, at: datetime
) -> CarPrompt | None:
    """Prompt CO-TDW dated with the request to stop using Secure Messaging."""
    return prompt_car(session, policy, case, ate, CO_TDW, at)


# --- checklists ------------------------------------------------------------------------


def open_checklist(
    session: Session,
    policy: Policy,
    case: Case,
    kind: str,
    ate: Employee,
    now: datetime,
    *,
    by: str | None = None,
) -> Checklist:
    """Return the case's checklist of this kind, opening it (and its stall reminder) if new.

    `by` is who opened it (default: the ATE), for the audit log.
    """
    checklist = session.exec(
        select(Checklist).where(Checklist.case_number == case.number, Checklist.kind == kind)
    ).first()
    if checklist is not None:
        return checklist
    checklist = Checklist(
        case_number=case.number, kind=kind, employee_id=ate.id, opened_at=now, progressed_at=now
    )
    session.add(checklist)
    session.flush()
    _plan_stall(session, policy, checklist, ate)
    audit.record(
        session,
        actor=by or ate.id,
        action="checklist.opened",
        at=now,
        case=case.number,
        detail=kind,
    )
    logger.info("checklist opened case=%s kind=%s", case.number, kind)
    return checklist


def steps_done(session: Session, checklist: Checklist) -> dict[str, ChecklistStep]:
    """Return the ticked steps by name."""
    rows = session.exec(select(ChecklistStep).where(ChecklistStep.checklist_id == checklist.id))
    return {row.step: row for row in rows.all()}


def next_open_step(session: Session, checklist: Checklist) -> str | None:
    """Return the first step not yet ticked, or None when all are."""
    done = steps_done(session, checklist)
    return next((s for s in CHECKLIST_STEPS[checklist.kind] if s not in done), None)


def tick(
    session: Session, policy: Policy, checklist: Checklist, step: str, by: str, now: datetime
) -> bool:
    """Tick a step; False if it was ticked before. The last step closes the checklist."""
    if step not in CHECKLIST_STEPS[checklist.kind]:
        raise UserError(f"A {checklist.kind.upper()} checklist has no step {step!r}.")
    done = steps_done(session, checklist)
    if step in done:
        return False
    # The procedure's steps build on each other (the letter is uploaded before the STARS
    # request goes in; the file is sent only once the redactor is done), so in order.
    steps = CHECKLIST_STEPS[checklist.kind]
    missing = [s for s in steps[: steps.index(step)] if s not in done]
    if missing:
        raise UserError(
            f"Tick step ({missing[0]}) of the {checklist.kind.upper()} checklist first: "
            f"the steps follow the order of the procedure."
        )
    try:
        with session.begin_nested():
            session.add(
                ChecklistStep(checklist_id=checklist.id or 0, step=step, done_at=now, done_by=by)
            )
    except IntegrityError:
        return False
    checklist.progressed_at = now
    _cancel(session, f"checklist:{checklist.id}")
    audit.record(
        session,
        actor=by,
        action="checklist.step",
        at=now,
        case=checklist.case_number,
        detail=f"{checklist.kind}:{step}",
    )
    if next_open_step(session, checklist) is None:
        checklist.closed_at = now
    else:
        owner = session.get(Employee, checklist.employee_id)
        if owner is not None:
            _plan_stall(session, policy, checklist, owner)
    session.add(checklist)
    logger.info(
        "checklist step ticked case=%s kind=%s step=%s",
        checklist.case_number,
        checklist.kind,
        step,
    )
    return True


def _plan_stall(session: Session, policy: Policy, checklist: Checklist, ate: Employee) -> None:
    step = next_open_step(session, checklist)
    if step is None:
        return
    schedule = schedule_of(policy, ate)
    due = schedule.add(checklist.progressed_at, schedule.day_length * STALL_DAYS)
    ticked = len(steps_done(session, checklist))  # steps may be ticked in any order
    _plan(
        session,
        key=f"checklist:{checklist.id}:{step}:{ticked}",
        kind="checklist",
        to=ate.id,
        case=checklist.case_number,
        due=due,
        ref=f"checklist:{checklist.id}",
    )


# --- case facts and closing ---------------------------------------------------------


def set_origin(
    session: Session, case: Case, origin: str, business_entity: bool, *, by: str, at: datetime
) -> bool:
    """Record where the case came from; True when a customer group mailbox may apply."""
    case.origin, case.business_entity = origin, business_entity
    session.add(case)
    detail = f"{origin}{' (business entity)' if business_entity else ''}"
    audit.record(session, actor=by, action="case.origin", at=at, case=case.number, detail=detail)
    return business_entity and origin in GROUP_MAILBOX_ORIGINS


def start_closing(session: Session, case: Case, ate: Employee, at: datetime) -> bool:
    """Mark the case as going to closing and prompt for the export; False if already so."""
    if case.closing_at is not None or session.get(Closing, case.number) is not None:
        return False
    case.closing_at = at
    session.add(case)
    _plan(
        session,
        key=f"closing:{case.number}",
        kind="closing_prompt",
        to=ate.id,
        case=case.number,
        due=at,
        ref=f"closing:{case.number}",
    )
    return True


def closing_warnings(session: Session, case: Case) -> list[str]:
    """Name what is still open on a case about to close: `unanswered`, `co-tdc`."""
    warnings = []
    if open_inbound(session, case.number):
        warnings.append("unanswered")
    prompt = session.exec(
        select(CarPrompt).where(CarPrompt.case_number == case.number, CarPrompt.code == CO_TDC)
    ).first()
    if prompt is not None and prompt.confirmed_at is None:
        warnings.append("co-tdc")
    return warnings


def confirm_closing(
    session: Session, case: Case, items: ClosingItems, by: str, at: datetime
) -> Closing | None:
    """Store the closing-export confirmation once and tell the manager; None if stored before."""
    if items.missing:
        raise UserError("All three closing items must be confirmed.")
    if session.get(Closing, case.number) is not None:
        return None
    if at < case.opened_at:
        raise UserError(
            f"The closing export of {case.number} cannot be dated before the case's first "
            f"record ({case.opened_at:%Y-%m-%d}); check the date."
        )
    closing = Closing(
        case_number=case.number,
        pdf_saved=True,
        attached_in_acds=True,
        closed_in_sm=True,
        note=items.note,
        confirmed_by=by,
        confirmed_at=at,
    )
    try:
        with session.begin_nested():
            session.add(closing)
    except IntegrityError:
        return None
    case.closing_at = case.closing_at or at
    case.closed_at = at
    session.add(case)
    _cancel(session, f"closing:{case.number}")
    # The case is closed in Secure Messaging: nothing on it can be answered any more, and
    # its checklists are no longer chased (the manager is told what was left open).
    for message in open_inbound(session, case.number):
        settle(session, message, how="case_closed", by=by, at=at)
    for checklist in session.exec(
        select(Checklist).where(
            Checklist.case_number == case.number, col(Checklist.closed_at).is_(None)
        )
    ):
        _cancel(session, f"checklist:{checklist.id}")
    audit.record(
        session,
        actor=by,
        action="closing.confirmed",
        at=at,
        case=case.number,
        detail="pdf saved, attached in ACDS, closed in Secure Messaging",
    )
    owner = session.get(Employee, case.owner_id)
    if owner is not None and owner.manager_id:
        _plan(
            session,
            key=f"closed:{case.number}:{owner.manager_id}",
            kind="closing_confirmed",
            to=owner.manager_id,
            case=case.number,
            due=at,
            ref=f"closed:{case.number}",
        )
    logger.info("closing export confirmed case=%s by=%s", case.number, by)
    return closing


def settled_ref(session: Session, ref: str | None) -> bool:
    """Say whether what a case-action notification asks for has been done meanwhile."""
    kind, _, rest = (ref or "").partition(":")
    if kind == "car":
        prompt = session.get(CarPrompt, int(rest))
        return prompt is None or prompt.confirmed_at is not None
    if kind == "checklist":
        checklist = session.get(Checklist, int(rest))
        return checklist is None or checklist.closed_at is not None
    if kind == "closing":
        return session.get(Closing, rest) is not None
    return False
