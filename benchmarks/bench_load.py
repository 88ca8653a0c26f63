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
import contextlib
import json
import logging
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from aiohttp import web
from pydantic import SecretStr
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from sqlmodel import Session, select

from bot import payloads
from bot.offline import BOT_TOKEN, FORM, OfflineBot
from bot.server import EVENTS_PATH, SLACK_PATH, build_web_app
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.webhook import MAX_WEBHOOK_BYTES, sign
from models.tables import Notification, Question, SecureMessage

ACK_LIMIT_SECONDS = 3.0
WEBHOOK_SECRET = "bench-webhook-secret"
ATES = ("U0ATE1", "U0ATE2", "U0ATE3")
MANAGER = "U0MGR1"
QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "questions.yaml"
SETTLE_LIMIT_SECONDS = 120.0


def load_average() -> str:
    """Return the 1-minute load average: other work on the machine skews the figures."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def cpu_model() -> str:
    """Return the CPU model from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """Describe where this ran: cores, CPU, Python, database."""
    return (
        f"{os.cpu_count()} cores, {cpu_model()}, load {load_average()}, "
        f"Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version} (file, WAL), aiohttp {aiohttp.__version__}"
    )


# --- the load -------------------------------------------------------------------------


def questions(count: int) -> list[str]:
    """Return `count` varied questions: the answer-quality set, in and out of scope."""
    data = yaml.safe_load(QUESTIONS.read_text())
    pool = [item["q"] for item in data["in_scope"]] + list(data["out_of_scope"])
    random.Random(7).shuffle(pool)
    return [pool[i % len(pool)] for i in range(count)]


def webhook_events(count: int, cases: int, now: datetime) -> list[dict[str, Any]]:
    """Return `count` message events with unique ids over `cases` cases, in the last 3 days."""
    rng = random.Random(11)
    numbers = [f"APL-26-{7000 + c:04d}" for c in range(cases)]
    events = []
    for i in range(count):
        c = i % cases
        at = now - timedelta(minutes=rng.uniform(5, 3 * 24 * 60))
        events.append(
            {
                "type": "message.received" if rng.random() < 0.7 else "message.sent",
                "id": f"load-{i:05d}",
                "case": numbers[c],
                "employee": ATES[c % len(ATES)],
                "at": at.isoformat(timespec="seconds"),
            }
        )
    rng.shuffle(events)
    return events


# --- the servers (child processes) ----------------------------------------------------


