"""What is late or missing on a manager's team (or the whole office), and when digests go out.

Composition reads the store and returns plain data; the chat surface lays it out.
A digest is an outbox notification keyed by manager and local date, so each
manager gets each day's digest once, whatever restarts or replicas do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.tables import (
    CarPrompt,
    Case,
    Checklist,
    Closing,
    Employee,
    Feedback,
    Notification,
    Question,
    SecureMessage,
)
from reminders.case_actions import CAR_ENTRY_NAMES, STALL_DAYS
from reminders.policy import Policy, parse_clock_time, parse_days
from reminders.tracking import INBOUND, schedule_of

DIGEST_TIME = time(8, 30)
PROMPT_LATE_DAYS = 2.0
SECTIONS = ("overdue", "escalations", "car", "closing", "checklists", "readiness")


@dataclass(frozen=True)
class Item:
    """One line of a digest: whose, which case, what, and how old (business days)."""

    owner: str
    case: str | None
    what: str
    age: float
    level: int | None = None


@dataclass
class Digest:
    """A manager's (or the office's) digest, section by section."""

    recipient: str
    office: bool
    since: datetime
    sections: dict[str, list[Item]] = field(default_factory=dict)
    unanswered_questions: list[str] = field(default_factory=list)
    unhelpful_answers: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Count every item, the admin extras included."""
        items = sum(len(items) for items in self.sections.values())
        return items + len(self.unanswered_questions) + len(self.unhelpful_answers)


def team(session: Session, manager_id: str) -> list[Employee]:
    """Return the people who report to this manager."""
    query = select(Employee).where(Employee.manager_id == manager_id).order_by(Employee.name)
    return list(session.exec(query).all())


def compose(
    session: Session, policy: Policy, recipient: Employee, now: datetime, since: datetime
) -> Digest:
    """Gather what is late or missing on the recipient's team (an admin: the whole office)."""
    office = recipient.role == "admin"
    people = list(session.exec(select(Employee)).all()) if office else team(session, recipient.id)
    by_id = {person.id: person for person in people}
    digest = Digest(recipient=recipient.id, office=office, since=since)
    digest.sections["overdue"] = _overdue(session, policy, by_id, now)
    digest.sections["escalations"] = _escalations(session, by_id, since, now)
    digest.sections["car"] = _late_prompts(session, policy, by_id, now)
    digest.sections["closing"] = _closing_missing(session, policy, by_id, now)
    digest.sections["checklists"] = _stalled(session, policy, by_id, now)
    digest.sections["readiness"] = _readiness(people)
    if office:
        digest.unanswered_questions, digest.unhelpful_answers = _feedback(session, since, now)
    return digest


def _age(policy: Policy, person: Employee, since: datetime, now: datetime) -> float:
    return schedule_of(policy, person).business_days_between(since, now)


def _overdue(
    session: Session, policy: Policy, people: dict[str, Employee], now: datetime
) -> list[Item]:
    """Open inbound messages at least one reminder old, with the highest level sent."""
    # Columns, not whole rows: a digest reads many and needs four fields of each.
    rows = session.exec(
        select(SecureMessage.employee_id, SecureMessage.case_number, SecureMessage.at)
        .where(
            col(SecureMessage.employee_id).in_(list(people)),
            col(SecureMessage.settled_at).is_(None),
            SecureMessage.direction == INBOUND,
        )
        .order_by(col(SecureMessage.at))
    ).all()
    items = []
    for employee_id, case_number, at in rows:
        person = people[employee_id]
        age = _age(policy, person, at, now)
        if age < min(policy.reminder_days or (policy.escalation_days,)):
            continue
        level = sum(1 for days in (*policy.reminder_days, policy.escalation_days) if age >= days)
        items.append(Item(person.name, case_number, "unanswered message", age, level))
    return sorted(items, key=lambda item: -item.age)


