"""Time the digests of 100 managers with 15 ATEs each, beside the bare reads they need.

Run from the repository root::

    python benchmarks/bench_digest.py [--managers 100] [--ates 15] [--repeat 5]
    python benchmarks/bench_digest.py --database-url postgresql+psycopg://USER:PW@HOST/DB

The store is built through the product's migrations and filled with bulk inserts. Each
ATE has 20 answered exchanges of history and, open: 4 unanswered inbound messages
(from half a business day to a week old), one of them escalated since yesterday's
digest; 2 unconfirmed CAR prompts (one late); one case in closing without its export
confirmation; one TFA checklist stalled for a week. One ATE in five lacks an eGain
number (a readiness gap). Zones alternate between four US zones.

Product: `bot.notices.compose_digest` for every manager, as the sweep does at 08:30 —
reading the team's items, ageing each on the ATE's business-hours clock and laying out
the Block Kit message — each manager in a session of its own.

Baseline: the same rows read with no composition: per manager, the team's open
messages, escalations, unconfirmed prompts, cases in closing and open checklists, each
one plain SQL query fetched whole.

Target: all the managers' digests composed in under 1 second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from harness import database_description, machine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel, select

from bot.notices import compose_digest
from bot.services import policy_from
from bot.settings import Settings
from models.db import make_engine
from models.migrate import upgrade
from models.tables import Employee

# Tuesday 2026-12-08 08:30 in New York: the morning digest.
NOW = datetime(2026, 12, 8, 13, 30, tzinfo=UTC)
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
HISTORY, OPEN = 20, 4
TABLES = ("employee", "case", "securemessage", "notification", "carprompt", "checklist")
Row = dict[str, Any]

BASELINE_QUERIES = (
    "SELECT id, case_number, employee_id, at FROM securemessage WHERE direction = 'in'"
    " AND settled_at IS NULL AND employee_id IN ({team}) ORDER BY at",
    "SELECT n.level, m.id, m.case_number, m.employee_id FROM notification n"
    " JOIN securemessage m ON m.id = n.message_id WHERE n.kind = 'escalation'"
    " AND n.state = 'sent' AND n.sent_at > :since AND n.message_id IN"
    " (SELECT id FROM securemessage WHERE employee_id IN ({team}))",
    "SELECT case_number, code, employee_id, created_at FROM carprompt"
    " WHERE confirmed_at IS NULL AND employee_id IN ({team})",
    'SELECT c.number, c.owner_id, c.closing_at FROM "case" c LEFT JOIN closing x'
    " ON x.case_number = c.number WHERE c.closing_at IS NOT NULL AND x.case_number IS NULL"
    " AND c.owner_id IN ({team})",
    "SELECT case_number, kind, employee_id, progressed_at FROM checklist"
    " WHERE closed_at IS NULL AND employee_id IN ({team})",
)


def office(managers: int, ates: int) -> dict[str, list[Row]]:
    """Return the rows of the office, table by table, in an order foreign keys accept."""
    tables: dict[str, list[Row]] = {name: [] for name in TABLES}
    tables["employee"].append(_person("UADMIN", "admin", None, 0))
    for m in range(managers):
        manager = f"UM{m:03d}"
        tables["employee"].append(_person(manager, "manager", "UADMIN", m))
        for a in range(ates):
            _ate_rows(tables, f"UA{m:03d}{a:02d}", manager, m * ates + a)
    return tables


def _person(ident: str, role: str, manager: str | None, n: int) -> Row:
    return {
        "id": ident,
        "name": f"Person {ident}",
        "role": role,
        "manager_id": manager,
        "tz": ZONES[n % len(ZONES)],
        "job_series": "0930",
        "egain": None if n % 5 == 0 else f"{4 if role == 'ate' else 3}{n:05d}",
        "access_granted_on": NOW.date() - timedelta(days=90),
        "user_training_on": NOW.date() - timedelta(days=80),
        "supervisor_training_on": NOW.date() - timedelta(days=80),
        "digest_enabled": True,
    }


def _ate_rows(tables: dict[str, list[Row]], ate: str, manager: str, n: int) -> None:
    tables["employee"].append(_person(ate, "ate", manager, n))
    cases = [f"APL-26-{n:05d}{k}" for k in range(OPEN + 2)]
    for number in cases:
        tables["case"].append({"number": number, "owner_id": ate, "opened_at": NOW})
    tables["case"][-1]["closing_at"] = NOW - timedelta(days=3)
    for h in range(HISTORY):
        at = NOW - timedelta(days=30 + h)
        for way, when in (("in", at), ("out", at + timedelta(hours=3))):
            tables["securemessage"].append(
                _message(f"h-{ate}-{h}-{way}", cases[0], ate, way, when, when)
            )
    for k in range(OPEN):
        at = NOW - timedelta(hours=14 + 40 * k)
        ident = f"o-{ate}-{k}"
        tables["securemessage"].append(_message(ident, cases[k], ate, "in", at, None))
        if k == OPEN - 1:
            tables["notification"].append(
                {
                    "key": f"escalation:{ident}:3",
                    "kind": "escalation",
                    "recipient_id": manager,
                    "case_number": cases[k],
                    "message_id": ident,
                    "level": 3,
                    "due_at": NOW - timedelta(hours=20),
                    "not_before": NOW - timedelta(hours=20),
                    "state": "sent",
                    "sent_at": NOW - timedelta(hours=20),
                }
            )
    for code, age in (("CO-TDC", 1), ("CO-TDW", 5)):
        tables["carprompt"].append(
            {
                "case_number": cases[1],
                "employee_id": ate,
                "code": code,
                "record_date": (NOW - timedelta(days=age)).date(),
                "created_at": NOW - timedelta(days=age),
            }
        )
    tables["checklist"].append(
        {
            "case_number": cases[2],
            "kind": "tfa",
            "employee_id": ate,
            "opened_at": NOW - timedelta(days=9),
            "progressed_at": NOW - timedelta(days=7),
        }
    )


def _message(
    ident: str, case: str, ate: str, way: str, at: datetime, settled: datetime | None
) -> Row:
    return {
        "id": ident,
        "case_number": case,
        "employee_id": ate,
        "direction": way,
        "at": at,
        "settled_at": settled,
        "settled_how": "replied" if settled and way == "in" else None,
    }


def load(engine: Engine, tables: dict[str, list[Row]]) -> int:
    """Insert every table's rows through the models' table definitions; return the count."""
    total = 0
    with engine.begin() as connection:
        for name, rows in tables.items():
            table = SQLModel.metadata.tables[name]
            defaults = {c.name: None for c in table.columns if c.name != "id"}
            defaults.update(_defaults(name))
            complete = [{**defaults, **row} for row in rows]
            for start in range(0, len(complete), 5000):
                connection.execute(table.insert(), complete[start : start + 5000])
            total += len(rows)
    return total


def _defaults(table: str) -> Row:
    """Give the NOT NULL columns that no row above sets the value the ORM would."""
    return {
        "employee": {"digest_enabled": True, "created_at": NOW},
        "case": {"business_entity": False, "opened_at": NOW},
        "notification": {"state": "pending", "snoozed": False, "attempts": 0},
    }.get(table, {})


def product(engine: Engine, managers: Sequence[Employee]) -> tuple[float, int, int]:
    """Compose every manager's digest; return the time, the blocks and the characters."""
    policy = policy_from(Settings())
    blocks = chars = 0
    started = time.perf_counter()
    for manager in managers:
        with Session(engine) as session:
            text, laid_out = compose_digest(session, policy, manager, NOW)
        blocks += len(laid_out)
        chars += len(text)
    return time.perf_counter() - started, blocks, chars


