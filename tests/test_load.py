"""Load: 200 concurrent `/sm ask` commands and 1,000 webhook events within a minute.

The real aiohttp server (`bot.server.build_web_app`) on 127.0.0.1 with the offline bot's
services, a SQLite file, the sample office and the webhook secret set; this process is also
the client. The webhook events arrive one after another at a steady pace over 55 seconds
(about 18 a second, the requirement's 1,000 a minute with the test kept near a minute),
spread over the office's ATEs and 300 cases with times in the last three days; 50 of them
are delivered twice (25 at the same moment as the first delivery, 25 as a retry right after
its answer); halfway through, all 200 signed `/sm ask …` commands arrive at once.

What a user would check, not tight timings: every request answered in time (Slack's limit
is 3 s, counted from when the request was due to go out, so time the shared event loop kept
the client from sending counts against the server) with the right status, and once the work
has settled, nothing lost and nothing doubled: one answer per command at its response_url,
one stored row per message, one outbox row per (message, level) key and every open
message's reminders planned. `benchmarks/bench_load.py` prints the figures of the same load.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from pydantic import SecretStr
from sqlmodel import Session, select

from bot import payloads
from bot.offline import FORM, OfflineBot
from bot.server import EVENTS_PATH, SLACK_PATH, build_web_app
from bot.webhook import sign
from models.tables import Notification, Question, SecureMessage

SECRET = "webhook-secret"
ACK_LIMIT_SECONDS = 3.0
REQUIREMENT_SECONDS = 60.0
SLASH_COMMANDS = 200
WEBHOOK_EVENTS = 1_000
DUPLICATES = 50
CASES = 300
# The events go out evenly over this many seconds, the commands halfway (requirement: 60).
WINDOW_SECONDS = 55.0
ATES = ("U0ATE1", "U0ATE2", "U0ATE3")
MANAGER = "U0MGR1"
QUESTIONS = Path(__file__).parent / "data" / "questions.yaml"


@dataclass(frozen=True)
class Outcome:
    """One request's answer: what was sent, the status, the body and how long it took."""

    kind: str  # "slash", "event" or "duplicate"
    key: str  # the response_url or the event id
    status: int
    body: str
    seconds: float  # from when it was due to go out to its whole answer
    sent: float  # when it was due to go out, seconds after the load started
    held: float  # how long after that the client got to send it (the loop is shared)


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


class Load:
    """Signs and sends the requests; collects each one's outcome."""

    def __init__(self, bot: OfflineBot, url: str, http: aiohttp.ClientSession) -> None:
        self.bot, self.url, self.http = bot, url, http
        self.outcomes: list[Outcome] = []
        self.started = time.perf_counter()

    async def _post(
        self, kind: str, key: str, path: str, body: bytes, headers: dict[str, str], due: float
    ) -> None:
        held = time.perf_counter() - due
        try:
            async with self.http.post(f"{self.url}{path}", data=body, headers=headers) as answer:
                status, text = answer.status, await answer.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            status, text = 0, repr(error)
        done = time.perf_counter()
        self.outcomes.append(
            Outcome(kind, key, status, text, done - due, due - self.started, held)
        )

    async def slash(self, user: str, question: str, response_url: str, due: float) -> None:
        body = payloads.slash_command(user, f"ask {question}", response_url=response_url)
        headers = payloads.signed_headers(self.bot.secret, body, FORM)
        await self._post("slash", response_url, SLACK_PATH, body.encode(), headers, due)

    async def event(self, event: dict[str, Any], due: float, kind: str = "event") -> None:
        raw = json.dumps(event).encode()
        stamp = str(int(time.time()))
        headers = {
            "X-SM-Timestamp": stamp,
            "X-SM-Signature": sign(SECRET, stamp, raw),
            "Content-Type": "application/json",
        }
        await self._post(kind, event["id"], EVENTS_PATH, raw, headers, due)

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]


@pytest.fixture
async def load(offline: OfflineBot) -> AsyncIterator[Load]:
    assert offline.services is not None
    offline.services.settings = offline.services.settings.model_copy(
        update={"sm_webhook_secret": SecretStr(SECRET)}
    )
    runner = web.AppRunner(build_web_app(offline.services, offline.app))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    connector = aiohttp.TCPConnector(limit=0)  # every request on its own, as senders do
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        yield Load(offline, f"http://127.0.0.1:{port}", http)
    await runner.cleanup()


def _slowest(outcomes: list[Outcome]) -> str:
    worst = sorted(outcomes, key=lambda o: o.seconds)[-3:]
    return ", ".join(
        f"{o.key} {o.status} in {o.seconds:.2f}s (sent {o.held:.2f}s late) at +{o.sent:.1f}s"
        for o in worst
    )