def _escalations(
    session: Session, people: dict[str, Employee], since: datetime, now: datetime
) -> list[Item]:
    # The team's messages as a subquery: the planner then starts from the few escalations
    # sent in the window instead of from every message the team ever had.
    team_messages = select(SecureMessage.id).where(col(SecureMessage.employee_id).in_(people))
    rows = session.exec(
        select(
            Notification.level,
            SecureMessage.id,
            SecureMessage.case_number,
            SecureMessage.employee_id,
        )
        .join(SecureMessage, col(SecureMessage.id) == col(Notification.message_id))
        .where(
            Notification.kind == "escalation",
            Notification.state == "sent",
            col(Notification.sent_at) > since,
            col(Notification.sent_at) <= now,
            col(Notification.message_id).in_(team_messages),
        )
    ).all()
    seen: dict[str, Item] = {}
    for level, message_id, case_number, employee_id in rows:
        person = people[employee_id]
        seen.setdefault(message_id, Item(person.name, case_number, "escalated", 0.0, level))
    return list(seen.values())


def _late_prompts(
    session: Session, policy: Policy, people: dict[str, Employee], now: datetime
) -> list[Item]:
    rows = session.exec(
        select(
            CarPrompt.employee_id, CarPrompt.case_number, CarPrompt.code, CarPrompt.created_at
        ).where(
            col(CarPrompt.employee_id).in_(list(people)), col(CarPrompt.confirmed_at).is_(None)
        )
    ).all()
    items = []
    for employee_id, case_number, code, created_at in rows:
        person = people[employee_id]
        age = _age(policy, person, created_at, now)
        if age >= PROMPT_LATE_DAYS:
            name = CAR_ENTRY_NAMES.get(code, code)
            items.append(Item(person.name, case_number, f"{name} not recorded", age))
    return sorted(items, key=lambda item: -item.age)


def _closing_missing(
    session: Session, policy: Policy, people: dict[str, Employee], now: datetime
) -> list[Item]:
    rows = session.exec(
        select(Case.owner_id, Case.number, Case.closing_at)
        .outerjoin(Closing, col(Closing.case_number) == col(Case.number))
        .where(
            col(Case.owner_id).in_(list(people)),
            col(Case.closing_at).is_not(None),
            col(Closing.case_number).is_(None),
        )
    ).all()
    items = []
    for owner_id, number, closing_at in rows:
        if closing_at is not None:
            person = people[owner_id]
            age = _age(policy, person, closing_at, now)
            items.append(Item(person.name, number, "closing export not confirmed", age))
    return items


def _stalled(
    session: Session, policy: Policy, people: dict[str, Employee], now: datetime
) -> list[Item]:
    rows = session.exec(
        select(
            Checklist.employee_id, Checklist.case_number, Checklist.kind, Checklist.progressed_at
        )
        .join(Case, col(Case.number) == col(Checklist.case_number))
        .where(
            col(Checklist.employee_id).in_(list(people)),
            col(Checklist.closed_at).is_(None),
            col(Case.closed_at).is_(None),  # a closed case's checklist is not chased
        )
    ).all()
    items = []
    for employee_id, case_number, kind, progressed_at in rows:
        person = people[employee_id]
        age = _age(policy, person, progressed_at, now)
        if age >= STALL_DAYS:
            items.append(Item(person.name, case_number, f"{kind.upper()} checklist stalled", age))
    return items


def _readiness(people: list[Employee]) -> list[Item]:
    from models.readiness import gaps  # the roster feature's rules (IRM 8.6.1.4.X(2))

    items = []
    for person in people:
        for gap in gaps(person):
            items.append(Item(person.name, None, gap, 0.0))
    return items


