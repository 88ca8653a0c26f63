"""`smbot roster import`: read a roster CSV, check every row, load the good ones.

Each row names one person: `user` (Slack user id or email), `name`, `role`,
`manager`, `tz`, `job_series`, `egain`. A row is rejected with its line number and
one reason; the other rows still load. Emails are turned into Slack user ids with
`users.lookupByEmail`, and an empty `tz` is taken from the person's Slack profile
(`users.info`), else kept as stored, else the office zone.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import texts
from bot.errors import ConfigError, UserError
from bot.guard import TAXPAYER_DATA_REASON, looks_like_taxpayer_id
from bot.services import policy_from
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.textfiles import open_text
from models import audit
from models.db import make_engine, session_scope, utcnow
from models.migrate import upgrade
from models.readiness import normalize_series
from models.store import WORK_FIELDS, upsert_employee
from models.tables import Employee
from reminders import tracking
from reminders.policy import Policy

logger = logging.getLogger(__name__)

ROLES = ("ate", "manager", "admin")
MANAGING_ROLES = ("manager", "admin")
REQUIRED_COLUMNS = ("user", "name", "role")

_SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,31}", re.ASCII)
_EMAIL_PART = r"[^@\s,;\x00-\x1f\x7f]+"
_EMAIL = re.compile(_EMAIL_PART + "@" + _EMAIL_PART + r"\." + _EMAIL_PART)
_EGAIN = re.compile(r"\d{3,10}", re.ASCII)


class RowRejected(Exception):
    """A row can't be loaded; the reason is safe to print."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Row:
    """One roster row as written, what it resolved to, and why it was rejected (if it was)."""

    line: int
    user: str
    name: str
    role: str
    manager: str | None
    tz: str | None
    job_series: str | None
    egain: str | None
    user_id: str | None = None
    manager_id: str | None = None
    email: str | None = None
    problem: str | None = None

    @property
    def good(self) -> bool:
        """Tell whether the row is still to be loaded."""
        return self.problem is None


@dataclass(frozen=True)
class Rejected:
    """A rejected row: its line number and the reason."""

    line: int
    reason: str


@dataclass
class Outcome:
    """What an import did: who was added or updated, the rejected rows, notes on defaults."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------


def read_roster(path: Path) -> list[Row]:
    """Read a roster CSV (UTF-8 or UTF-16, see `open_text`) and check each row alone."""
    with open_text(path) as handle:
        return parse_roster(handle)


def parse_roster(lines: Iterable[str]) -> list[Row]:
    """Parse CSV text with a header row; refuse the whole file when a column is missing.

    Blank lines before the header and between rows are skipped; each row keeps the
    number of the line it starts on (a quoted cell may run over several lines).
    """
    reader = csv.reader(lines)
    header = next((cells for cells in reader if _filled(cells)), None)
    if header is None:
        raise UserError(texts.ROSTER_EMPTY)
    columns = [cell.strip().lower() for cell in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise UserError(texts.roster_missing_columns(missing))
    rows = []
    start = reader.line_num + 1
    for cells in reader:
        if _filled(cells):
            rows.append(_row(start, columns, cells))
        start = reader.line_num + 1
    return rows


def _filled(cells: list[str]) -> bool:
    return any(cell.strip() for cell in cells)


def _row(line: int, columns: list[str], cells: list[str]) -> Row:
    values = {name: cell.strip() for name, cell in zip(columns, cells, strict=False)}
    row = Row(
        line=line,
        user=values.get("user", ""),
        name=values.get("name", ""),
        role=values.get("role", "").lower(),
        manager=values.get("manager") or None,
        tz=values.get("tz") or None,
        job_series=values.get("job_series") or None,
        egain=values.get("egain") or None,
    )
    # Checked first, on every cell, so that no other reason can echo the number.
    if any(looks_like_taxpayer_id(cell) for cell in cells):
        row.problem = TAXPAYER_DATA_REASON
        return row
    try:
        _check_cells(row)
    except RowRejected as rejected:
        row.problem = rejected.reason
    return row


def _check_cells(row: Row) -> None:
    """Check what a row says on its own, before Slack or the store is asked."""
    if not row.user:
        raise RowRejected(texts.ROSTER_NO_USER)
    if not _is_person(row.user):
        raise RowRejected(texts.roster_bad_user(row.user))
    if not row.name:
        raise RowRejected(texts.ROSTER_NO_NAME)
    if (odd := _control_character(row.name)) is not None:
        raise RowRejected(texts.roster_name_control(odd))
    if row.role not in ROLES:
        raise RowRejected(texts.roster_unknown_role(row.role))
    if row.manager and not _is_person(row.manager):
        raise RowRejected(texts.roster_manager_problem(texts.roster_bad_user(row.manager)))
    if row.tz and not known_zone(row.tz):
        raise RowRejected(texts.roster_bad_zone(row.tz))
    if row.egain and not _EGAIN.fullmatch(row.egain):
        raise RowRejected(texts.roster_bad_egain(row.egain))
    if row.job_series:
        series = normalize_series(row.job_series)
        if series is None:
            raise RowRejected(texts.roster_bad_series(row.job_series))
        row.job_series = series


def _control_character(text: str) -> str | None:
    """Return the first line break or other control character in the text, if any."""
    return next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Zl", "Zp")), None)


def _is_person(text: str) -> bool:
    return bool(_SLACK_ID.fullmatch(text.upper()) or _EMAIL.fullmatch(text))


def known_zone(name: str) -> bool:
    """Tell whether a name is an IANA time zone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# --- Slack -------------------------------------------------------------------------


