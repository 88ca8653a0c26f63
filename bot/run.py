"""What each `smbot` subcommand does; the parser lives in bot.cli."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot import texts
from bot.audit import AUDIT_COLUMNS
from bot.errors import UserError
from bot.settings import Settings
from bot.textfiles import require_file
from models.db import make_engine, utcnow

if TYPE_CHECKING:
    from bot.answers import Answer, AnswerEngine

logger = logging.getLogger(__name__)


def demo(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot demo`."""
    from bot.demo import run_demo

    if args.db and Path(args.db).exists():
        # The demo plays a scripted fortnight: on a store that already holds it, the
        # script's messages are repeats and nothing would happen as narrated.
        raise UserError(texts.demo_store_exists(args.db))
    return asyncio.run(run_demo(settings, args.db))


def console(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot console`."""
    from bot.console import run_console

    return asyncio.run(run_console(settings, args.db, args.as_user))


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot serve`: check settings first, then upgrade the store and run."""
    settings.require_for_serve()
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    from bot.answering import start_pool
    from bot.app import create_app
    from bot.server import serve as serve_forever
    from bot.services import Services
    from models.migrate import upgrade

    engine = make_engine(settings.database_url)
    await asyncio.to_thread(upgrade, engine)
    services = Services.create(settings, engine)
    if settings.answer_worker == "process":
        services.answering = start_pool(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await serve_forever(services, create_app(services), stop)
    finally:
        if services.answering is not None:
            services.answering.shutdown(cancel_futures=True)
        engine.dispose()
    return 0


def ask(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot ask`: one question, or one per line from stdin with `-`.

    Every question prints its answer; with `--json` one object per line, one line for each
    line read (a blank or refused line gets an object with `error`), so output lines match
    input lines. Exit status: 0 when every question was answered or found not covered; 1
    when a line of standard input was refused; 2 when the one question given is refused.
    """
    from bot.answers import AnswerEngine

    engine = AnswerEngine.default()
    today = args.today or today_in(settings)
    if args.question != "-":
        return 0 if _ask_one(engine, args.question, today, settings, args.json) else 2
    refused = 0
    for number, line in enumerate(sys.stdin, 1):
        refused += not _ask_one(engine, line, today, settings, args.json, number)
    return 1 if refused else 0


def _ask_one(
    engine: AnswerEngine,
    text: str,
    today: date,
    settings: Settings,
    as_json: bool,
    number: int | None = None,
) -> bool:
    """Print the answer to one question, or why it is refused; return False if refused."""
    try:
        answer = engine.ask(_checked_question(text, settings), today)
    except UserError as error:
        _print_refusal(error, as_json, number)
        return False
    print(json.dumps(answer.to_json(), ensure_ascii=False) if as_json else _plain(answer))
    return True


def _checked_question(text: str, settings: Settings) -> str:
    """Refuse what `/sm ask` refuses; return the question without the office's case numbers."""
    from bot.answers import without_case_numbers
    from bot.guard import refuse_taxpayer_id

    question = text.strip()
    if not question:
        raise UserError(texts.ASK_EMPTY_LINE)
    refuse_taxpayer_id(question)
    if len(question) > settings.max_question_chars:
        raise UserError(texts.question_too_long(len(question), settings.max_question_chars))
    return without_case_numbers(question, settings.case_number_pattern)


def _print_refusal(error: UserError, as_json: bool, number: int | None) -> None:
    from bot.answers import refused_json

    if as_json:
        print(json.dumps(refused_json(error.message), ensure_ascii=False))
    elif number is None:
        print(error.message, file=sys.stderr)
    else:
        print(texts.line_problem(number, error.message), file=sys.stderr)


def _plain(answer: Answer) -> str:
    from bot.render import render_message

    body = render_message(None, answer.text).text
    if not answer.answered:
        return body
    return f"{answer.title}\n{answer.citation}\n\n{body}"


def replay(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot replay FILE [--json]`."""
    from bot.services import policy_from
    from bot.timeline import run_replay

    require_file(args.file)
    return asyncio.run(run_replay(args.file, settings, policy_from(settings), as_json=args.json))


def import_file(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot import events FILE`: apply good lines, report each refused one."""
    from bot.services import policy_from
    from bot.timeline import import_events

    require_file(args.file)
    read = 0

    def progress(lines: int) -> None:
        nonlocal read
        read = lines  # the lines read so far, after each batch: the last call has them all
        print(texts.import_progress(lines), file=sys.stderr)

    imported = import_events(
        args.file,
        settings,
        policy_from(settings),
        progress,
        notify_overdue=args.notify_overdue,
    )
    applied, refused = imported.applied, imported.refused
    for line in refused:
        print(texts.line_problem(line.number, line.reason or ""), file=sys.stderr)
    # A line neither applied nor refused carried an event id imported before.
    repeated = read - applied - len(refused)
    print(texts.import_summary(read, applied, repeated, len(refused)))
    if imported.held:
        print(texts.import_held(imported.held), file=sys.stderr)
    return 1 if refused else 0


def roster(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot roster import FILE.csv`: load good rows, report each rejected one."""
    from bot import texts
    from bot.roster import import_roster

    require_file(args.file)
    outcome = asyncio.run(import_roster(args.file, settings))
    for note in outcome.notes:
        print(note)
    for rejected in outcome.rejected:
        print(texts.line_problem(rejected.line, rejected.reason), file=sys.stderr)
    print(texts.roster_summary(len(outcome.added), len(outcome.updated), len(outcome.rejected)))
    return 1 if outcome.rejected else 0


def export(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot export closings [--since DATE] [--format csv|json]`, to standard output."""
    from bot.audit import closings_rows, write_rows

    zone = ZoneInfo(settings.office_tz)
    engine = _upgraded(settings, existing=True)
    rows = shown_in(zone, closings_rows(engine, args.since, zone), "confirmed_at")
    write_rows(spreadsheet_safe(rows) if args.format == "csv" else rows, args.format, sys.stdout)
    engine.dispose()
    return 0


def audit_export(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot audit export [--since DATE] [--format csv|json]`, to standard output."""
    from bot.audit import audit_rows, write_rows

    zone = ZoneInfo(settings.office_tz)
    engine = _upgraded(settings, existing=True)
    rows = shown_in(zone, audit_rows(engine, args.since, zone), "at")
    write_rows(
        spreadsheet_safe(rows) if args.format == "csv" else rows,
        args.format,
        sys.stdout,
        columns=AUDIT_COLUMNS,
    )
    engine.dispose()
    return 0


# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prefix a single quote to each text cell a spreadsheet would run as a formula."""
    return [{key: _safe_cell(value) for key, value in row.items()} for row in rows]


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def shown_in(zone: ZoneInfo, rows: list[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    """Show a column of ISO times in the office's zone, with its offset, as `--since` reads.

    `--since DATE` starts at midnight in the office's zone; times printed in UTC would put
    a row confirmed that evening on the next day's date, and seemingly leave it out.
    """
    return [
        {**row, column: datetime.fromisoformat(row[column]).astimezone(zone).isoformat()}
        for row in rows
    ]


def purge(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot purge [--closed-before DATE]`: delete closed cases' data, keep the audit log."""
    from models.db import session_scope
    from models.retention import purge as purge_cases

    zone = ZoneInfo(settings.office_tz)
    today = today_in(settings)
    day = args.closed_before or (today - timedelta(days=settings.retention_days))
    if day > today:
        raise UserError(texts.purge_future_cutoff(day, today))
    engine = _upgraded(settings, existing=True)
    with session_scope(engine) as session:
        done = purge_cases(session, datetime.combine(day, time(), zone), actor="cli", at=utcnow())
    engine.dispose()
    print(texts.purge_summary(len(done.removed), day, len(done.kept)))
    return 0


def _upgraded(settings: Settings, *, existing: bool = False) -> Engine:
    """Open the store, migrated; with `existing`, refuse a SQLite file that is not there
    (an export or purge run in the wrong folder would otherwise make an empty store)."""
    from sqlalchemy.engine import make_url

    from models.migrate import upgrade

    url = make_url(settings.database_url)
    file = url.database if url.get_backend_name() == "sqlite" else None
    if existing and file not in (None, "", ":memory:") and not Path(str(file)).exists():
        raise UserError(texts.no_store(str(file)))
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def db(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot db upgrade`."""
    from models.migrate import upgrade

    upgrade(make_engine(settings.database_url))
    print("The database is up to date.")
    return 0


def kb(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot kb check`: print each problem with its file and field."""
    from bot.knowledge import check_kb

    problems = check_kb(Path(args.path) if args.path else None)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found; fix them and run `smbot kb check` again.")
        return 1
    print("The knowledge base is valid.")
    return 0


def today_in(settings: Settings) -> date:
    """Return today's date in the office's zone."""
    return utcnow().astimezone(ZoneInfo(settings.office_tz)).date()
