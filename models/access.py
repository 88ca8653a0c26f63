"""Who may see and act on what: the one place roles are checked."""

from __future__ import annotations

from sqlmodel import Session

from models.errors import UserError
from models.tables import Case, Employee

NOT_ON_ROSTER = (
    "You are not on the office roster yet, so I can't act for you. "
    "Ask an admin to add you with `smbot roster import`."
)
NEW_CASE_NEEDS_ATE = (
    "I don't know case {case} yet, and a case belongs to the ATE who opens it: have its "
    "ATE record the first contact or message. Managers and admins act on cases once open."
)
NOT_YOUR_CASE = (
    "Case {case} belongs to another ATE. Only its ATE, their manager or an admin can act on it."
)


def actor(session: Session, user_id: str) -> Employee:
    """Return the person behind a request, or refuse someone not on the roster."""
    person = session.get(Employee, user_id)
    if person is None:
        raise UserError(NOT_ON_ROSTER)
    return person


def may_act_on(session: Session, person: Employee, owner_id: str) -> bool:
    """Say whether this person may act on work owned by `owner_id`."""
    if person.role == "admin" or person.id == owner_id:
        return True
    if person.role == "manager":
        owner = session.get(Employee, owner_id)
        return owner is not None and owner.manager_id == person.id
    return False


def require_case_access(session: Session, person: Employee, case: Case) -> None:
    """Refuse a person who may not act on this case."""
    if not may_act_on(session, person, case.owner_id):
        raise UserError(NOT_YOUR_CASE.format(case=case.number))


def require_may_open_case(person: Employee, number: str) -> None:
    """Refuse a manager or admin starting a case: a case is owned by the ATE who opens it,
    and its reminders go to them."""
    if person.role != "ate":
        raise UserError(NEW_CASE_NEEDS_ATE.format(case=number))