class SlackDirectory:
    """Look people up in Slack; without a client nobody can be looked up."""

    def __init__(self, client: AsyncWebClient | None) -> None:
        self.client = client

    async def user_id_for(self, email: str) -> str:
        """Return the Slack user id with this email, or reject the row with why not."""
        if self.client is None:
            raise RowRejected(texts.roster_email_needs_token(email))
        try:
            response = await self.client.users_lookupByEmail(email=email)
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            if code == "users_not_found":
                raise RowRejected(texts.roster_email_unknown(email)) from None
            logger.warning("users.lookupByEmail failed error=%s", code)
            raise RowRejected(texts.roster_email_failed(email, code)) from None
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            logger.warning("users.lookupByEmail failed error=%s", type(error).__name__)
            raise RowRejected(texts.roster_email_failed(email, "no answer")) from None
        return str((response.get("user") or {}).get("id", ""))

    async def zone_of(self, user_id: str) -> str | None:
        """Return the time zone of the person's Slack profile, or None (Slack failing too)."""
        if self.client is None:
            return None
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError as error:
            logger.warning(
                "users.info failed user=%s error=%s", user_id, error.response.get("error")
            )
            return None
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            logger.warning("users.info failed user=%s error=%s", user_id, type(error).__name__)
            return None
        zone = (response.get("user") or {}).get("tz")
        return zone if isinstance(zone, str) and zone and known_zone(zone) else None


def directory_from(settings: Settings) -> SlackDirectory:
    """Build the Slack directory from the settings; without SLACK_BOT_TOKEN it has no client."""
    if settings.slack_bot_token is None:
        return SlackDirectory(None)
    if (problem := settings.bot_token_problem()) is not None:
        raise ConfigError(problem)
    token = settings.slack_bot_token.get_secret_value()
    return SlackDirectory(make_web_client(token, settings.slack_api_url))


# --- resolving and cross-checking ---------------------------------------------------


class _Resolver:
    """Turn user and manager cells into Slack user ids: the store first, then Slack."""

    def __init__(self, session: Session, directory: SlackDirectory) -> None:
        self.session = session
        self.directory = directory
        self.known: dict[str, str] = {}

    async def __call__(self, text: str) -> str:
        if _SLACK_ID.fullmatch(text.upper()):
            return text.upper()
        email = text.lower()
        if email not in self.known:
            stored = self.session.exec(
                select(Employee).where(func.lower(Employee.email) == email)
            ).first()
            self.known[email] = stored.id if stored else await self.directory.user_id_for(text)
        return self.known[email]


async def resolve(rows: list[Row], session: Session, directory: SlackDirectory) -> None:
    """Give each good row its Slack user id and its manager's; reject rows that can't be."""
    lookup = _Resolver(session, directory)
    for row in (r for r in rows if r.good):
        try:
            row.user_id = await lookup(row.user)
            row.email = row.user.lower() if "@" in row.user else None
        except RowRejected as rejected:
            row.problem = rejected.reason
            continue
        try:
            row.manager_id = await lookup(row.manager) if row.manager else None
        except RowRejected as rejected:
            row.problem = texts.roster_manager_problem(rejected.reason)


def reject_duplicates(rows: list[Row]) -> None:
    """Reject every row of a person who is on more than one row."""
    lines: defaultdict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.user_id:
            lines[row.user_id].append(row.line)
    for row in rows:
        if row.user_id and len(lines[row.user_id]) > 1 and row.good:
            row.problem = texts.roster_duplicate(row.user_id, lines[row.user_id])


