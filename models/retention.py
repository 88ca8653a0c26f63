"""Retention: remove what the store holds about cases closed long enough ago.

A case counts as closed once its closing export was confirmed. A case closed before
the cut-off but with a secure message, CAR prompt or checklist activity from the
cut-off on is kept (a message received after its closing, say). The audit log is
kept whole.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from models import audit
from models.tables import (
    CarPrompt,
    Case,
    Checklist,
    ChecklistStep,
    Closing,
    Notification,
    SecureMessage,
)

logger = logging.getLogger(__name__)


def closed_before(session: Session, cutoff: datetime) -> list[str]:
    """Return the numbers of cases whose closing export was confirmed before the cutoff."""
    query = select(Closing.case_number).where(col(Closing.confirmed_at) < cutoff)
    return list(session.exec(query).all())


def active_since(session: Session, cases: list[str], cutoff: datetime) -> set[str]:
    """Return those of the cases with a secure message, CAR prompt or checklist from the cutoff."""
    if not cases:
        return set()
    queries = (
        select(SecureMessage.case_number).where(
            col(SecureMessage.case_number).in_(cases),
            or_(col(SecureMessage.at) >= cutoff, col(SecureMessage.settled_at) >= cutoff),
        ),
        select(CarPrompt.case_number).where(
            col(CarPrompt.case_number).in_(cases),
            or_(col(CarPrompt.created_at) >= cutoff, col(CarPrompt.confirmed_at) >= cutoff),
        ),
        select(Checklist.case_number).where(
            col(Checklist.case_number).in_(cases),
            or_(
                col(Checklist.opened_at) >= cutoff,
                col(Checklist.progressed_at) >= cutoff,
                col(Checklist.closed_at) >= cutoff,
            ),
        ),
    )
    return {number for query in queries for number in session.exec(query).all()}


@dataclass(frozen=True)
class Purged:
    """What a purge did: the cases removed, and those closed before the cutoff but kept."""

    removed: list[str]
    kept: list[str]


def purge(session: Session, cutoff: datetime, *, actor: str, at: datetime) -> Purged:
    """Delete every record of the cases closed before the cutoff and quiet since it."""
    closed = closed_before(session, cutoff)
    active = active_since(session, closed, cutoff)
    cases = [number for number in closed if number not in active]
    kept = sorted(active)
    if kept:
        logger.info("purge kept cases=%s cutoff=%s", len(kept), cutoff.date())
    if not cases:
        return Purged([], kept)
    checklists = select(Checklist.id).where(col(Checklist.case_number).in_(cases))
    session.execute(delete(ChecklistStep).where(col(ChecklistStep.checklist_id).in_(checklists)))
    for table in (Checklist, CarPrompt, Notification, SecureMessage, Closing):
        session.execute(delete(table).where(col(table.case_number).in_(cases)))
    session.execute(delete(Case).where(col(Case.number).in_(cases)))
    audit.record(
        session,
        actor=actor,
        action="retention.purged",
        at=at,
        detail=f"{len(cases)} case(s) closed before {cutoff:%Y-%m-%d}",
    )
    logger.info("purged cases=%s cutoff=%s", len(cases), cutoff.date())
    return Purged(cases, kept)