async def test_200_commands_and_1000_events_in_a_minute_are_acked_in_time_once_each(
    load: Load,
) -> None:
    bot = load.bot
    assert bot.services is not None
    events = webhook_events(WEBHOOK_EVENTS, CASES, datetime.now(UTC))
    doubled = {e["id"] for e in random.Random(3).sample(events, DUPLICATES)}
    racing = set(sorted(doubled)[: DUPLICATES // 2])  # the rest are retried after the answer
    urls = [bot.slack.new_response_url() for _ in range(SLASH_COMMANDS)]

    async def deliver(offset: float, event: dict[str, Any]) -> None:
        due = await until(offset)
        if event["id"] in racing:
            await asyncio.gather(load.event(event, due), load.event(event, due, "duplicate"))
        else:
            await load.event(event, due)
            if event["id"] in doubled:
                await load.event(event, time.perf_counter(), "duplicate")

    async def ask(offset: float, user: str, question: str, url: str) -> None:
        await load.slash(user, question, url, await until(offset))

    async def until(offset: float) -> float:
        """Sleep until `offset` seconds after the start; return that instant."""
        due = load.started + offset
        await asyncio.sleep(due - time.perf_counter())
        return due

    pace = WINDOW_SECONDS / WEBHOOK_EVENTS
    load.started = time.perf_counter()
    await asyncio.gather(
        *(deliver(i * pace, event) for i, event in enumerate(events)),
        *(
            ask(WINDOW_SECONDS / 2, ATES[i % len(ATES)], question, urls[i])
            for i, question in enumerate(questions(SLASH_COMMANDS))
        ),
    )
    await bot.settle()

    # All sent within a minute; every command answered 200.
    assert len(load.outcomes) == SLASH_COMMANDS + WEBHOOK_EVENTS + DUPLICATES
    assert max(o.sent for o in load.outcomes) < REQUIREMENT_SECONDS
    slash, firsts, seconds = load.of("slash"), load.of("event"), load.of("duplicate")
    assert Counter(o.status for o in slash) == {200: SLASH_COMMANDS}, _slowest(slash)

    # Each event applied once: of its two deliveries a duplicate got 202 once, 200 once.
    answers: defaultdict[str, list[tuple[int, bool]]] = defaultdict(list)
    for o in firsts + seconds:
        body = json.loads(o.body) if o.body.startswith("{") else {}
        answers[o.key].append((o.status, bool(body.get("duplicate"))))
    assert set(answers) == {e["id"] for e in events}
    wrong = {
        key: got
        for key, got in answers.items()
        if sorted(got) != ([(200, True), (202, False)] if key in doubled else [(202, False)])
    }
    assert wrong == {}

    # One answer per command at its response_url.
    replies = bot.slack.calls_to("response_url")
    assert len(replies) == SLASH_COMMANDS
    assert sorted(call.args["url"] for call in replies) == sorted(urls)
    assert all(call.ok and call.args.get("text") for call in replies)

    with Session(bot.services.engine) as session:
        messages = list(session.exec(select(SecureMessage)).all())
        outbox = list(session.exec(select(Notification)).all())
        asked = len(session.exec(select(Question)).all())
    assert asked == SLASH_COMMANDS

    # The store holds exactly the 1,000 messages, once each.
    assert len(messages) == WEBHOOK_EVENTS
    assert {m.id for m in messages} == {e["id"] for e in events}

    # The outbox: one row per key; each inbound message has all its reminder levels or
    # none (a reply later on the case had already settled it), those still open have all
    # of them pending, no settled message has one pending; one CO-TDC prompt per case.
    keys = Counter(n.key for n in outbox)
    assert [key for key, times in keys.items() if times > 1] == []
    levels = {"reminder:{}:1", "reminder:{}:2", "escalation:{}:3:" + MANAGER}
    planned: defaultdict[str, set[str]] = defaultdict(set)
    pending: defaultdict[str, int] = defaultdict(int)
    for n in outbox:
        if n.message_id is not None:
            planned[n.message_id].add(n.key)
            pending[n.message_id] += n.state == "pending"
    unplanned: list[str] = []
    for m in messages:
        expected = {level.format(m.id) for level in levels} if m.direction == "in" else set()
        allowed = [expected] if m.settled_at is None else [set(), expected]
        still_owed = len(expected) if m.settled_at is None else 0
        if planned[m.id] not in allowed or pending[m.id] != still_owed:
            unplanned.append(m.id)
    assert unplanned == []
    car = sorted(n.key for n in outbox if n.message_id is None)
    numbers = sorted({e["case"] for e in events})
    assert car == sorted(f"car:{c}:CO-TDC:{level}" for c in numbers for level in (1, 2))

    # Every request answered within Slack's limit, from when it was due to go out.
    late = [o for o in load.outcomes if o.seconds >= ACK_LIMIT_SECONDS]
    assert late == [], f"{len(late)} answered after {ACK_LIMIT_SECONDS}s: {_slowest(late)}"
