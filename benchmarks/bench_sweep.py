"""Time one sweep's claim phase on a large store, beside the one indexed query for due rows.

Run from the repository root::

    python benchmarks/bench_sweep.py [--scale 0.1] [--repeat 5]
    python benchmarks/bench_sweep.py --database-url postgresql+psycopg://USER:PW@HOST/DB

The store is built through the product's own migrations, then filled with bulk inserts
(executemany on SQLite, COPY on PostgreSQL): 100,000 cases and 1,000,000 secure messages
(times --scale), half of them inbound and answered long ago, each with its three
notifications (two reminders and an escalation) cancelled or sent; plus 1,000 open
messages whose 3,000 notifications are pending, 330 of them due. The live part does not
change with --scale.

Product: what one sweep does before it hands anything to Slack: ``Sweeper._claim``
batch after batch until a short batch, each one transaction that selects the due rows,
claims them and sets aside those that no longer need sending. The calls are made
directly, not through ``asyncio.to_thread``. Printed beside it: the whole sweep
(``Sweeper.run_once``) with a notifier that does nothing, which also marks each
delivered row sent in a transaction of its own.

Baseline: the single indexed query that selects the due rows
(``state IN ('pending','claimed') AND not_before <= now ORDER BY not_before, id``),
fetched whole over the same engine.

Two stores are built, one with 10% of the answered history and one with all of it, and
timed in turns (so other work on the machine weighs on both alike), to show whether the
cost grows with history. Between repetitions the due rows are put back
to pending; figures are medians (the short baseline query is run 5 times per repetition).
After each bulk load SQLite's WAL is checkpointed and PostgreSQL is VACUUM ANALYZEd, as
a store in steady state would be. SQLite stores are temporary files; with --database-url
the scratch databases are created beside the one named (the role needs CREATEDB) and
dropped at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from harness import database_description, machine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from models.db import make_engine
from models.migrate import upgrade
from models.tables import Notification
from reminders.sweep import Delivery, Sweeper, SweepReport

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # a Wednesday afternoon
CASES = 100_000
MESSAGES = 1_000_000
ATES = 300
MANAGERS = 30
LIVE = 1_000
HISTORY_START = NOW - timedelta(days=730)
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
BASELINE_RUNS = 5  # the query is short: time it more often per repetition

EMPLOYEE_COLUMNS = ("id", "name", "role", "manager_id", "tz", "created_at")
CASE_COLUMNS = ("number", "owner_id", "opened_at", "closed_at")
MESSAGE_COLUMNS = (
    "id",
    "case_number",
    "employee_id",
    "direction",
    "at",
    "settled_at",
    "settled_how",
    "settled_by",
)
NOTIFICATION_COLUMNS = (
    "key",
    "kind",
    "recipient_id",
    "case_number",
    "message_id",
    "level",
    "due_at",
    "not_before",
    "state",
    "snoozed",
    "attempts",
    "claimed_by",
    "sent_at",
    "channel",
    "ts",
)
DUE_QUERY = (
    "SELECT id, key, kind, recipient_id, case_number, message_id, level, due_at,"
    " not_before, state, attempts, claimed_by FROM notification"
    " WHERE state IN ('pending', 'claimed') AND not_before <= {now}"
    " ORDER BY not_before, id"
)

Row = tuple[Any, ...]


# --- the machine ---------------------------------------------------------------------


# --- the store -----------------------------------------------------------------------


def employees() -> Iterator[Row]:
    for m in range(MANAGERS):
        yield (f"UMGR{m:02d}", f"Manager {m}", "manager", None, "America/Chicago", HISTORY_START)
    for a in range(ATES):
        manager = f"UMGR{a % MANAGERS:02d}"
        yield (f"UATE{a:03d}", f"ATE {a}", "ate", manager, "America/New_York", HISTORY_START)


def owner_of(case: int) -> tuple[str, str]:
    """Return the case's ATE and that ATE's manager."""
    ate = case % ATES
    return f"UATE{ate:03d}", f"UMGR{ate % MANAGERS:02d}"


def history_cases(first: int, last: int, pairs: int) -> Iterator[Row]:
    span = (NOW - timedelta(days=30) - HISTORY_START).total_seconds()
    for case in range(first, last):
        opened = HISTORY_START + timedelta(seconds=span * case / CASES)
        closed = opened + timedelta(days=7 * pairs + 3)
        yield (f"APL-26-{case:06d}", owner_of(case)[0], opened, closed)


def _history_exchange(case: int, pair: int) -> tuple[str, datetime, datetime]:
    """Return an inbound message's id, when it came and when it was answered."""
    span = (NOW - timedelta(days=30) - HISTORY_START).total_seconds()
    received = HISTORY_START + timedelta(seconds=span * case / CASES, days=7 * pair, hours=3)
    delay = timedelta(hours=2 + (case * 7 + pair * 13) % 58)  # 2 h … 59 h
    return f"h{case}-{pair}", received, received + delay


