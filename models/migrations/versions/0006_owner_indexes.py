"""Indexes for a person's or a team's open items and for what went out since an instant.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_securemessage_owner_open", "securemessage", ["employee_id", "settled_at"]),
    ("ix_carprompt_owner_open", "carprompt", ["employee_id", "confirmed_at"]),
    ("ix_checklist_owner_open", "checklist", ["employee_id", "closed_at"]),
    ("ix_notification_sent", "notification", ["kind", "state", "sent_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
