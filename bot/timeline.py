"""`smbot replay` and `smbot import events`: timelines of events through the real domain code.

Replay runs on a scratch SQLite store with a simulated clock: before each event
the sweep delivers everything that fell due up to that event's instant, each at
its own due instant, and after it what the event made due at that instant, through
a notifier that prints instead of posting. The file is known up front, so a
manager's `employee` line may come after the lines of their team (`replay_order`).
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import texts
from bot.notices import NoticeRenderer
from bot.render import DEFAULT_WIDTH, render_message
from bot.services import case_rules
from bot.settings import Settings
from bot.textfiles import open_text
from models.db import make_engine, session_scope, utcnow
from models.errors import UserError
from models.migrate import upgrade
from models.tables import CarPrompt, Employee, Notification
from reminders.digest import plan_digests
from reminders.events import (
    ConfigEvent,
    EmployeeEvent,
    Event,
    EventRejected,
    parse_csv_row,
    parse_event_json,
)
from reminders.intake import CaseRules, apply_event, refuse_replay_only
from reminders.policy import Policy
from reminders.sweep import Delivery, SimulatedClock, Sweeper, deliver_until
from reminders.when import FUTURE_GRACE


@dataclass
class Line:
    """One line of an events file: its number and the event, or why it was refused."""

    number: int
    event: Event | None = None
    reason: str | None = None


def read_events(path: Path) -> Iterator[Line]:
    """Read JSON lines (or CSV with a header, for a .csv file), validating each line.

    The file is read as the roster is: UTF-8 or UTF-16 with a byte-order mark, anything
    else refused with how to save it as UTF-8 (`bot.textfiles.open_text`).
    """
    with open_text(path) as handle:
        if path.suffix.lower() == ".csv":
            for number, row in enumerate(csv.DictReader(handle), start=2):
                yield _checked(number, partial(parse_csv_row, row))
            return
        for number, text in enumerate(handle, start=1):
            if text.strip() and not text.lstrip().startswith("#"):
                yield _checked(number, partial(parse_event_json, text))


def _checked(number: int, parse: Callable[[], Event]) -> Line:
    # The taxpayer-data guard runs inside parsing, on the decoded texts (`parse_event`).
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
    name: str | None = None
    blocks: list[dict[str, Any]] = field(default_factory=list)

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

    def as_terminal(self, width: int = DEFAULT_WIDTH) -> str:
        """Return the notification as the demo and console show a message: rendered Block Kit."""
        who = f"{self.name} ({self.to})" if self.name else self.to
        heading = f"── to {who} · {self.kind} ".ljust(width, "─")
        body = render_message(self.blocks, self.text, width=width).text.rstrip()
        return f"[{self.at:%a %Y-%m-%d %H:%M %Z}]\n{heading}\n{body}\n"


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
        text, blocks = self.renderer(notification, now)
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
                name=person.name if person else None,
                blocks=blocks,
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

# What a `config` line's settings must be before the policy checks how they fit together.
CONFIG_VALUES: dict[str, TypeAdapter[Any]] = {
    "reminder_days": TypeAdapter(list[float]),
    "escalation_days": TypeAdapter(float),
    "snooze_hours": TypeAdapter(list[int]),
    "work_start": TypeAdapter(str),
    "work_end": TypeAdapter(str),
    "work_days": TypeAdapter(str),
    "office_tz": TypeAdapter(str),
    "executive_closures": TypeAdapter(bool),
}


def configured(policy: Policy, settings: dict[str, Any]) -> Policy:
    """Return the policy with a config line's settings, or refuse the line naming the setting."""
    values: dict[str, Any] = {}
    for name, value in settings.items():
        if name not in CONFIG_VALUES:
            raise EventRejected(texts.replay_unknown_setting(name))
        try:
            values[name] = CONFIG_VALUES[name].validate_python(value)
        except ValidationError:
            raise EventRejected(texts.replay_bad_setting(name, _shown(value))) from None
    try:
        return policy.with_overrides(values)
    except ValueError as error:
        # Name the setting that is wrong on its own; if none is, they clash with each other.
        for name, value in values.items():
            if not _fits(policy, name, value):
                raise EventRejected(
                    texts.replay_bad_setting(name, _shown(settings[name]))
                ) from None
        raise EventRejected(texts.replay_settings_clash(list(values), str(error))) from None


def _fits(policy: Policy, name: str, value: Any) -> bool:
    try:
        policy.with_overrides({name: value})
    except ValueError:
        return False
    return True


