"""The audit log: who changed what and when. Append-only; retention purges leave it alone."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models.tables import AuditEntry

SYSTEM = "system"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    at: datetime,
    case: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one entry (no taxpayer data: callers pass ids, codes and short reasons only)."""
    session.add(
        AuditEntry(
            at=at,
            actor=actor[:32],
            action=action[:40],
            case_number=case,
            detail=detail[:300] if detail else None,
        )
    )


def entries(session: Session, since: datetime | None = None) -> list[AuditEntry]:
    """Return the entries in time order, from `since` on."""
    query = select(AuditEntry).order_by(col(AuditEntry.at), col(AuditEntry.id))
    if since is not None:
        query = query.where(col(AuditEntry.at) >= since)
    return list(session.exec(query).all())
