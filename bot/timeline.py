"""`smbot replay` and `smbot import events`: timelines of events through the real domain code.

Replay runs on a scratch SQLite store with a simulated clock: before each event
the sweep delivers everything that fell due up to that event's instant, each at
its own due instant, through a notifier that prints instead of posting.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.guard import TAXPAYER_DATA_REASON, looks_like_taxpayer_id
from bot.notices import NoticeRenderer
from bot.services import case_rules
from bot.settings import Settings
from models.db import make_engine, session_scope
from models.errors import UserError
from models.migrate import upgrade
from models.tables import CarPrompt, Employee, Notification
from reminders.digest import plan_digests
from reminders.events import ConfigEvent, Event, EventRejected, parse_csv_row, parse_event_json
from reminders.intake import CaseRules, apply_event
from reminders.policy import Policy
from reminders.sweep import Delivery, SimulatedClock, Sweeper, deliver_until


@dataclass
class Line:
    """One line of an events file: its number and the event, or why it was refused."""

    number: int
    event: Event | None = None
    reason: str | None = None


def read_events(path: Path) -> Iterator[Line]:
    """Read JSON lines (or CSV with a header, for a .csv file), validating each line."""
    try:
        yield from _read_events(path)
    except UnicodeDecodeError:
        raise UserError(
            f"{path} is not UTF-8 text. Save it as UTF-8 (JSON lines, or CSV with a header row) "
            "and try again."
        ) from None


def _read_events(path: Path) -> Iterator[Line]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        if path.suffix.lower() == ".csv":
            for number, row in enumerate(csv.DictReader(handle), start=2):
                yield _checked(number, json.dumps(row), partial(parse_csv_row, row))
            return
        for number, text in enumerate(handle, start=1):
            if text.strip() and not text.lstrip().startswith("#"):
                yield _checked(number, text, partial(parse_event_json, text))


def _checked(number: int, raw: str, parse: Callable[[], Event]) -> Line:
    if looks_like_taxpayer_id(raw):
        return Line(number, reason=TAXPAYER_DATA_REASON)
    try:
        return Line(number, event=parse())
    except UserError as error:
        return Line(number, reason=error.message)


@dataclass
class Sent:
    """One notification as the replay prints it."""

    at: datetime
    to: str
    kind: str
    case: str | None
    level: int | None
    code: str | None
    text: str

    def as_json(self) -> dict[str, Any]:
        """Return the `replay --json` object."""
        return {
            "at": self.at.isoformat(),
            "to": self.to,
            "kind": self.kind,
            "case": self.case,
            "level": self.level,
            "code": self.code,
            "text": self.text,
        }


@dataclass
class PrintingNotifier:
    """A notifier that records what would be sent, at the simulated instant."""

    engine: Engine
    renderer: NoticeRenderer
    sent: list[Sent] = field(default_factory=list)

    async def deliver(
        self, notification: Notification, *, now: datetime, reattempt: bool
    ) -> Delivery:
        """Record the notification as delivered at `now`, in the recipient's zone."""
        text, _blocks = self.renderer(notification, now)
        with Session(self.engine) as session:
            person = session.get(Employee, notification.recipient_id)
            code = car_code(session, notification)
        zone = ZoneInfo(person.tz) if person else UTC
        self.sent.append(
            Sent(
                now.astimezone(zone),
                notification.recipient_id,
                notification.kind,
                notification.case_number,
                notification.level,
                code,
                text,
            )
        )
        return Delivery("sent", channel=f"D{notification.recipient_id}", ts=str(len(self.sent)))


