"""The tables. Every datetime column is UTC and timezone-aware (see UTCDateTime)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
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
    work_start: str | None = Field(default=None, max_length=5)
    work_end: str | None = Field(default=None, max_length=5)
    work_days: str | None = Field(default=None, max_length=20)
    job_series: str | None = Field(default=None, max_length=8)
    access_granted_on: date | None = None
    user_training_on: date | None = None
    supervisor_training_on: date | None = None
    digest_enabled: bool = True
    digest_time: str | None = Field(default=None, max_length=5)
    digest_days: str | None = Field(default=None, max_length=20)
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


class Case(SQLModel, table=True):
    """A case, named by its case number only, owned by one ATE."""

    number: str = Field(primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="employee.id", max_length=32, index=True)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closing_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    origin: str | None = Field(default=None, max_length=16)
    business_entity: bool = False
    contact_method: str | None = Field(default=None, max_length=8)


class SecureMessage(SQLModel, table=True):
    """One secure message on a case: inbound (from the taxpayer) or outbound (a reply).

    An inbound message is open until it is settled: by a later reply on the case,
    or by its ATE marking it as needing no reply.
    """

    __table_args__ = (
        Index("ix_securemessage_open", "case_number", "direction", "settled_at"),
        # A team's open messages, for digests and Home tabs.
        Index("ix_securemessage_owner_open", "employee_id", "settled_at"),
    )

    id: str = Field(primary_key=True, max_length=64)
    case_number: str = Field(foreign_key="case.number", max_length=32)
    employee_id: str = Field(foreign_key="employee.id", max_length=32)
    direction: str = Field(max_length=3)
    at: datetime = Field(sa_type=UTCDateTime)
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    settled_how: str | None = Field(default=None, max_length=20)
    settled_note: str | None = Field(default=None, max_length=200)
    settled_by: str | None = Field(default=None, max_length=32)


class Notification(SQLModel, table=True):
    """A message the bot owes someone, due at an instant: the outbox the sweep drains.

    `key` is unique per message and level, so no notification can exist (or be
    sent) twice. `not_before` is when the sweep may next take it: the due instant,
    a retry's back-off, or the end of a claim's lease.
    """

    __table_args__ = (
        Index("ix_notification_sweep", "state", "not_before"),
        # What went out since an instant, by kind: the digest's escalations.
        Index("ix_notification_sent", "kind", "state", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=128, unique=True)
    kind: str = Field(max_length=24)
    recipient_id: str = Field(max_length=32, index=True)
    case_number: str | None = Field(default=None, max_length=32, index=True)
    message_id: str | None = Field(default=None, max_length=64, index=True)
    level: int | None = None
    due_at: datetime = Field(sa_type=UTCDateTime)
    not_before: datetime = Field(sa_type=UTCDateTime)
    state: str = Field(default="pending", max_length=12)
    snoozed: bool = False
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, max_length=200)
    ref: str | None = Field(default=None, max_length=64)


class SeenEvent(SQLModel, table=True):
    """An event id from the webhook, an import or a replay already applied."""

    id: str = Field(primary_key=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CarPrompt(SQLModel, table=True):
    """An entry the procedure says the ATE must make in the case activity record (CAR)."""

    __table_args__ = (
        UniqueConstraint("case_number", "code", name="uq_carprompt_case_code"),
        Index("ix_carprompt_owner_open", "employee_id", "confirmed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(foreign_key="case.number", max_length=32, index=True)
    employee_id: str = Field(foreign_key="employee.id", max_length=32)
    code: str = Field(max_length=24)
    record_date: date
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_by: str | None = Field(default=None, max_length=32)


class Checklist(SQLModel, table=True):
    """A multi-step procedure on a case (TFA case-file request, POA revocation)."""

    __table_args__ = (
        UniqueConstraint("case_number", "kind", name="uq_checklist_case_kind"),
        Index("ix_checklist_owner_open", "employee_id", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(foreign_key="case.number", max_length=32, index=True)
    kind: str = Field(max_length=8)
    employee_id: str = Field(foreign_key="employee.id", max_length=32)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    progressed_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)


class ChecklistStep(SQLModel, table=True):
    """One ticked step of a checklist: who ticked it and when."""

    __table_args__ = (UniqueConstraint("checklist_id", "step", name="uq_checkliststep"),)

    id: int | None = Field(default=None, primary_key=True)
    checklist_id: int = Field(foreign_key="checklist.id", index=True)
    step: str = Field(max_length=8)
    done_at: datetime = Field(sa_type=UTCDateTime)
    done_by: str = Field(max_length=32)


class Closing(SQLModel, table=True):
    """The closing-export confirmation of a case: each of the three items, who and when."""

    case_number: str = Field(primary_key=True, foreign_key="case.number", max_length=32)
    pdf_saved: bool
    attached_in_acds: bool
    closed_in_sm: bool
    note: str | None = Field(default=None, max_length=500)
    confirmed_by: str = Field(max_length=32)
    confirmed_at: datetime = Field(sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """One change, who made it and when. Append-only: nothing updates or deletes these rows."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=32, index=True)
    action: str = Field(max_length=40)
    case_number: str | None = Field(default=None, max_length=32, index=True)
    detail: str | None = Field(default=None, max_length=300)
