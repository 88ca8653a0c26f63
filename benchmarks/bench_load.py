"""Ack latency and throughput of slash commands and webhook events together, beside bare servers.

Run from the repository root::

    python benchmarks/bench_load.py [--commands 200] [--events 1000] [--windows 55 0]

The load is the requirement's: ``--commands`` signed ``/sm ask …`` commands (varied
questions from ``tests/data/questions.yaml``) and ``--events`` signed ``message.received``
/ ``message.sent`` webhook events with unique ids, spread over the sample office's ATEs and
``--cases`` cases, times in the last three days; ``--duplicates`` of the events are
delivered twice (half at the same moment as the first delivery, half as a retry right
after its answer). For each ``--windows`` value W the events go out at a steady pace over W
seconds and all the commands at once at W/2 (``0``: everything at once, which shows the
most a server answers per second).

Each server runs in a child process of its own on 127.0.0.1 and is served the same way, an
aiohttp ``AppRunner`` with the offline bot's services in that process (a fresh SQLite
store, the sample office, a local Slack stand-in for the Web API and the response URLs).

Product: ``bot.server.build_web_app`` with the real app and ``SM_WEBHOOK_SECRET`` set;
after the load it waits for the work to settle and reports what reached the stand-in and
the store, so the run also checks that nothing was lost or doubled.

Baseline: the same routes on the same kind of aiohttp app, a bare Bolt ``AsyncApp`` (same
client and signing secret) whose ``/sm`` listener only acks, and a bare handler that answers
``POST /events`` with 202 without doing anything.

This process is the client. Latency is from the instant a request was due to go out to
reading its whole answer; throughput is the requests of a kind over the time from the first
one due to the last one answered (in a paced run, about the pace it was offered at).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from harness import SQLITE, acking_app, child_server, load_average, machine, quantile, served
from pydantic import SecretStr
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from sqlmodel import Session, select

from bot.evaluation import (
    ACK_LIMIT_SECONDS,
    LoadClient,
    Outcome,
    doubled_events,
    unplanned,
    varied_questions,
    webhook_events,
)
from bot.offline import OfflineBot
from bot.server import EVENTS_PATH, SLACK_PATH, build_web_app
from bot.webhook import MAX_WEBHOOK_BYTES
from models.tables import Notification, Question, SecureMessage

WEBHOOK_SECRET = "bench-webhook-secret"
QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "questions.yaml"
SETTLE_LIMIT_SECONDS = 120.0


# --- the servers (child processes) ----------------------------------------------------


def web_app(kind: str, bot: OfflineBot) -> web.Application:
    """Serve the product's app with the webhook secret set, or the bare one."""
    assert bot.services is not None and bot.app is not None
    bot.services.settings = bot.services.settings.model_copy(
        update={"sm_webhook_secret": SecretStr(WEBHOOK_SECRET)}
    )
    return build_web_app(bot.services, bot.app) if kind == "product" else bare_web_app(bot)


def bare_web_app(bot: OfflineBot) -> web.Application:
    """The product's routes on the same kind of aiohttp app, with handlers that do nothing."""
    bolt = acking_app(bot)

    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def events(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True}, status=202)

    web_app = web.Application(client_max_size=MAX_WEBHOOK_BYTES)
    web_app.router.add_post(EVENTS_PATH, events)
    web_app.router.add_post(SLACK_PATH, slack_events)
    return web_app


class LogCount(logging.Handler):
    """Count the warnings and errors the server logs by logger; keep the first error."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.levels: Counter[str] = Counter()
        self.first_error: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.levels[f"{record.levelname} {record.name}"] += 1
        if record.levelno >= logging.ERROR and self.first_error is None:
            problem = f" ({record.exc_info[1]!r})" if record.exc_info else ""
            self.first_error = f"{record.name}: {record.getMessage()}{problem}"


async def serve(kind: str, urls: int) -> None:
    """Serve one app on a free loopback port; on stdin's 'report', settle and report."""
    logs = LogCount()
    logging.getLogger().addHandler(logs)
    logging.getLogger().setLevel(logging.WARNING)
    async with served("load", urls, lambda bot: web_app(kind, bot)) as bot:
        line = await asyncio.to_thread(sys.stdin.readline)
        if line.strip() == "report":
            started = time.perf_counter()
            settled = await settle(bot)
            report = store_report(bot) if kind == "product" else {}
            report.update(
                settled=settled,
                settle_seconds=round(time.perf_counter() - started, 1),
                logged=dict(logs.levels),
                first_error=logs.first_error,
                publishes=len(bot.slack.calls_to("views.publish")),
                auth_tests=len(bot.slack.calls_to("auth.test")),
            )
            print(json.dumps(report), flush=True)
            await asyncio.to_thread(sys.stdin.readline)


