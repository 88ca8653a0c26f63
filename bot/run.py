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
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot import texts
from bot.audit import AUDIT_COLUMNS
from bot.errors import UserError
from bot.settings import Settings
from models.db import make_engine, utcnow

logger = logging.getLogger(__name__)


def demo(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot demo`."""
    from bot.demo import run_demo

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
    from bot.app import create_app
    from bot.server import serve as serve_forever
    from bot.services import Services
    from models.migrate import upgrade

    engine = make_engine(settings.database_url)
    await asyncio.to_thread(upgrade, engine)
    services = Services.create(settings, engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve_forever(services, create_app(services), stop)
    engine.dispose()
    return 0


def ask(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot ask`: one question, or one per line from stdin with `-`."""
    from bot.answers import AnswerEngine
    from bot.guard import refuse_taxpayer_id

    engine = AnswerEngine.default()
    today = args.today or today_in(settings)
    questions = sys.stdin if args.question == "-" else [args.question]
    status = 0
    for line in questions:
        question = line.strip()
        if not question:
            continue
        try:
            refuse_taxpayer_id(question)
            if len(question) > settings.max_question_chars:
                raise UserError(
                    texts.question_too_long(len(question), settings.max_question_chars)
                )
        except UserError as error:
            _print_refusal(error, args.json)
            status = 2
            continue
        answer = engine.ask(question, today)
        print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else _plain(answer))
    return status


def _print_refusal(error: UserError, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"answered": False, "error": error.message}, ensure_ascii=False))
    else:
        print(error.message, file=sys.stderr)


def _plain(answer: object) -> str:
    from bot.answers import Answer
    from bot.render import render_message

    assert isinstance(answer, Answer)
    if not answer.answered:
        return render_message(None, answer.text).text
    body = render_message(None, answer.text).text
    return f"{answer.title}\n{answer.citation}\n\n{body}"


def replay(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot replay FILE [--json]`."""
    from bot.services import policy_from
    from bot.timeline import run_replay

    _require_file(args.file)
    return asyncio.run(run_replay(args.file, settings, policy_from(settings), as_json=args.json))


def import_file(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot import events FILE`: apply good lines, report each refused one."""
    from bot.services import policy_from
    from bot.timeline import import_events

    _require_file(args.file)

    def progress(lines: int) -> None:
        print(texts.import_progress(lines), file=sys.stderr)

    applied, refused = import_events(args.file, settings, policy_from(settings), progress)
    for line in refused:
        print(f"line {line.number}: {line.reason}", file=sys.stderr)
    print(f"{applied} event(s) applied, {len(refused)} line(s) refused.")
    return 1 if refused else 0


def roster(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot roster import FILE.csv`: load good rows, report each rejected one."""
    from bot import texts
    from bot.roster import import_roster

    _require_file(args.file)
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

    engine = make_engine(settings.database_url)
    from models.migrate import upgrade

    upgrade(engine)
    rows = closings_rows(engine, args.since, ZoneInfo(settings.office_tz))
    write_rows(rows, args.format, sys.stdout)
    engine.dispose()
    return 0


def audit_export(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot audit export [--since DATE] [--format csv|json]`, to standard output."""
    from bot.audit import audit_rows, write_rows

    engine = _upgraded(settings)
    write_rows(
        audit_rows(engine, args.since, ZoneInfo(settings.office_tz)),
        args.format,
        sys.stdout,
        columns=AUDIT_COLUMNS,
    )
    engine.dispose()
    return 0


def purge(args: argparse.Namespace, settings: Settings) -> int:
    """`smbot purge [--closed-before DATE]`: delete closed cases' data, keep the audit log."""
    from models.db import session_scope
    from models.retention import purge as purge_cases

    zone = ZoneInfo(settings.office_tz)
    day = args.closed_before or (today_in(settings) - timedelta(days=settings.retention_days))
    engine = _upgraded(settings)
    with session_scope(engine) as session:
        gone = purge_cases(session, datetime.combine(day, time(), zone), actor="cli", at=utcnow())
    engine.dispose()
    print(
        f"Removed the data of {len(gone)} case(s) closed before {day:%Y-%m-%d}; "
        "the audit log is kept."
    )
    return 0


def _upgraded(settings: Settings) -> Engine:
    from models.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise UserError(f"There is no file {path}. Give the path of a JSON lines or CSV file.")


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
