"""Readiness for Secure Messaging: who IRM 8.6.1.4.X(2) covers and what each person lacks.

The paragraph applies to managers and technical employees in the IR and GS job series
listed below who work with taxpayers and their representatives. Each of them needs
access to Secure Messaging, the user training (managers the supervisor training too)
and an eGain number to give out. ATEs and managers are taken to work with taxpayers;
an admin is covered only when their job series is listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from models.tables import Employee

COVERED_SERIES = frozenset({"0930", "0110", "1101", "0512", "0526", "0801"})
TAXPAYER_FACING_ROLES = frozenset({"ate", "manager"})
GAP_CODES = ("job_series", "access", "user_training", "supervisor_training", "egain")

_SERIES = re.compile(r"(?:(?:GS|IR)[-\s]?)?(\d{3,4})", re.ASCII | re.IGNORECASE)


@dataclass(frozen=True)
class Readiness:
    """One person's readiness gaps, detached from the session."""

    employee_id: str
    name: str
    manager_id: str | None
    gaps: tuple[str, ...]


def normalize_series(text: str | None) -> str | None:
    """Return a job series as four digits (930, GS-0930 → 0930), or None if it is not one."""
    match = _SERIES.fullmatch((text or "").strip())
    return match.group(1).zfill(4) if match else None


def covered(employee: Employee) -> bool | None:
    """Say whether the readiness rule covers this person; None when it can't be told."""
    series = normalize_series(employee.job_series)
    if employee.role not in TAXPAYER_FACING_ROLES:
        return series in COVERED_SERIES
    if series is None:
        return None
    return series in COVERED_SERIES


def gaps(employee: Employee) -> list[str]:
    """List what the rule asks of this person that is not on record, in GAP_CODES order.

    Without a job series on file the answer starts with "job_series" and goes on as if
    the rule applied, since most ATEs and managers are in a covered series.
    """
    applies = covered(employee)
    if applies is False:
        return []
    missing = {
        "job_series": applies is None,
        "access": employee.access_granted_on is None,
        "user_training": employee.user_training_on is None,
        "supervisor_training": employee.role == "manager"
        and employee.supervisor_training_on is None,
        "egain": not employee.egain,
    }
    return [code for code in GAP_CODES if missing[code]]


def team_gaps(session: Session, manager_id: str) -> list[Readiness]:
    """Return the manager's direct reports who have gaps, by name."""
    team = session.exec(select(Employee).where(Employee.manager_id == manager_id)).all()
    return _with_gaps(team)


def office_gaps(session: Session) -> list[Readiness]:
    """Return everyone on the roster who has gaps, by name."""
    return _with_gaps(session.exec(select(Employee)).all())


def _with_gaps(people: Iterable[Employee]) -> list[Readiness]:
    found = [
        Readiness(person.id, person.name, person.manager_id, tuple(gaps(person)))
        for person in people
    ]
    return sorted((r for r in found if r.gaps), key=lambda r: (r.name.lower(), r.employee_id))
