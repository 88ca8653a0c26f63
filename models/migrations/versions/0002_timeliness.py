"""Cases, secure messages, the notification outbox, seen events, personal schedules.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.AutoString:
    return sqlmodel.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("employee") as batch:
        batch.add_column(sa.Column("work_start", _text(5), nullable=True))
        batch.add_column(sa.Column("work_end", _text(5), nullable=True))
        batch.add_column(sa.Column("work_days", _text(20), nullable=True))
    op.create_table(
        "case",
        sa.Column("number", _text(32), primary_key=True),
        sa.Column("owner_id", _text(32), sa.ForeignKey("employee.id"), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_case_owner_id", "case", ["owner_id"])
    op.create_table(
        "securemessage",
        sa.Column("id", _text(64), primary_key=True),
        sa.Column("case_number", _text(32), sa.ForeignKey("case.number"), nullable=False),
        sa.Column("employee_id", _text(32), sa.ForeignKey("employee.id"), nullable=False),
        sa.Column("direction", _text(3), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_how", _text(20), nullable=True),
        sa.Column("settled_note", _text(200), nullable=True),
        sa.Column("settled_by", _text(32), nullable=True),
    )
    op.create_index(
        "ix_securemessage_open", "securemessage", ["case_number", "direction", "settled_at"]
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", _text(128), nullable=False, unique=True),
        sa.Column("kind", _text(24), nullable=False),
        sa.Column("recipient_id", _text(32), nullable=False),
        sa.Column("case_number", _text(32), nullable=True),
        sa.Column("message_id", _text(64), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", _text(12), nullable=False),
        sa.Column("snoozed", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", _text(64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", _text(32), nullable=True),
        sa.Column("ts", _text(32), nullable=True),
        sa.Column("error", _text(200), nullable=True),
    )
    op.create_index("ix_notification_sweep", "notification", ["state", "not_before"])
    op.create_index("ix_notification_recipient_id", "notification", ["recipient_id"])
    op.create_index("ix_notification_case_number", "notification", ["case_number"])
    op.create_index("ix_notification_message_id", "notification", ["message_id"])
    op.create_table(
        "seenevent",
        sa.Column("id", _text(64), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("seenevent")
    op.drop_table("notification")
    op.drop_table("securemessage")
    op.drop_table("case")
    with op.batch_alter_table("employee") as batch:
        batch.drop_column("work_days")
        batch.drop_column("work_end")
        batch.drop_column("work_start")
