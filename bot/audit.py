"""Records exported for audit: the closing-export confirmations and the audit log."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, time
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models import audit
from models.tables import Case, Closing, Employee

CLOSING_COLUMNS = (
    "case",
    "ate",
    "confirmed_by",
    "confirmed_by_name",
    "confirmed_at",
    "pdf_saved",
    "attached_in_acds",
    "closed_in_sm",
    "note",
)


def closings_rows(engine: Engine, since: date | None, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Return each stored closing confirmation, oldest first (`since` in the office's zone)."""
    query = select(Closing).order_by(col(Closing.confirmed_at))
    if since is not None:
        query = query.where(Closing.confirmed_at >= datetime.combine(since, time(), zone))
    with Session(engine) as session:
        return [_closing_row(session, closing) for closing in session.exec(query).all()]


def _closing_row(session: Session, closing: Closing) -> dict[str, Any]:
    case = session.get(Case, closing.case_number)
    person = session.get(Employee, closing.confirmed_by)
    return {
        "case": closing.case_number,
        "ate": case.owner_id if case else "",
        "confirmed_by": closing.confirmed_by,
        "confirmed_by_name": person.name if person else "",
        "confirmed_at": closing.confirmed_at.isoformat(),
        "pdf_saved": closing.pdf_saved,
        "attached_in_acds": closing.attached_in_acds,
        "closed_in_sm": closing.closed_in_sm,
        "note": closing.note or "",
    }


AUDIT_COLUMNS = ("at", "actor", "action", "case", "detail")


def audit_rows(engine: Engine, since: date | None, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Return the audit log, oldest first (`since` in the office's zone)."""
    start = datetime.combine(since, time(), zone) if since is not None else None
    with Session(engine) as session:
        return [
            {
                "at": entry.at.isoformat(),
                "actor": entry.actor,
                "action": entry.action,
                "case": entry.case_number or "",
                "detail": entry.detail or "",
            }
            for entry in audit.entries(session, start)
        ]


def write_rows(
    rows: list[dict[str, Any]],
    form: str,
    out: TextIO,
    columns: tuple[str, ...] = CLOSING_COLUMNS,
) -> None:
    """Write rows as CSV with a header, or as one JSON object per line."""
    if form == "json":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
