"""The tables. Every datetime column is UTC and timezone-aware (see UTCDateTime)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class Employee(SQLModel, table=True):
    """A person the bot serves: an ATE, a manager or an admin, keyed by Slack user id."""

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=120)
    role: str = Field(default="ate", max_length=16)
    manager_id: str | None = Field(default=None, foreign_key="employee.id", max_length=32)
    tz: str = Field(default="America/New_York", max_length=64)
    egain: str | None = Field(default=None, max_length=16, unique=True)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Question(SQLModel, table=True):
    """A procedure question the bot answered or could not answer."""

    id: int | None = Field(default=None, primary_key=True)
    asked_by: str = Field(max_length=32, index=True)
    asked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    text: str = Field(max_length=2000)
    answered: bool
    section: str | None = Field(default=None, max_length=64)
    score: float = 0.0
    channel: str = Field(default="slash", max_length=16)


class Feedback(SQLModel, table=True):
    """A 👍 or 👎 on an answer; one vote per person and question, the last one counts."""

    __table_args__ = (UniqueConstraint("question_id", "voter", name="uq_feedback_vote"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    voter: str = Field(max_length=32)
    helpful: bool
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SeenSlackEvent(SQLModel, table=True):
    """An Events API event id already handled, so Slack's retries do nothing twice."""

    event_id: str = Field(primary_key=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