def cross_check(rows: list[Row], session: Session) -> None:
    """Reject rows whose manager, management chain or eGain number doesn't fit the rest.

    Rejecting one row can spoil another (a report whose manager's row was rejected),
    so the checks repeat until nothing changes.
    """
    stored = {person.id: person for person in session.exec(select(Employee)).all()}
    for row in rows:
        if row.good and row.manager_id == row.user_id:
            row.problem = texts.ROSTER_OWN_MANAGER
    while True:
        found = _Links(rows, stored).problems()
        if not found:
            return
        for row, reason in found:
            row.problem = row.problem or reason


class _Links:
    """The roster as it would be after loading the good rows: roles, managers, eGain numbers."""

    def __init__(self, rows: list[Row], stored: dict[str, Employee]) -> None:
        self.good = {row.user_id: row for row in rows if row.good and row.user_id}
        self.rejected_lines = {row.user_id: row.line for row in rows if not row.good}
        self.stored = stored
        self.roles = {key: person.role for key, person in stored.items()}
        self.roles.update({key: row.role for key, row in self.good.items()})
        self.managers = {key: person.manager_id for key, person in stored.items()}
        self.managers.update({key: row.manager_id for key, row in self.good.items()})

    def problems(self) -> list[tuple[Row, str]]:
        # Settled first, alone: a rejected change of role keeps the person a manager, so
        # the rows of their reports in the file are then judged against that.
        demotions = [(row, self._demotion_problem(row)) for row in self.good.values()]
        if any(reason for _row, reason in demotions):
            return [(row, reason) for row, reason in demotions if reason is not None]
        found = [(row, self._manager_problem(row)) for row in self.good.values()]
        found += self._egain_problems()
        return [(row, reason) for row, reason in found if reason is not None]

    def _manager_problem(self, row: Row) -> str | None:
        manager = row.manager_id
        if manager is None:
            return None
        if manager not in self.roles:
            if manager in self.rejected_lines:
                return texts.roster_manager_rejected(manager, self.rejected_lines[manager])
            return texts.roster_unknown_manager(row.manager or manager)
        if self.roles[manager] not in MANAGING_ROLES:
            return texts.roster_not_a_manager(manager, self.roles[manager])
        chain = self._chain_back_to(row.user_id or "")
        return texts.roster_cycle(chain) if chain else None

    def _demotion_problem(self, row: Row) -> str | None:
        """Refuse taking a manager's role away while others would still report to them.

        Those others are the people on the roster the file leaves as they are (not in
        it, or on a rejected row); a report's own row in the file is checked by
        `_manager_problem` instead.
        """
        before = self.stored.get(row.user_id or "")
        if row.role in MANAGING_ROLES or before is None or before.role not in MANAGING_ROLES:
            return None
        reports = sorted(
            key
            for key, person in self.stored.items()
            if key not in self.good and person.manager_id == row.user_id
        )
        return texts.roster_still_manages(before.id, row.role, reports) if reports else None

    def _chain_back_to(self, start: str) -> list[str]:
        """Return the management chain from `start` when it comes back to `start`, else []."""
        chain, seen = [start], {start}
        current = self.managers.get(start)
        while current is not None and current not in seen:
            chain.append(current)
            seen.add(current)
            current = self.managers.get(current)
        return [*chain, start] if current == start else []

    def _egain_problems(self) -> list[tuple[Row, str | None]]:
        holders: defaultdict[str, list[str]] = defaultdict(list)
        for key, person in self.stored.items():
            if key not in self.good and person.egain:
                holders[person.egain].append(key)
        for key, row in self.good.items():
            stored = self.stored.get(key)
            egain = row.egain or (stored.egain if stored else None)
            if egain:
                holders[egain].append(key)
        found: list[tuple[Row, str | None]] = []
        for egain, keys in holders.items():
            if len(keys) > 1:
                found += self._egain_clash(egain, keys)
        return found

    def _egain_clash(self, egain: str, keys: list[str]) -> list[tuple[Row, str | None]]:
        """Keep the number with whoever has it already; reject the others' rows."""
        owner = next((k for k in keys if (p := self.stored.get(k)) and p.egain == egain), None)
        claims = [self.good[k] for k in keys if k in self.good and k != owner]
        if owner is not None:
            holder = self.stored[owner]
            return [(row, texts.roster_egain_taken(egain, holder.name)) for row in claims]
        lines = sorted(row.line for row in claims)
        return [(row, texts.roster_egain_twice(egain, lines)) for row in claims]


# --- loading ------------------------------------------------------------------------


