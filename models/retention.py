"""Retention: remove what the store holds about cases closed long enough ago.

A case counts as closed once its closing export was confirmed. The audit log is
kept whole.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete
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


def purge(session: Session, cutoff: datetime, *, actor: str, at: datetime) -> list[str]:
    """Delete every record of the cases closed before the cutoff; return their numbers."""
    cases = closed_before(session, cutoff)
    if not cases:
        return []
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
    return cases