async def settle(bot: OfflineBot) -> bool:
    """Wait for the work after the acks (up to SETTLE_LIMIT_SECONDS); True if it finished."""
    deadline = time.perf_counter() + SETTLE_LIMIT_SECONDS
    while time.perf_counter() < deadline:
        try:
            await bot.settle()
            return True
        except TimeoutError:
            continue
    return False


def store_report(bot: OfflineBot) -> dict[str, Any]:
    """What reached the stand-in and the store: answers, questions, messages, the outbox."""
    assert bot.services is not None
    replies = bot.slack.calls_to("response_url")
    with Session(bot.services.engine) as session:
        messages = list(session.exec(select(SecureMessage)).all())
        outbox = list(session.exec(select(Notification)).all())
        asked = len(session.exec(select(Question)).all())
    return {
        "answers": len(replies),
        "answered_urls": sorted({call.args["url"] for call in replies}),
        "answers_failed": sum(not call.ok for call in replies),
        "questions": asked,
        "message_ids": [m.id for m in messages],
        "outbox_rows": len(outbox),
        "outbox_keys": len({n.key for n in outbox}),
        "car_keys": sorted(n.key for n in outbox if n.message_id is None),
        "unplanned": len(unplanned(messages, outbox)),
    }


# --- the client -----------------------------------------------------------------------


@dataclass
class Load:
    commands: int
    events: int
    duplicates: int
    cases: int
    window: float

    def describe(self) -> str:
        if self.window == 0:
            return (
                f"{self.events} events + {self.duplicates} second deliveries and "
                f"{self.commands} commands, all at once"
            )
        return (
            f"{self.events} events at a steady {self.events / self.window:.0f}/s over "
            f"{self.window:g} s + {self.duplicates} second deliveries, "
            f"{self.commands} commands at once at +{self.window / 2:g} s"
        )


async def send(
    port: int, secret: str, urls: list[str], load: Load
) -> tuple[list[Outcome], list[dict[str, Any]], set[str]]:
    """Send the whole load on schedule; return each request's outcome."""
    events = webhook_events(load.events, load.cases, datetime.now(UTC))
    doubled = doubled_events(events, load.duplicates)
    questions = varied_questions(QUESTIONS, load.commands)
    connector = aiohttp.TCPConnector(limit=0)  # every request on its own, as senders do
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        client = LoadClient(f"http://127.0.0.1:{port}", secret, WEBHOOK_SECRET, http)
        await client.send(events, doubled, questions, urls, load.window)
    return client.outcomes, events, doubled


def run(kind: str, load: Load) -> tuple[list[Outcome], dict[str, Any], set[str], set[str]]:
    """Start the server in a child process, load it, collect its report, stop it."""
    arguments = ("--serve", kind, "--commands", str(load.commands))
    with child_server(__file__, *arguments, stdin=True) as (child, ready):
        assert child.stdin is not None and child.stdout is not None
        outcomes, events, doubled = asyncio.run(
            send(ready["port"], ready["secret"], ready["urls"], load)
        )
        child.stdin.write("report\n")
        child.stdin.flush()
        report = json.loads(child.stdout.readline())
        child.stdin.write("stop\n")
        child.stdin.flush()
        child.wait(timeout=60)
    report["urls"] = ready["urls"]
    return outcomes, report, {e["id"] for e in events}, doubled


# --- figures and checks ---------------------------------------------------------------


def figures(outcomes: list[Outcome], *kinds: str) -> str:
    mine = [o for o in outcomes if o.kind in kinds]
    seconds = [o.seconds for o in mine]
    span = max(o.done for o in mine) - min(o.sent for o in mine)
    late = sum(s >= ACK_LIMIT_SECONDS for s in seconds)
    statuses = ", ".join(
        f"{status}×{n}" for status, n in sorted(Counter(o.status for o in mine).items())
    )
    return (
        f"{len(mine):5d}  p50 {quantile(seconds, 0.5) * 1000:7.1f} ms  "
        f"p99 {quantile(seconds, 0.99) * 1000:7.1f} ms  max {max(seconds) * 1000:7.1f} ms  "
        f"{len(mine) / span:6.0f} req/s  ≥3 s: {late}  [{statuses}]  "
        f"(slowest due at +{max(mine, key=lambda o: o.seconds).sent:.1f} s)"
    )