def _feedback(session: Session, since: datetime, now: datetime) -> tuple[list[str], list[str]]:
    window = (col(Question.asked_at) > since, col(Question.asked_at) <= now)
    unanswered = session.exec(
        select(Question.text).where(col(Question.answered).is_(False), *window)
    ).all()
    unhelpful = session.exec(
        select(Question.text, Question.section)
        .join(Feedback, col(Feedback.question_id) == col(Question.id))
        .where(col(Feedback.helpful).is_(False), col(Feedback.at) > since, col(Feedback.at) <= now)
    ).all()
    return list(unanswered), [f"{text} → {section}" for text, section in unhelpful]


# --- when digests go out ---------------------------------------------------------------


def next_digest_at(policy: Policy, person: Employee, after: datetime) -> datetime:
    """Return the next digest instant strictly after `after`: the person's digest time on
    their digest days (default working days), never on a holiday, in their own zone."""
    for candidate in _digest_slots(policy, person, after, step=1):
        if candidate > after:
            return candidate
    raise ValueError(f"no digest day within a year for {person.id}")


def _digest_slots(
    policy: Policy, person: Employee, around: datetime, *, step: int
) -> Iterator[datetime]:
    """Yield the person's digest instants day by day from `around`'s local date, forwards
    (step 1) or backwards (step -1), for up to a year."""
    schedule = schedule_of(policy, person)
    at = parse_clock_time(person.digest_time) if person.digest_time else DIGEST_TIME
    days = parse_days(person.digest_days) if person.digest_days else schedule.weekdays
    local = around.astimezone(schedule.zone())
    for offset in range(0, 400):
        day: date = local.date() + timedelta(days=offset * step)
        if day.weekday() in days and not schedule.holidays.is_holiday(day):
            yield datetime.combine(day, at, schedule.zone())


def plan_digests(session: Session, policy: Policy, now: datetime) -> int:
    """Make sure each manager and admin has their next digest in the outbox; return how many
    were added. Safe to run from every replica: the key is unique per person and day."""
    added = 0
    readers = session.exec(
        select(Employee).where(col(Employee.role).in_(("manager", "admin")))
    ).all()
    for person in readers:
        if not person.digest_enabled or _has_upcoming(session, person.id, now):
            continue
        due = next_digest_at(policy, person, now)
        key = f"digest:{person.id}:{due.date().isoformat()}"
        try:
            with session.begin_nested():
                session.add(
                    Notification(
                        key=key,
                        kind="digest",
                        recipient_id=person.id,
                        due_at=due,
                        not_before=due,
                        ref=f"digest:{person.id}",
                    )
                )
            added += 1
        except IntegrityError:
            continue
    return added


def replan(session: Session, person_id: str) -> None:
    """Drop a person's next planned digest so the next sweep plans it on their new settings.

    The row is deleted, not cancelled, so its key (person and day) is free again.
    """
    session.execute(
        delete(Notification).where(
            col(Notification.kind) == "digest",
            col(Notification.recipient_id) == person_id,
            col(Notification.state) == "pending",
        )
    )


def _has_upcoming(session: Session, person_id: str, now: datetime) -> bool:
    return (
        session.exec(
            select(Notification.id).where(
                Notification.kind == "digest",
                Notification.recipient_id == person_id,
                col(Notification.state).in_(("pending", "claimed")),
            )
        ).first()
        is not None
    )


def previous_digest_at(
    session: Session, policy: Policy, person: Employee, before: datetime
) -> datetime:
    """Return when this person's last digest went out; if none did, their digest instant
    on the last digest day before `before`'s (a first digest on Monday covers Friday on)."""
    last = session.exec(
        select(Notification.sent_at)
        .where(
            Notification.kind == "digest",
            Notification.recipient_id == person.id,
            Notification.state == "sent",
            col(Notification.sent_at) < before,
        )
        .order_by(col(Notification.sent_at).desc())
    ).first()
    if last is not None:
        return last
    # From the day before: today's slot is the digest being composed (perhaps late).
    yesterday = before - timedelta(days=1)
    return next(_digest_slots(policy, person, yesterday, step=-1), yesterday)