def _shown(value: Any, limit: int = 40) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def replay_order(lines: list[Line]) -> list[tuple[Line, bool]]:
    """Order a replay's lines so that every employee's manager is on the roster first.

    A replay file is known up front, so a manager's `employee` line may come anywhere in
    it: when a line names a manager not added yet, the manager's first line (and, up the
    chain, theirs) is applied just before it, marked True, and skipped at its own place.
    Everything else keeps the file's order. Managers that go round in a circle are
    refused, each line with the circle; a manager the file never adds is left for the
    domain to refuse.
    """
    ahead: dict[str, deque[int]] = {}
    for index, line in enumerate(lines):
        if isinstance(line.event, EmployeeEvent):
            ahead.setdefault(line.event.id, deque()).append(index)
    known: set[str] = set()
    order: list[tuple[Line, bool]] = []
    for index, line in enumerate(lines):
        if not isinstance(line.event, EmployeeEvent):
            order.append((line, False))
        elif ahead[line.event.id] and ahead[line.event.id][0] == index:
            order += _with_managers(lines, index, ahead, known)
    return order


def _with_managers(
    lines: list[Line], index: int, ahead: dict[str, deque[int]], known: set[str]
) -> list[tuple[Line, bool]]:
    """Place one employee line after its managers' lines that are still ahead in the file."""
    chain = [index]  # each line's manager is the person of the next line
    places = {_employee_event(lines[index]).id: 0}  # person → their place in the chain
    while True:
        event = _employee_event(lines[chain[-1]])
        boss = event.manager
        if boss is None or boss in known or boss == event.id or not ahead.get(boss):
            return _placed(lines, chain, ahead, known)
        if boss in places:
            start = places[boss]
            reason = texts.replay_manager_cycle([*list(places)[start:], boss])
            for person in list(places)[start:]:
                ahead[person].popleft()
            refused = [
                (Line(lines[i].number, reason=reason), False) for i in sorted(chain[start:])
            ]
            return refused + _placed(lines, chain[:start], ahead, known)
        places[boss] = len(chain)
        chain.append(ahead[boss][0])


def _placed(
    lines: list[Line], chain: list[int], ahead: dict[str, deque[int]], known: set[str]
) -> list[tuple[Line, bool]]:
    """List a chain's lines top manager first, each but the chain's own line marked early."""
    placed = []
    for position in reversed(range(len(chain))):
        event = _employee_event(lines[chain[position]])
        ahead[event.id].popleft()
        known.add(event.id)
        placed.append((lines[chain[position]], position > 0))
    return placed


def _employee_event(line: Line) -> EmployeeEvent:
    assert isinstance(line.event, EmployeeEvent)
    return line.event


class Replay:
    """Feed events to the domain in order, delivering what falls due in between."""

    def __init__(self, engine: Engine, policy: Policy, rules: CaseRules) -> None:
        self.engine = engine
        self.policy = policy
        self.rules = rules
        self.clock = SimulatedClock(EPOCH)
        self.started = EPOCH
        self.notifier = PrintingNotifier(engine, NoticeRenderer(engine, policy))
        self.sweeper = Sweeper(
            engine, self.notifier, self.clock, worker="replay", plan=self._plan_digests
        )

    def _plan_digests(self, now: datetime) -> int:
        with session_scope(self.engine) as session:
            return plan_digests(session, self.policy, now)

    def backfill_warning(self, event: Event) -> str | None:
        """Warn about an event earlier than the clock; it still applies, as a backfill."""
        if event.at is None or self.clock.now == EPOCH or event.at >= self.clock.now:
            return None
        clock = self.clock.now.astimezone(event.at.tzinfo)
        return texts.replay_backfill(event.at.isoformat(), clock.isoformat())

    async def feed(self, event: Event, *, in_place: bool = True) -> None:
        """Deliver what is due before the event, apply it at its instant, then deliver what
        it made due at that instant (a CAR prompt is due the moment its message arrives).

        An event applied early (`in_place` False, see `replay_order`) leaves the clock alone.
        """
        if event.at is not None and in_place:
            if self.clock.now == EPOCH:
                self.clock.now = self.started = event.at  # the timeline's first instant
            if event.at - self.started > MAX_SPAN:
                # Most likely a mistyped year; replaying to it would print years of digests.
                raise UserError(texts.replay_too_far(event.at.isoformat(), MAX_SPAN.days))
            await self.advance(event.at)
        if isinstance(event, ConfigEvent):
            self.policy = configured(self.policy, event.settings)
            self.notifier.renderer.policy = self.policy
        else:
            with session_scope(self.engine) as session:
                apply_event(session, self.policy, event, rules=self.rules)
        if self.clock.now != EPOCH:
            await self.advance(self.clock.now)

    async def advance(self, until: datetime) -> None:
        """Move the clock to `until`, delivering each notification at its due instant."""
        await deliver_until(self.sweeper, self.clock, until)