def baseline(engine: Engine, teams: dict[str, list[str]]) -> tuple[float, int]:
    """Read each manager's rows with plain SQL; return the time and the rows read."""
    since = NOW - timedelta(days=1)
    if engine.dialect.name == "sqlite":
        since_value: object = since.strftime("%Y-%m-%d %H:%M:%S.%f")
    else:
        since_value = since
    rows = 0
    started = time.perf_counter()
    with engine.connect() as connection:
        for team in teams.values():
            members = ", ".join(f"'{ident}'" for ident in team)
            for query in BASELINE_QUERIES:
                found = connection.execute(
                    sa.text(query.format(team=members)), {"since": since_value}
                )
                rows += len(found.fetchall())
    return time.perf_counter() - started, rows


def settle(engine: Engine) -> None:
    """Bring the planner's statistics up to date after the bulk load, as in steady state."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


@contextmanager
def scratch_store(url: str | None) -> Iterator[Engine]:
    """Yield an engine on an empty store: a temporary SQLite file, or a scratch database."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="smbot-bench-digest-") as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                yield engine
            finally:
                engine.dispose()
        return
    admin_url = make_url(url)
    name = f"smbot_bench_digest_{int(time.time())}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(admin_url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL to create a scratch store beside")
    parser.add_argument("--managers", type=int, default=100)
    parser.add_argument("--ates", type=int, default=15, help="ATEs per manager")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (median)")
    args = parser.parse_args(argv)

    with scratch_store(args.database_url) as engine:
        upgrade(engine)
        started = time.perf_counter()
        rows = load(engine, office(args.managers, args.ates))
        settle(engine)
        print(f"machine: {machine(database_description(engine))}")
        print(f"built {rows:,} rows in {time.perf_counter() - started:.1f} s")
        with Session(engine) as session:
            managers = list(session.exec(select(Employee).where(Employee.role == "manager")))
            teams = {
                m.id: list(session.exec(select(Employee.id).where(Employee.manager_id == m.id)))
                for m in managers
            }
            for manager in managers:
                session.expunge(manager)
        print(f"office: {len(managers)} managers x {args.ates} ATEs; median of {args.repeat}")

        product(engine, managers)  # warm both the same way
        baseline(engine, teams)
        products, baselines = [], []
        for _ in range(args.repeat):
            seconds, read = baseline(engine, teams)
            baselines.append(seconds)
            products.append(product(engine, managers))
        spent = statistics.median(run[0] for run in products)
        _, blocks, chars = products[0]
        base = statistics.median(baselines)
        print(f"  baseline  plain SQL reads       {base * 1000:8.1f} ms  ({read:,} rows)")
        print(
            f"  product   compose_digest x {len(managers)}  {spent * 1000:8.1f} ms  "
            f"({blocks / len(managers):.0f} blocks, {chars / len(managers):.0f} characters "
            f"of fallback text a digest)"
        )
        verdict = "met" if spent < 1.0 else "MISSED"
        print(
            f"  product / baseline = {spent / base:.1f}x; "
            f"{spent / len(managers) * 1000:.1f} ms a manager; target < 1 s: {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