def history_messages(first: int, last: int, pairs: int) -> Iterator[Row]:
    for case in range(first, last):
        ate, _manager = owner_of(case)
        number = f"APL-26-{case:06d}"
        for pair in range(pairs):
            ident, received, answered = _history_exchange(case, pair)
            yield (ident + "i", number, ate, "in", received, answered, "replied", ate)
            yield (ident + "o", number, ate, "out", answered, None, None, None)


def history_notifications(first: int, last: int, pairs: int) -> Iterator[Row]:
    for case in range(first, last):
        ate, manager = owner_of(case)
        number = f"APL-26-{case:06d}"
        for pair in range(pairs):
            ident, received, answered = _history_exchange(case, pair)
            message = ident + "i"
            steps = (
                (f"reminder:{message}:1", "reminder", ate, 1, received + timedelta(days=1)),
                (f"reminder:{message}:2", "reminder", ate, 2, received + timedelta(days=2)),
                (
                    f"escalation:{message}:3:{manager}",
                    "escalation",
                    manager,
                    3,
                    received + timedelta(days=3),
                ),
            )
            for key, kind, to, level, due in steps:
                if due <= answered:  # it went out before the reply came
                    yield (
                        *(key, kind, to, number, message, level, due, due, "sent", False, 1),
                        *("old-worker", due, f"D{to}", f"{due.timestamp():.6f}"),
                    )
                else:
                    yield (
                        *(key, kind, to, number, message, level, due, due, "cancelled", False, 0),
                        *(None, None, None, None),
                    )


def _live_due(k: int) -> tuple[datetime, datetime, datetime]:
    """Due instants of live message k's three steps: 330 of the 3,000 are due at NOW."""
    late = timedelta(minutes=1 + k % 50)
    if k < 200:  # the first reminder is due
        return NOW - late, NOW + timedelta(days=1), NOW + timedelta(days=2)
    if k < 250:  # both reminders are due (after downtime): the first is superseded
        return NOW - timedelta(days=1) - late, NOW - late, NOW + timedelta(days=1)
    if k < 260:  # everything is due, escalation included
        start = NOW - timedelta(days=2) - late
        return start, start + timedelta(days=1), NOW - late
    ahead = timedelta(hours=1 + k % 40)
    return NOW + ahead, NOW + ahead + timedelta(days=1), NOW + ahead + timedelta(days=2)


def live_cases() -> Iterator[Row]:
    for k in range(LIVE):
        yield (f"LIV-26-{k:06d}", owner_of(k)[0], NOW - timedelta(days=5), None)


def live_messages() -> Iterator[Row]:
    for k in range(LIVE):
        first, _, _ = _live_due(k)
        ate = owner_of(k)[0]
        received = first - timedelta(days=1)
        yield (f"live-{k}", f"LIV-26-{k:06d}", ate, "in", received, None, None, None)