@dataclass
class ReplayOutput:
    """Print notifications, refusals and warnings in the order they happen, and count them.

    Notifications go to stdout; refusals and warnings to stderr, each as soon as it
    happens (stdout flushed first, so the two read in order when they share a terminal).
    """

    as_json: bool
    printed: int = 0
    applied: int = 0
    refused: int = 0
    warned: int = 0

    def notifications(self, sent: list[Sent]) -> None:
        """Print the notifications not printed yet."""
        for item in sent[self.printed :]:
            print(
                json.dumps(item.as_json(), ensure_ascii=False)
                if self.as_json
                else item.as_terminal()
            )
        self.printed = len(sent)

    def refusal(self, number: int, reason: str) -> None:
        """Report a refused line."""
        self.refused += 1
        self._note(texts.line_problem(number, reason))

    def warning(self, number: int, text: str) -> None:
        """Report a line that applied with a warning."""
        self.warned += 1
        self._note(texts.line_problem(number, text))

    def summary(self) -> None:
        """Print the closing line: to stderr under --json, so stdout stays JSON lines."""
        line = texts.replay_summary(self.applied, self.refused, self.warned, self.printed)
        print(line, file=sys.stderr if self.as_json else sys.stdout)

    def _note(self, text: str) -> None:
        sys.stdout.flush()
        print(text, file=sys.stderr, flush=True)


async def run_replay(path: Path, settings: Settings, policy: Policy, *, as_json: bool) -> int:
    """Replay a file on a scratch store; return 1 if any line was refused, else 0."""
    lines = list(read_events(path))
    output = ReplayOutput(as_json)
    with tempfile.TemporaryDirectory(prefix="smbot-replay-") as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'replay.db'}")
        try:
            upgrade(engine)
            replay = Replay(engine, policy, case_rules(settings))
            for line, early in replay_order(lines):
                await _play(replay, line, output, in_place=not early)
        finally:
            engine.dispose()
    output.summary()
    return 1 if output.refused else 0


async def _play(replay: Replay, line: Line, output: ReplayOutput, *, in_place: bool) -> None:
    """Apply one line and print, in order: its warning, what fell due, its refusal."""
    if line.event is None:
        output.refusal(line.number, line.reason or "")
        return
    warning = replay.backfill_warning(line.event) if in_place else None
    if warning is not None:
        output.warning(line.number, warning)
    try:
        await replay.feed(line.event, in_place=in_place)
    except UserError as error:
        output.notifications(replay.notifier.sent)
        output.refusal(line.number, error.message)
        return
    output.notifications(replay.notifier.sent)
    output.applied += 1


IMPORT_BATCH = 500
MAX_SPAN = timedelta(days=400)  # how far past its first instant a replay may run


@dataclass
class Imported:
    """What an import did: lines applied, lines refused, overdue DMs held back."""

    applied: int = 0
    refused: list[Line] = field(default_factory=list)
    held: int = 0


def import_events(
    path: Path,
    settings: Settings,
    policy: Policy,
    progress: Callable[[int], None] | None = None,
    *,
    notify_overdue: bool = False,
) -> Imported:
    """Apply a backfill file to the store and say what happened.

    Lines are applied in batches of one transaction each, every line in its own
    savepoint, so a refused line is rolled back alone and a large file stays fast.
    Reminders, escalations and prompts the backfill makes overdue at once are held
    back (state `held`) unless `notify_overdue`: a history of hundreds of messages
    would otherwise arrive as hundreds of DMs. What they were about still shows in the
    managers' digests and on each person's Home tab, and later steps go out as usual.
    """
    engine = make_engine(settings.database_url)
    upgrade(engine)
    rules = case_rules(settings)
    applied, refused, seen = 0, [], 0
    lines = read_events(path)
    started = utcnow()
    latest = started + FUTURE_GRACE  # a backfill holds what happened, nothing later
    with Session(engine) as session:
        before = session.exec(select(func.max(Notification.id))).one() or 0
    while batch := list(islice(lines, IMPORT_BATCH)):
        with session_scope(engine) as session:
            for line in batch:
                outcome = _apply_line(session, policy, rules, line, latest)
                if isinstance(outcome, Line):
                    refused.append(outcome)
                else:
                    applied += outcome
        seen += len(batch)
        if progress is not None:
            progress(seen)
    held = 0 if notify_overdue else _hold_overdue(engine, before, started)
    engine.dispose()
    return Imported(applied, refused, held)


def _hold_overdue(engine: Engine, before: int, started: datetime) -> int:
    """Hold back the DMs this import planned that were due before it started."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Notification)
            .where(
                col(Notification.id) > before,
                col(Notification.state) == "pending",
                col(Notification.due_at) < started,
                col(Notification.kind).in_(("reminder", "escalation", "car_prompt")),
            )
            .values(state="held", error="overdue when backfilled")
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _apply_line(
    session: Session, policy: Policy, rules: CaseRules, line: Line, latest: datetime
) -> int | Line:
    """Apply one line in a savepoint; return 1 if applied, 0 if a repeat, or the refusal."""
    if line.event is None:
        return line
    at = getattr(line.event, "at", None)
    if at is not None and at > latest:
        return Line(line.number, reason=texts.import_in_future(at))
    try:
        refuse_replay_only(line.event)
        with session.begin_nested():
            outcome = apply_event(session, policy, line.event, rules=rules)
    except (UserError, ValidationError) as error:
        return Line(line.number, reason=getattr(error, "message", str(error)))
    return 0 if outcome.duplicate else 1