def bare_web_app(bot: OfflineBot) -> web.Application:
    """The product's routes on the same kind of aiohttp app, with handlers that do nothing."""
    bolt = AsyncApp(
        client=make_web_client(BOT_TOKEN, bot.slack.api_url), signing_secret=bot.secret
    )

    @bolt.command("/sm")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

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
    with tempfile.TemporaryDirectory(prefix="smbot-load-") as folder:
        bot = OfflineBot(f"sqlite:///{Path(folder) / 'store.db'}", settings=Settings())
        await bot.start()
        bot.seed()
        assert bot.services is not None and bot.app is not None
        bot.services.settings = bot.services.settings.model_copy(
            update={"sm_webhook_secret": SecretStr(WEBHOOK_SECRET)}
        )
        web_app = build_web_app(bot.services, bot.app) if kind == "product" else bare_web_app(bot)
        runner = web.AppRunner(web_app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        response_urls = [bot.slack.new_response_url() for _ in range(urls)]
        print(json.dumps({"port": port, "secret": bot.secret, "urls": response_urls}), flush=True)
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
        await runner.cleanup()
        with contextlib.suppress(TimeoutError):
            await bot.stop()


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
    levels = ("reminder:{}:1", "reminder:{}:2", "escalation:{}:3:" + MANAGER)
    planned: defaultdict[str, set[str]] = defaultdict(set)
    pending: Counter[str] = Counter()
    for n in outbox:
        if n.message_id is not None:
            planned[n.message_id].add(n.key)
            pending[n.message_id] += n.state == "pending"
    unplanned = 0  # open inbound messages without all their levels pending, or settled with any
    for m in messages:
        expected = {level.format(m.id) for level in levels} if m.direction == "in" else set()
        if m.settled_at is None:
            unplanned += planned[m.id] != expected or pending[m.id] != len(expected)
        else:
            unplanned += planned[m.id] not in (set(), expected) or pending[m.id] != 0
    return {
        "answers": len(replies),
        "answered_urls": sorted({call.args["url"] for call in replies}),
        "answers_failed": sum(not call.ok for call in replies),
        "questions": asked,
        "message_ids": [m.id for m in messages],
        "outbox_rows": len(outbox),
        "outbox_keys": len({n.key for n in outbox}),
        "car_keys": sorted(n.key for n in outbox if n.message_id is None),
        "unplanned": unplanned,
    }


# --- the client -----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    kind: str  # "slash" or "event" (a first or a second delivery)
    key: str
    status: int
    duplicate: bool  # the server said so
    seconds: float  # from when it was due to go out to its whole answer
    due: float  # when it was due, seconds after the start
    done: float  # when it was answered, seconds after the start


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
    base = f"http://127.0.0.1:{port}"
    events = webhook_events(load.events, load.cases, datetime.now(UTC))
    doubled = {e["id"] for e in random.Random(3).sample(events, load.duplicates)}
    racing = set(sorted(doubled)[: load.duplicates // 2])
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=0)  # every request on its own, as senders do
    timeout = aiohttp.ClientTimeout(total=60)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def post(
            kind: str, key: str, path: str, body: bytes, headers: Any, due: float
        ) -> None:
            duplicate = False
            try:
                async with http.post(f"{base}{path}", data=body, headers=headers) as answer:
                    status, text = answer.status, await answer.text()
                if kind == "event" and text.startswith("{"):
                    duplicate = bool(json.loads(text).get("duplicate"))
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            now = time.perf_counter()
            outcomes.append(
                Outcome(kind, key, status, duplicate, now - due, due - started, now - started)
            )

        async def event(item: dict[str, Any], due: float) -> None:
            raw = json.dumps(item).encode()
            stamp = str(int(time.time()))
            headers = {
                "X-SM-Timestamp": stamp,
                "X-SM-Signature": sign(WEBHOOK_SECRET, stamp, raw),
                "Content-Type": "application/json",
            }
            await post("event", item["id"], EVENTS_PATH, raw, headers, due)

        async def until(offset: float) -> float:
            due = started + offset
            await asyncio.sleep(due - time.perf_counter())
            return due

        async def deliver(offset: float, item: dict[str, Any]) -> None:
            due = await until(offset)
            if item["id"] in racing:
                await asyncio.gather(event(item, due), event(item, due))
            else:
                await event(item, due)
                if item["id"] in doubled:
                    await event(item, time.perf_counter())

        async def ask(offset: float, user: str, question: str, url: str) -> None:
            due = await until(offset)
            body = payloads.slash_command(user, f"ask {question}", response_url=url)
            headers = payloads.signed_headers(secret, body, FORM)
            await post("slash", url, SLACK_PATH, body.encode(), headers, due)

        pace = load.window / load.events
        await asyncio.gather(
            *(deliver(i * pace, item) for i, item in enumerate(events)),
            *(
                ask(load.window / 2, ATES[i % len(ATES)], question, urls[i])
                for i, question in enumerate(questions(load.commands))
            ),
        )
    return outcomes, events, doubled


def run(kind: str, load: Load) -> tuple[list[Outcome], dict[str, Any], set[str], set[str]]:
    """Start the server in a child process, load it, collect its report, stop it."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--commands", str(load.commands)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        ready = json.loads(child.stdout.readline())
        outcomes, events, doubled = asyncio.run(
            send(ready["port"], ready["secret"], ready["urls"], load)
        )
        child.stdin.write("report\n")
        child.stdin.flush()
        report = json.loads(child.stdout.readline())
        child.stdin.write("stop\n")
        child.stdin.flush()
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    report["urls"] = ready["urls"]
    return outcomes, report, {e["id"] for e in events}, doubled


# --- figures and checks ---------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def figures(outcomes: list[Outcome], kind: str) -> str:
    mine = [o for o in outcomes if o.kind == kind]
    seconds = [o.seconds for o in mine]
    span = max(o.done for o in mine) - min(o.due for o in mine)
    late = sum(s >= ACK_LIMIT_SECONDS for s in seconds)
    statuses = ", ".join(
        f"{status}×{n}" for status, n in sorted(Counter(o.status for o in mine).items())
    )
    return (
        f"{len(mine):5d}  p50 {quantile(seconds, 0.5) * 1000:7.1f} ms  "
        f"p99 {quantile(seconds, 0.99) * 1000:7.1f} ms  max {max(seconds) * 1000:7.1f} ms  "
        f"{len(mine) / span:6.0f} req/s  ≥3 s: {late}  [{statuses}]  "
        f"(slowest due at +{max(mine, key=lambda o: o.seconds).due:.1f} s)"
    )


def product_checks(
    outcomes: list[Outcome], report: dict[str, Any], ids: set[str], doubled: set[str], load: Load
) -> list[tuple[str, bool]]:
    """What a user would check: in time, the right answers, nothing lost, nothing doubled."""
    answers: defaultdict[str, list[tuple[int, bool]]] = defaultdict(list)
    for o in outcomes:
        if o.kind == "event":
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

    print(f"machine: {machine()}")
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
                print(f"  {label} webhook   {figures(outcomes, 'event')}")
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