def car_code(session: Session, notification: Notification) -> str | None:
    """Return the CAR code a prompt asks for (None for other notifications)."""
    if notification.kind != "car_prompt" or not notification.ref:
        return None
    prompt = session.get(CarPrompt, int(notification.ref.split(":")[1]))
    return prompt.code if prompt else None


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Replay:
    """Feed events to the domain in order, delivering what falls due in between."""

    def __init__(self, engine: Engine, policy: Policy, rules: CaseRules) -> None:
        self.engine = engine
        self.policy = policy
        self.rules = rules
        self.clock = SimulatedClock(EPOCH)
        self.notifier = PrintingNotifier(engine, NoticeRenderer(engine, policy))
        self.sweeper = Sweeper(
            engine, self.notifier, self.clock, worker="replay", plan=self._plan_digests
        )

    def _plan_digests(self, now: datetime) -> int:
        with session_scope(self.engine) as session:
            return plan_digests(session, self.policy, now)

    async def feed(self, event: Event) -> None:
        """Deliver what is due before the event, then apply it at its instant."""
        if event.at is not None:
            if self.clock.now == EPOCH:
                self.clock.now = event.at  # the timeline starts at its first instant
            await self.advance(event.at)
        if isinstance(event, ConfigEvent):
            try:
                self.policy = self.policy.with_overrides(event.settings)
            except ValueError as error:
                raise EventRejected(f"config: {error}", 422) from None
            self.notifier.renderer.policy = self.policy
            return
        with session_scope(self.engine) as session:
            apply_event(session, self.policy, event, rules=self.rules)

    async def advance(self, until: datetime) -> None:
        """Move the clock to `until`, delivering each notification at its due instant."""
        await deliver_until(self.sweeper, self.clock, until)


async def run_replay(path: Path, settings: Settings, policy: Policy, *, as_json: bool) -> int:
    """Replay a file on a scratch store; print each notification, refusals to stderr."""
    import sys

    with tempfile.TemporaryDirectory(prefix="smbot-replay-") as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'replay.db'}")
        upgrade(engine)
        replay = Replay(engine, policy, case_rules(settings))
        status, printed = 0, 0
        for line in read_events(path):
            if line.event is None:
                print(f"line {line.number}: {line.reason}", file=sys.stderr)
                status = 1
                continue
            try:
                await replay.feed(line.event)
            except UserError as error:
                print(f"line {line.number}: {error.message}", file=sys.stderr)
                status = 1
            printed = _print_new(replay.notifier.sent, printed, as_json)
        engine.dispose()
    return status


def _print_new(sent: list[Sent], printed: int, as_json: bool) -> int:
    for item in sent[printed:]:
        if as_json:
            print(json.dumps(item.as_json(), ensure_ascii=False))
        else:
            print(f"[{item.at:%a %Y-%m-%d %H:%M %Z}] {item.kind} → {item.to}\n{item.text}\n")
    return len(sent)


IMPORT_BATCH = 500


def import_events(
    path: Path,
    settings: Settings,
    policy: Policy,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, list[Line]]:
    """Apply a backfill file to the store; return how many applied and the refused lines.

    Lines are applied in batches of one transaction each, every line in its own
    savepoint, so a refused line is rolled back alone and a large file stays fast.
    """
    engine = make_engine(settings.database_url)
    upgrade(engine)
    rules = case_rules(settings)
    applied, refused, seen = 0, [], 0
    lines = read_events(path)
    while batch := list(islice(lines, IMPORT_BATCH)):
        with session_scope(engine) as session:
            for line in batch:
                outcome = _apply_line(session, policy, rules, line)
                if isinstance(outcome, Line):
                    refused.append(outcome)
                else:
                    applied += outcome
        seen += len(batch)
        if progress is not None:
            progress(seen)
    engine.dispose()
    return applied, refused


def _apply_line(session: Session, policy: Policy, rules: CaseRules, line: Line) -> int | Line:
    """Apply one line in a savepoint; return 1 if applied, 0 if a repeat, or the refusal."""
    if line.event is None:
        return line
    try:
        with session.begin_nested():
            outcome = apply_event(session, policy, line.event, rules=rules)
    except (UserError, ValidationError) as error:
        return Line(line.number, reason=getattr(error, "message", str(error)))
    return 0 if outcome.duplicate else 1
