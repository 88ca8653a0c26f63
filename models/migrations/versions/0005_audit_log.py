"""The append-only audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.AutoString(length=32), nullable=False),
        sa.Column("action", sqlmodel.AutoString(length=40), nullable=False),
        sa.Column("case_number", sqlmodel.AutoString(length=32), nullable=True),
        sa.Column("detail", sqlmodel.AutoString(length=300), nullable=True),
    )
    op.create_index("ix_auditentry_at", "auditentry", ["at"])
    op.create_index("ix_auditentry_actor", "auditentry", ["actor"])
    op.create_index("ix_auditentry_case_number", "auditentry", ["case_number"])


def downgrade() -> None:
    op.drop_table("auditentry")
