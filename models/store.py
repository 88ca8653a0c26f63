"""Queries the chat surface and the CLI share. Each takes an open session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.db import utcnow
from models.tables import Employee, Feedback, Question, SeenSlackEvent


def record_question(
    session: Session,
    *,
    asked_by: str,
    text: str,
    answered: bool,
    section: str | None,
    score: float,
    channel: str,
    at: datetime | None = None,
) -> Question:
    """Store an asked question and what the bot made of it; return the row with its id."""
    question = Question(
        asked_by=asked_by,
        text=text,
        answered=answered,
        section=section,
        score=score,
        channel=channel,
        asked_at=at or utcnow(),
    )
    session.add(question)
    session.flush()
    return question


def record_feedback(
    session: Session,
    *,
    question_id: int,
    voter: str,
    helpful: bool,
    at: datetime | None = None,
) -> Feedback:
    """Store a vote on an answer; a second vote by the same person replaces the first."""
    existing = session.exec(
        select(Feedback).where(Feedback.question_id == question_id, Feedback.voter == voter)
    ).first()
    at = at or utcnow()
    if existing is None:
        existing = Feedback(question_id=question_id, voter=voter, helpful=helpful, at=at)
    else:
        existing.helpful = helpful
        existing.at = at
    session.add(existing)
    session.flush()
    return existing


def first_sighting(session: Session, event_id: str) -> bool:
    """Record an Events API event id; return False when it was seen before (a retry)."""
    if session.get(SeenSlackEvent, event_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(SeenSlackEvent(event_id=event_id))
    except IntegrityError:
        return False
    return True


WORK_FIELDS = ("work_start", "work_end", "work_days")


def upsert_employee(session: Session, employee: Employee) -> Employee:
    """Insert the employee or update the stored one with the same id."""
    stored = session.get(Employee, employee.id)
    if stored is None:
        session.add(employee)
        session.flush()
        return employee
    for field in ("name", "role", "manager_id", "tz", "egain", "email", *WORK_FIELDS):
        setattr(stored, field, getattr(employee, field))
    session.add(stored)
    session.flush()
    return stored


def get_employee(session: Session, employee_id: str) -> Employee | None:
    """Return the employee with this Slack user id, if on the roster."""
    return session.get(Employee, employee_id)
