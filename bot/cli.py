"""The `smbot` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy import exc as sa_exc

from bot import logs, texts
from bot.errors import UserError
from bot.settings import Settings

logger = logging.getLogger(__name__)

# Commands whose output is meant for a person at a terminal: log lines would drown it.
QUIET_COMMANDS = frozenset(
    {
        "demo",
        "console",
        "ask",
        "kb",
        "replay",
        "import",
        "export",
        "audit",
        "purge",
        "roster",
        "db",
    }
)


def build_parser() -> argparse.ArgumentParser:
    """Describe every subcommand and its options."""
    parser = argparse.ArgumentParser(prog="smbot", description="Secure Messaging assistant")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the whole bot offline and print what it sends")
    demo.add_argument("--db", help="SQLite file to use (default: a fresh temporary one)")

    console = sub.add_parser("console", help="chat with the bot offline")
    console.add_argument("--as", dest="as_user", default="U0ATE1", help="employee id to act as")
    console.add_argument("--db", help="SQLite file to use (default: a fresh temporary one)")

    sub.add_parser("serve", help="run the real bot (Socket Mode or HTTP)")

    ask = sub.add_parser(
        "ask", help="answer a procedure question without Slack", epilog=texts.ASK_EXIT_STATUS
    )
    ask.add_argument(
        "question",
        type=_question_argument,
        help="the question, or - to read one per line from stdin",
    )
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--today", type=calendar_date, help="date to judge expiry against")

    replay = sub.add_parser("replay", help="replay a timeline of events with a simulated clock")
    replay.add_argument("file", type=Path, help="JSON lines file of events")
    replay.add_argument("--json", action="store_true", help="one JSON object per notification")

    imports = sub.add_parser("import", help="load data into the store")
    imports.add_argument("what", choices=["events"])
    imports.add_argument("file", type=Path, help="JSON lines, or CSV with a header row")
    imports.add_argument(
        "--notify-overdue",
        action="store_true",
        help="also send the reminders and prompts the history makes overdue at once",
    )

    roster = sub.add_parser("roster", help="load or update employees")
    roster.add_argument("action", choices=["import"])
    roster.add_argument("file", type=Path, help="CSV: user,name,role,manager,tz,job_series,egain")

    export = sub.add_parser("export", help="export records for audit")
    export.add_argument("what", choices=["closings"])
    export.add_argument("--since", type=calendar_date, help="only on or after this date")
    export.add_argument("--format", choices=["csv", "json"], default="csv")

    audit_log = sub.add_parser("audit", help="the audit log")
    audit_log.add_argument("action", choices=["export"])
    audit_log.add_argument("--since", type=calendar_date, help="only on or after this date")
    audit_log.add_argument("--format", choices=["csv", "json"], default="csv")

    purge = sub.add_parser("purge", help="remove the data of cases closed long ago")
    purge.add_argument(
        "--closed-before",
        type=calendar_date,
        help="cut-off date (default: RETENTION_DAYS before today)",
    )

    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])

    kb = sub.add_parser("kb", help="knowledge base maintenance")
    kb.add_argument("action", choices=["check"])
    kb.add_argument("--path", help="folder to check (default: the packaged knowledge base)")
    return parser


def _question_argument(text: str) -> str:
    """Refuse an empty question, so that argparse prints the usage and exits 2."""
    if not text.strip():
        raise argparse.ArgumentTypeError(texts.ASK_NO_QUESTION)
    return text


def calendar_date(text: str) -> date:
    """Read a date typed on the command line, or say which form to use."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; use the form 2026-12-01"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; a user or settings error prints its message and exits 2."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        quiet = args.command in QUIET_COMMANDS
        logs.configure((settings.log_level or ("WARNING" if quiet else "INFO")).upper())
        return _run(args, settings)
    except ValidationError as error:
        print(_settings_problem(error), file=sys.stderr)
        return 2
    except SettingsError as error:
        print(
            f"A setting could not be read: {error}. Lists are JSON, e.g. [1, 2].", file=sys.stderr
        )
        return 2
    except BrokenPipeError:
        return 0
    except UserError as error:
        print(error.message, file=sys.stderr)
        return 2
    except (sa_exc.ArgumentError, sa_exc.OperationalError, sa_exc.DatabaseError) as error:
        print(_database_problem(error), file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        print(_missing_module(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot import run

    handlers = {
        "demo": run.demo,
        "console": run.console,
        "serve": run.serve,
        "ask": run.ask,
        "db": run.db,
        "replay": run.replay,
        "import": run.import_file,
        "roster": run.roster,
        "export": run.export,
        "audit": run.audit_export,
        "purge": run.purge,
        "kb": run.kb,
    }
    return handlers[args.command](args, settings)


def _database_problem(error: Exception) -> str:
    first = str(error).splitlines()[0][:200]
    return (
        f"The database could not be used: {first}\n"
        "Check DATABASE_URL (e.g. sqlite:///var/smbot.db or "
        "postgresql+psycopg://user:password@host/db) and that the database is reachable."
    )


def _missing_module(error: ModuleNotFoundError) -> str:
    if error.name in ("psycopg", "psycopg2"):
        return (
            "DATABASE_URL names PostgreSQL, but its driver is not installed. "
            "Install it with: pip install -e '.[postgres]'"
        )
    raise error


def _settings_problem(error: ValidationError) -> str:
    lines = ["A setting is not valid:"]
    for problem in error.errors():
        name = "_".join(str(part) for part in problem["loc"]).upper()
        # pydantic says "Value error, …" before a validator's own words: they stand alone.
        lines.append(f"  {name}: {problem['msg'].removeprefix('Value error, ')}")
    lines.append("Fix the variable in the environment (or .env) and run again.")
    return "\n".join(lines)


def print_json_lines(objects: Sequence[dict[str, object]]) -> None:
    """Print one JSON object per line."""
    for obj in objects:
        print(json.dumps(obj, ensure_ascii=False))


if __name__ == "__main__":
    raise SystemExit(main())