def product_checks(
    outcomes: list[Outcome], report: dict[str, Any], ids: set[str], doubled: set[str], load: Load
) -> list[tuple[str, bool]]:
    """What a user would check: in time, the right answers, nothing lost, nothing doubled."""
    answers: defaultdict[str, list[tuple[int, bool]]] = defaultdict(list)
    for o in outcomes:
        if o.kind != "slash":
            answers[o.key].append((o.status, o.duplicate))
    right = sum(
        sorted(got) == ([(200, True), (202, False)] if key in doubled else [(202, False)])
        for key, got in answers.items()
    )
    slash_ok = sum(o.status == 200 for o in outcomes if o.kind == "slash")
    cases = sorted({f"APL-26-{7000 + c:04d}" for c in range(min(load.cases, load.events))})
    car = sorted(f"car:{c}:CO-TDC:{level}" for c in cases for level in (1, 2))
    stored = report["message_ids"]
    return [
        (
            f"every ack within {ACK_LIMIT_SECONDS:g} s",
            all(o.seconds < ACK_LIMIT_SECONDS for o in outcomes),
        ),
        (f"commands answered 200: {slash_ok}/{load.commands}", slash_ok == load.commands),
        (
            f"events answered 202 once (and 200 duplicate on the second delivery): "
            f"{right}/{load.events}",
            right == load.events and set(answers) == ids,
        ),
        (
            f"answers at the response URLs: {report['answers']} for {load.commands} commands "
            f"({len(report['answered_urls'])} distinct, {report['answers_failed']} failed)",
            report["answers"] == load.commands
            and report["answered_urls"] == sorted(report["urls"])
            and report["answers_failed"] == 0,
        ),
        (f"questions stored: {report['questions']}", report["questions"] == load.commands),
        (
            f"messages stored: {len(stored)} rows, {len(set(stored))} distinct, "
            f"of {load.events} sent",
            len(stored) == load.events and set(stored) == ids,
        ),
        (
            f"outbox: {report['outbox_rows']} rows, {report['outbox_keys']} distinct keys; "
            f"messages without their reminders as planned: {report['unplanned']}; "
            f"CO-TDC prompts {len(report['car_keys'])} for {len(cases)} cases × 2",
            report["outbox_rows"] == report["outbox_keys"]
            and report["unplanned"] == 0
            and report["car_keys"] == car,
        ),
        (f"work settled after the load ({report['settle_seconds']} s)", report["settled"]),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=200, help="signed /sm ask commands")
    parser.add_argument("--events", type=int, default=1000, help="webhook events (unique ids)")
    parser.add_argument("--duplicates", type=int, default=50, help="events delivered twice")
    parser.add_argument("--cases", type=int, default=300, help="cases the events are about")
    parser.add_argument(
        "--windows",
        type=float,
        nargs="+",
        default=[55.0, 0.0],
        help="seconds the events are spread over, one run each (0: all at once)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="turns each server takes")
    parser.add_argument("--serve", choices=["product", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.commands))
        return 0

    print(f"machine: {machine(SQLITE, f'aiohttp {aiohttp.__version__}')}")
    print("client and servers on 127.0.0.1; each server in its own child process")
    failed = False
    for window in args.windows:
        load = Load(args.commands, args.events, args.duplicates, args.cases, window)
        print(f"\nload: {load.describe()}")
        for _ in range(args.rounds):  # taking turns, so other work on the machine weighs alike
            for kind, label in (("bare", "baseline"), ("product", "product ")):
                print(f"  ({kind}: load {load_average()} before)", flush=True)
                outcomes, report, ids, doubled = run(kind, load)
                print(f"  {label} /sm ask   {figures(outcomes, 'slash')}")
                print(f"  {label} webhook   {figures(outcomes, 'event', 'duplicate')}")
                if kind == "bare":
                    continue
                for text, ok in product_checks(outcomes, report, ids, doubled, load):
                    failed |= not ok
                    print(f"    {'ok  ' if ok else 'FAIL'} {text}")
                print(
                    f"    server log: {report['logged'] or 'no warnings or errors'}"
                    + (f"; first error: {report['first_error']}" if report["first_error"] else "")
                    + f"; Home tab publishes: {report['publishes']} for {load.events} events"
                    + f"; auth.test calls: {report['auth_tests']}"
                )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
