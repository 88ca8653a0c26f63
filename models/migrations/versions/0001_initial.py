"""Employees, questions, feedback and seen Slack events.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employee",
        sa.Column("id", sqlmodel.AutoString(length=32), primary_key=True),
        sa.Column("name", sqlmodel.AutoString(length=120), nullable=False),
        sa.Column("role", sqlmodel.AutoString(length=16), nullable=False),
        sa.Column(
            "manager_id",
            sqlmodel.AutoString(length=32),
            sa.ForeignKey("employee.id"),
            nullable=True,
        ),
        sa.Column("tz", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("egain", sqlmodel.AutoString(length=16), nullable=True, unique=True),
        sa.Column("email", sqlmodel.AutoString(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("asked_by", sqlmodel.AutoString(length=32), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sqlmodel.AutoString(length=2000), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("section", sqlmodel.AutoString(length=64), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("channel", sqlmodel.AutoString(length=16), nullable=False),
    )
    op.create_index("ix_question_asked_by", "question", ["asked_by"])
    op.create_index("ix_question_asked_at", "question", ["asked_at"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("voter", sqlmodel.AutoString(length=32), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("question_id", "voter", name="uq_feedback_vote"),
    )
    op.create_index("ix_feedback_question_id", "feedback", ["question_id"])
    op.create_table(
        "seenslackevent",
        sa.Column("event_id", sqlmodel.AutoString(length=64), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("seenslackevent")
    op.drop_index("ix_feedback_question_id", table_name="feedback")
    op.drop_table("feedback")
    op.drop_index("ix_question_asked_at", table_name="question")
    op.drop_index("ix_question_asked_by", table_name="question")
    op.drop_table("question")
    op.drop_table("employee")