async def fill_zones(
    rows: list[Row], session: Session, directory: SlackDirectory, office_tz: str
) -> list[str]:
    """Give each good row without a zone one: Slack's, else the stored one, else the office's."""
    notes = []
    for row in rows:
        if not row.good or row.tz or row.user_id is None:
            continue
        stored = session.get(Employee, row.user_id)
        row.tz = await directory.zone_of(row.user_id) or (stored.tz if stored else None)
        if row.tz is None:
            row.tz = office_tz
            notes.append(texts.roster_zone_fallback(row.user_id, office_tz))
    return notes


def apply(session: Session, rows: list[Row]) -> tuple[list[str], list[str]]:
    """Upsert the good rows, managers before their reports; return (added, updated) ids.

    Empty `egain` and `job_series` cells keep what is stored; an empty `manager` means
    nobody (the top of a chain). Personal working hours are kept.
    """
    good = _managers_first([row for row in rows if row.good])
    stored = {row.user_id: session.get(Employee, row.user_id) for row in good}
    # Numbers that move are freed first, so two people may swap theirs in one file.
    for row in good:
        old = stored[row.user_id]
        if old is not None and row.egain and old.egain != row.egain:
            old.egain = None
            session.add(old)
    session.flush()
    added: list[str] = []
    updated: list[str] = []
    for row in good:
        old = stored[row.user_id]
        _upsert(session, row, old)
        (updated if old is not None else added).append(row.user_id or "")
    return added, updated


def _upsert(session: Session, row: Row, old: Employee | None) -> None:
    keep = {name: getattr(old, name) for name in WORK_FIELDS} if old is not None else {}
    employee = Employee(
        id=row.user_id or "",
        name=row.name,
        role=row.role,
        manager_id=row.manager_id,
        tz=row.tz or (old.tz if old else "UTC"),
        egain=row.egain or (old.egain if old else None),
        email=row.email or (old.email if old else None),
        job_series=row.job_series,
        **keep,
    )
    saved = upsert_employee(session, employee)
    audit.record(
        session,
        actor="roster-import",
        action="roster.upserted",
        at=utcnow(),
        detail=f"{saved.id} ({saved.role})",
    )
    saved.job_series = row.job_series or saved.job_series
    session.add(saved)
    session.flush()


def _managers_first(rows: list[Row]) -> list[Row]:
    by_id = {row.user_id: row for row in rows}

    def depth(row: Row) -> int:
        steps, current = 0, row.manager_id
        while current in by_id and steps <= len(by_id):
            steps, current = steps + 1, by_id[current].manager_id
        return steps

    return sorted(rows, key=lambda row: (depth(row), row.line))


async def load_roster(
    session: Session, rows: list[Row], directory: SlackDirectory, office_tz: str
) -> Outcome:
    """Resolve, check and load parsed rows in one session; return what happened."""
    await resolve(rows, session, directory)
    reject_duplicates(rows)
    cross_check(rows, session)
    notes = await fill_zones(rows, session, directory, office_tz)
    added, updated = apply(session, rows)
    rejected = [Rejected(row.line, row.problem) for row in rows if row.problem is not None]
    for item in rejected:
        logger.debug("roster row rejected line=%d", item.line)
    return Outcome(added, updated, rejected, notes)


def _admins(session: Session) -> set[str]:
    return set(session.exec(select(Employee.id).where(Employee.role == "admin")))


def retarget(
    session: Session, policy: Policy, changed: list[str], admins_before: set[str]
) -> None:
    """Point the escalations still to come at the managers the import left in place."""
    people = [p for p in (session.get(Employee, i) for i in changed) if p is not None]
    # Admins stand in for a missing manager: any change to who is one moves those too.
    if any(person.role == "admin" for person in people) or admins_before != _admins(session):
        people += session.exec(select(Employee).where(col(Employee.manager_id).is_(None)))
    for person in people:
        tracking.retarget_escalations(session, policy, person)


async def import_roster(
    path: Path, settings: Settings, *, directory: SlackDirectory | None = None
) -> Outcome:
    """Load a roster CSV into the store named by the settings (migrated first)."""
    rows = read_roster(path)
    engine = make_engine(settings.database_url)
    try:
        await asyncio.to_thread(upgrade, engine)
        with session_scope(engine) as session:
            admins = _admins(session)
            outcome = await load_roster(
                session, rows, directory or directory_from(settings), settings.office_tz
            )
            retarget(session, policy_from(settings), [*outcome.added, *outcome.updated], admins)
    finally:
        engine.dispose()
    logger.info(
        "roster imported added=%d updated=%d rejected=%d",
        len(outcome.added),
        len(outcome.updated),
        len(outcome.rejected),
    )
    return outcome
