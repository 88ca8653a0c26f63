"""CAR prompts, checklists, closing confirmations; case origin and closing; notification refs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.AutoString:
    return sqlmodel.AutoString(length=length)


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(_when("closing_at", nullable=True))
        batch.add_column(sa.Column("origin", _text(16), nullable=True))
        batch.add_column(
            sa.Column("business_entity", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("contact_method", _text(8), nullable=True))
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("ref", _text(64), nullable=True))
    op.create_table(
        "carprompt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_number", _text(32), sa.ForeignKey("case.number"), nullable=False),
        sa.Column("employee_id", _text(32), sa.ForeignKey("employee.id"), nullable=False),
        sa.Column("code", _text(24), nullable=False),
        sa.Column("record_date", sa.Date(), nullable=False),
        _when("created_at"),
        _when("confirmed_at", nullable=True),
        sa.Column("confirmed_by", _text(32), nullable=True),
        sa.UniqueConstraint("case_number", "code", name="uq_carprompt_case_code"),
    )
    op.create_index("ix_carprompt_case_number", "carprompt", ["case_number"])
    op.create_table(
        "checklist",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_number", _text(32), sa.ForeignKey("case.number"), nullable=False),
        sa.Column("kind", _text(8), nullable=False),
        sa.Column("employee_id", _text(32), sa.ForeignKey("employee.id"), nullable=False),
        _when("opened_at"),
        _when("progressed_at"),
        _when("closed_at", nullable=True),
        sa.Column("channel", _text(32), nullable=True),
        sa.Column("ts", _text(32), nullable=True),
        sa.UniqueConstraint("case_number", "kind", name="uq_checklist_case_kind"),
    )
    op.create_index("ix_checklist_case_number", "checklist", ["case_number"])
    op.create_table(
        "checkliststep",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("checklist_id", sa.Integer(), sa.ForeignKey("checklist.id"), nullable=False),
        sa.Column("step", _text(8), nullable=False),
        _when("done_at"),
        sa.Column("done_by", _text(32), nullable=False),
        sa.UniqueConstraint("checklist_id", "step", name="uq_checkliststep"),
    )
    op.create_index("ix_checkliststep_checklist_id", "checkliststep", ["checklist_id"])
    op.create_table(
        "closing",
        sa.Column("case_number", _text(32), sa.ForeignKey("case.number"), primary_key=True),
        sa.Column("pdf_saved", sa.Boolean(), nullable=False),
        sa.Column("attached_in_acds", sa.Boolean(), nullable=False),
        sa.Column("closed_in_sm", sa.Boolean(), nullable=False),
        sa.Column("note", _text(500), nullable=True),
        sa.Column("confirmed_by", _text(32), nullable=False),
        _when("confirmed_at"),
    )


def downgrade() -> None:
    op.drop_table("closing")
    op.drop_table("checkliststep")
    op.drop_table("checklist")
    op.drop_table("carprompt")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("ref")
    with op.batch_alter_table("case") as batch:
        batch.drop_column("contact_method")
        batch.drop_column("business_entity")
        batch.drop_column("origin")
        batch.drop_column("closing_at")
