"""Employee readiness (job series, access and training dates) and digest preferences.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employee") as batch:
        batch.add_column(sa.Column("job_series", sqlmodel.AutoString(length=8), nullable=True))
        batch.add_column(sa.Column("access_granted_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("user_training_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("supervisor_training_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("digest_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("digest_time", sqlmodel.AutoString(length=5), nullable=True))
        batch.add_column(sa.Column("digest_days", sqlmodel.AutoString(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employee") as batch:
        for column in (
            "digest_days",
            "digest_time",
            "digest_enabled",
            "supervisor_training_on",
            "user_training_on",
            "access_granted_on",
            "job_series",
        ):
            batch.drop_column(column)