def live_notifications() -> Iterator[Row]:
    for k in range(LIVE):
        ate, manager = owner_of(k)
        number, message = f"LIV-26-{k:06d}", f"live-{k}"
        r1, r2, esc = _live_due(k)
        for key, kind, to, level, due in (
            (f"reminder:{message}:1", "reminder", ate, 1, r1),
            (f"reminder:{message}:2", "reminder", ate, 2, r2),
            (f"escalation:{message}:3:{manager}", "escalation", manager, 3, esc),
        ):
            yield (
                *(key, kind, to, number, message, level, due, due, "pending", False, 0),
                *(None, None, None, None),
            )


class Loader:
    """Bulk-load rows: COPY on PostgreSQL, executemany on SQLite (values as SQLAlchemy
    stores them: naive UTC text for datetimes, 0/1 for booleans)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> int:
        quoted = ", ".join(f'"{c}"' for c in columns)
        raw = self.engine.raw_connection()
        count = 0
        try:
            cursor = raw.cursor()
            if self.postgres:
                with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                marks = ", ".join("?" for _ in columns)
                sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
                # One transaction for the whole load, whatever pysqlite's own mode is.
                cursor.execute("BEGIN")
                for chunk in _chunks((_sqlite_row(r) for r in rows), 50_000):
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
            raw.commit()
        finally:
            raw.close()
        return count


def _sqlite_row(row: Row) -> Row:
    return tuple(
        v.astimezone(UTC).strftime(SQLITE_FORMAT)
        if isinstance(v, datetime)
        else int(v)
        if isinstance(v, bool)
        else v
        for v in row
    )


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Counts:
    cases: int = 0
    messages: int = 0
    notifications: int = 0

    def add(self, cases: int, messages: int, notifications: int) -> None:
        self.cases += cases
        self.messages += messages
        self.notifications += notifications


def load_history(loader: Loader, first: int, last: int, pairs: int, counts: Counts) -> None:
    cases = loader.load("case", CASE_COLUMNS, history_cases(first, last, pairs))
    messages = loader.load("securemessage", MESSAGE_COLUMNS, history_messages(first, last, pairs))
    notes = loader.load(
        "notification", NOTIFICATION_COLUMNS, history_notifications(first, last, pairs)
    )
    counts.add(cases, messages, notes)


def load_live(loader: Loader, counts: Counts) -> None:
    cases = loader.load("case", CASE_COLUMNS, live_cases())
    messages = loader.load("securemessage", MESSAGE_COLUMNS, live_messages())
    notes = loader.load("notification", NOTIFICATION_COLUMNS, live_notifications())
    counts.add(cases, messages, notes)


def settle_store(engine: Engine) -> None:
    """Leave the store as it would be in steady state after a bulk load: SQLite's WAL
    checkpointed (so no sweep pays for the load's pages), PostgreSQL's statistics fresh
    (as autovacuum would make them)."""
    if engine.dialect.name == "sqlite":
        # On the driver's connection: a checkpoint cannot run inside a transaction, and the
        # product's engine opens one (BEGIN IMMEDIATE) for every SQLAlchemy connection.
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


# --- what is timed -------------------------------------------------------------------


class NullNotifier:
    """A notifier that does nothing (the timed phase never reaches it)."""

    async def deliver(
        self, notification: Notification, *, now: datetime, reattempt: bool
    ) -> Delivery:
        return Delivery("sent")


@dataclass
class ProductRun:
    seconds: float
    rows: int
    stale_rows: int
    whole: float  # the whole sweep, with each delivered row marked sent


def product_claim_phase(sweeper: Sweeper, now: datetime) -> ProductRun:
    """Claim batch after batch until a short one, as `Sweeper.run_once` does.

    Each claim is one transaction that selects, claims and sets aside stale rows.
    """
    rows = stale_rows = 0
    started = time.perf_counter()
    while True:
        report = SweepReport()
        claimed = sweeper._claim(now, report)
        rows += len(claimed) + report.cancelled
        stale_rows += report.cancelled
        if len(claimed) + report.cancelled < sweeper.batch:
            break
    return ProductRun(time.perf_counter() - started, rows, stale_rows, 0.0)


def whole_sweep(sweeper: Sweeper, now: datetime) -> float:
    """Time `Sweeper.run_once` with the notifier that does nothing: claim, then mark sent."""
    started = time.perf_counter()
    asyncio.run(sweeper.run_once(now))
    return time.perf_counter() - started


def due_query(engine: Engine, now: datetime) -> str:
    if engine.dialect.name == "sqlite":
        return DUE_QUERY.format(now=f"'{now.astimezone(UTC).strftime(SQLITE_FORMAT)}'")
    return DUE_QUERY.format(now=f"'{now.isoformat()}'::timestamptz")


def baseline(engine: Engine, now: datetime) -> tuple[float, int]:
    """Run the one query that selects the due rows and fetch them all."""
    sql = due_query(engine, now)
    with engine.connect() as connection:
        started = time.perf_counter()
        rows = connection.exec_driver_sql(sql).fetchall()
        elapsed = time.perf_counter() - started
    return elapsed, len(rows)


def query_plan(engine: Engine, now: datetime) -> str:
    sql = due_query(engine, now)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            return "; ".join(str(row[-1]) for row in plan)
        plan = connection.exec_driver_sql(f"EXPLAIN {sql}").fetchall()
        return "; ".join(str(row[0]).strip() for row in plan if "Scan" in str(row[0]))


def reset(engine: Engine) -> None:
    """Put the live rows back as they were before the sweep claimed them."""
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE notification SET state = 'pending', claimed_by = NULL, attempts = 0,"
                " not_before = due_at WHERE message_id LIKE :live"
            ),
            {"live": "live-%"},
        )


@dataclass
class Figures:
    label: str
    notifications: int
    baseline: list[float]
    product: list[ProductRun]
    due_rows: int

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def product_median(self) -> ProductRun:
        ordered = sorted(self.product, key=lambda run: run.seconds)
        return ordered[len(ordered) // 2]


def measure(stores: Sequence[tuple[str, Engine, int]], repeat: int, batch: int) -> list[Figures]:
    """Time baseline and product on each store, the stores taking turns, so that other
    work on the machine weighs on all of them alike."""
    sweepers = [
        Sweeper(engine, NullNotifier(), lambda: NOW, worker="bench", batch=batch)
        for _, engine, _ in stores
    ]
    figures = [Figures(label, notifications, [], [], 0) for label, _, notifications in stores]
    for (_, engine, _), sweeper in zip(stores, sweepers, strict=True):
        reset(engine)
        baseline(engine, NOW)  # warm the caches the same way for both
        product_claim_phase(sweeper, NOW)
        reset(engine)
    for _ in range(repeat):
        for (_, engine, _), sweeper, figure in zip(stores, sweepers, figures, strict=True):
            for _ in range(BASELINE_RUNS):
                seconds, figure.due_rows = baseline(engine, NOW)
                figure.baseline.append(seconds)
            figure.product.append(product_claim_phase(sweeper, NOW))
            reset(engine)
            figure.product[-1].whole = whole_sweep(sweeper, NOW)
            reset(engine)
    return figures


def report(figures: Figures) -> None:
    base = figures.baseline_median
    run = figures.product_median
    ratio = run.seconds / base
    print(
        f"  {figures.label:>13}: {figures.notifications:>9,} notifications, {figures.due_rows} due"
    )
    print(f"    baseline  one indexed query    {base * 1000:9.2f} ms  ({figures.due_rows} rows)")
    print(
        f"    product   claim phase          {run.seconds * 1000:9.2f} ms  ({run.rows} rows, "
        f"{run.stale_rows} set aside as stale)"
    )
    verdict = "met" if ratio <= 2.0 else "MISSED"
    print(f"    product / baseline = {ratio:.1f}x  (target <= 2x: {verdict})")
    whole = statistics.median(r.whole for r in figures.product)
    live = max(run.rows - run.stale_rows, 1)
    print(
        f"    whole sweep, each of the {live} live rows also marked sent (one commit a row): "
        f"{whole * 1000:.1f} ms = {whole / base:.0f}x, {whole / live * 1000:.2f} ms a row"
    )


# --- the run -------------------------------------------------------------------------


@contextmanager
def scratch_store(url: str | None, keep: bool, tag: str) -> Iterator[Engine]:
    """Yield an engine on an empty store: a temporary SQLite file, or a scratch database."""
    with ExitStack() as stack:
        if url is None:
            folder = Path(tempfile.mkdtemp(prefix=f"smbot-bench-{tag}-"))
            store = f"sqlite:///{folder / 'bench.db'}"
            print(f"store: {folder / 'bench.db'}{' (kept)' if keep else ''}")
        else:
            admin_url = make_url(url)
            name = f"smbot_bench_{tag}_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            stack.callback(admin.dispose)
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            if not keep:
                stack.callback(_drop, admin, name)
            store = admin_url.set(database=name).render_as_string(hide_password=False)
            print(f"store: scratch database {name}{' (kept)' if keep else ''}")
        engine = make_engine(store)
        stack.callback(engine.dispose)
        if url is None and not keep:
            stack.callback(_remove_folder, Path(store.split("///", 1)[1]).parent)
        yield engine


def _drop(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _remove_folder(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL URL to create the scratch stores beside"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="history size, 1.0 = full")
    parser.add_argument("--repeat", type=int, default=7, help="timed repetitions (median)")
    parser.add_argument(
        "--batch", type=int, default=Sweeper.BATCH, help="rows a claim takes at once"
    )
    parser.add_argument("--keep", action="store_true", help="keep the store afterwards")
    args = parser.parse_args(argv)
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url takes a PostgreSQL URL; SQLite is the default")

    cases = max(10, int(CASES * args.scale))
    pairs = MESSAGES // CASES // 2
    tenth = cases // 10
    with (
        scratch_store(args.database_url, args.keep, "small") as small,
        scratch_store(args.database_url, args.keep, "full") as full,
    ):
        print(f"machine: {machine(database_description(full))}")
        print(
            f"stores: 10% and 100% of {cases:,} answered cases x {pairs * 2} messages "
            f"(scale {args.scale}), each with {LIVE:,} open messages; batch {args.batch}; "
            f"median of {args.repeat}"
        )
        built = []
        for label, engine, last in (("10% history", small, tenth), ("100% history", full, cases)):
            upgrade(engine)
            loader = Loader(engine)
            counts = Counts()
            started = time.perf_counter()
            loader.load("employee", EMPLOYEE_COLUMNS, employees())
            load_history(loader, 0, last, pairs, counts)
            load_live(loader, counts)
            settle_store(engine)
            print(
                f"built {label} in {time.perf_counter() - started:.0f} s: {counts.cases:,} "
                f"cases, {counts.messages:,} messages, {counts.notifications:,} notifications"
            )
            built.append((label, engine, counts.notifications))
        print(f"due-rows query plan: {query_plan(full, NOW)}")
        small_figures, full_figures = measure(built, args.repeat, args.batch)

        print("results:")
        report(small_figures)
        report(full_figures)
        growth = full_figures.product_median.seconds / small_figures.product_median.seconds
        base_growth = full_figures.baseline_median / small_figures.baseline_median
        print(
            f"  growth 10% -> 100% history: product x{growth:.2f}, baseline x{base_growth:.2f} "
            f"(notifications x{full_figures.notifications / small_figures.notifications:.1f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
