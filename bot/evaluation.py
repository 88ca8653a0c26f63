"""Measure the bot the same way in the tests and the benchmarks.

Answer quality: the question files (``questions*.yaml``) and how an answer is scored,
hit@1, hit@3, MRR and abstention. Load: the signed ``/sm ask`` commands and webhook events
of the load test, sent on schedule over HTTP, and what the store must hold afterwards.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Self

import aiohttp
import yaml

from bot import payloads
from bot.answers import AnswerEngine
from bot.offline import FORM
from bot.server import EVENTS_PATH, SLACK_PATH
from bot.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from models.tables import Notification, SecureMessage

# --- answer quality --------------------------------------------------------------------

QUESTION_FILES = "questions*.yaml"
BLIND_MARK = "blind"
TODAY = date(2025, 1, 1)


@dataclass(frozen=True)
class QuestionSet:
    """The questions of one file: (question, expected citation) pairs and off-topic ones."""

    name: str
    in_scope: list[tuple[str, str]]
    out_of_scope: list[str]

    @property
    def blind(self) -> bool:
        """Return whether the set is reserved, so its questions must not be shown."""
        return BLIND_MARK in self.name


def load_sets(directory: Path) -> list[QuestionSet]:
    """Load every question file in ``directory``, merging each file's lists."""
    sets = []
    for path in sorted(directory.glob(QUESTION_FILES)):
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        in_scope: list[tuple[str, str]] = []
        out_of_scope: list[str] = []
        for key, items in data.items():
            if "out_of_scope" in str(key):
                out_of_scope += [_question(item) for item in items or []]
            else:
                in_scope += [(_question(item), str(item["expect"])) for item in items or []]
        sets.append(QuestionSet(path.name, in_scope, out_of_scope))
    return sets


def _question(item: str | dict[str, Any]) -> str:
    """Return the question text of a list item, a plain string or a ``{q: ...}`` mapping."""
    return str(item["q"]) if isinstance(item, dict) else str(item)


def ranked(engine: AnswerEngine, question: str) -> tuple[bool, list[str]]:
    """Return whether the engine answered, and its citations best first."""
    answer = engine.ask(question, TODAY)
    order = [engine.kb.section(sid).citation for sid in engine.ranked_sections(question)]
    if answer.citation is not None:
        order = [answer.citation, *(c for c in order if c != answer.citation)]
    return answer.answered, order


@dataclass
class Score:
    """Counts from one or more question sets; the figures are derived from them."""

    name: str = ""
    in_scope: int = 0
    out_of_scope: int = 0
    top1: int = 0
    hit3: int = 0
    reciprocal: float = 0.0
    abstained_in: int = 0
    abstained_out: int = 0

    def count_in_scope(self, expected: str, answered: bool, order: Sequence[str]) -> bool:
        """Count an in-scope question from its answer; return whether it was a hit at 1.

        An abstention is a miss at 1; hit@3 and MRR use the ranked citations all the same.
        """
        rank = order.index(expected) + 1 if expected in order else 0
        hit = answered and rank == 1
        self.in_scope += 1
        self.top1 += hit
        self.hit3 += 0 < rank <= 3
        self.reciprocal += 1 / rank if rank else 0
        self.abstained_in += not answered
        return hit

    def count_out_of_scope(self, answered: bool) -> None:
        """Count an out-of-scope question: right when it was left unanswered."""
        self.out_of_scope += 1
        self.abstained_out += not answered

    def add(self, other: Self) -> None:
        """Add another score's counts to this one."""
        self.in_scope += other.in_scope
        self.out_of_scope += other.out_of_scope
        self.top1 += other.top1
        self.hit3 += other.hit3
        self.reciprocal += other.reciprocal
        self.abstained_in += other.abstained_in
        self.abstained_out += other.abstained_out

    @property
    def top1_rate(self) -> float:
        """Return the share of in-scope questions answered with the expected citation."""
        return self.top1 / self.in_scope if self.in_scope else 0.0

    @property
    def hit3_rate(self) -> float:
        """Return the share of in-scope questions whose citation is in the top three."""
        return self.hit3 / self.in_scope if self.in_scope else 0.0

    @property
    def mrr(self) -> float:
        """Return the mean reciprocal rank of the expected citation."""
        return self.reciprocal / self.in_scope if self.in_scope else 0.0

    @property
    def abstention(self) -> float:
        """Return the share of out-of-scope questions left unanswered."""
        return self.abstained_out / self.out_of_scope if self.out_of_scope else 1.0

    @property
    def false_abstention(self) -> float:
        """Return the share of in-scope questions left unanswered."""
        return self.abstained_in / self.in_scope if self.in_scope else 0.0


# --- load --------------------------------------------------------------------------------

ACK_LIMIT_SECONDS = 3.0  # Slack's
ATES = ("U0ATE1", "U0ATE2", "U0ATE3")
MANAGER = "U0MGR1"
REMINDER_LEVELS = ("reminder:{}:1", "reminder:{}:2", "escalation:{}:3:" + MANAGER)


def varied_questions(path: Path, count: int) -> list[str]:
    """Return `count` varied questions from a question file, in and out of scope."""
    data = yaml.safe_load(path.read_text())
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


def doubled_events(events: Sequence[dict[str, Any]], count: int) -> set[str]:
    """Return the ids of the `count` events that are delivered twice."""
    return {e["id"] for e in random.Random(3).sample(list(events), count)}


@dataclass(frozen=True)
class Outcome:
    """One request's answer: what was sent, the status, the body and how long it took."""

    kind: str  # "slash", "event" or "duplicate" (an event's second delivery)
    key: str  # the response_url or the event id
    status: int
    body: str
    seconds: float  # from when it was due to go out to its whole answer
    sent: float  # when it was due to go out, seconds after the load started
    held: float  # how long after that the client got to send it (the loop is shared)
    done: float  # when it was answered, seconds after the load started

    @property
    def duplicate(self) -> bool:
        """Return whether the server said the event was a duplicate."""
        return self.body.startswith("{") and bool(json.loads(self.body).get("duplicate"))


class LoadClient:
    """Sign and send the load's requests on schedule; collect each one's outcome."""

    def __init__(
        self, url: str, slack_secret: str, webhook_secret: str, http: aiohttp.ClientSession
    ) -> None:
        self.url, self.http = url, http
        self.slack_secret, self.webhook_secret = slack_secret, webhook_secret
        self.outcomes: list[Outcome] = []
        self.started = time.perf_counter()

    async def send(
        self,
        events: Sequence[dict[str, Any]],
        doubled: set[str],
        questions: Sequence[str],
        urls: Sequence[str],
        window: float,
    ) -> None:
        """Send the events at a steady pace over `window` seconds, the commands at once halfway.

        Half the `doubled` events are delivered twice at the same moment, the others again
        right after their first answer. Question i is asked by an ATE at response URL i.
        """
        racing = set(sorted(doubled)[: len(doubled) // 2])
        pace = window / len(events)
        self.started = time.perf_counter()
        await asyncio.gather(
            *(self._deliver(i * pace, event, doubled, racing) for i, event in enumerate(events)),
            *(
                self._ask(window / 2, ATES[i % len(ATES)], question, urls[i])
                for i, question in enumerate(questions)
            ),
        )

    def of(self, *kinds: str) -> list[Outcome]:
        """Return the outcomes of the requests of these kinds."""
        return [o for o in self.outcomes if o.kind in kinds]

    async def _event(self, event: dict[str, Any], due: float, kind: str = "event") -> None:
        raw = json.dumps(event).encode()
        stamp = str(int(time.time()))
        headers = {
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(self.webhook_secret, stamp, raw),
            "Content-Type": "application/json",
        }
        await self._post(kind, event["id"], EVENTS_PATH, raw, headers, due)

    async def _until(self, offset: float) -> float:
        """Sleep until `offset` seconds after the start; return that instant."""
        due = self.started + offset
        await asyncio.sleep(due - time.perf_counter())
        return due

    async def _deliver(
        self, offset: float, event: dict[str, Any], doubled: set[str], racing: set[str]
    ) -> None:
        due = await self._until(offset)
        if event["id"] in racing:
            await asyncio.gather(self._event(event, due), self._event(event, due, "duplicate"))
        else:
            await self._event(event, due)
            if event["id"] in doubled:
                await self._event(event, time.perf_counter(), "duplicate")

    async def _ask(self, offset: float, user: str, question: str, url: str) -> None:
        due = await self._until(offset)
        body = payloads.slash_command(user, f"ask {question}", response_url=url)
        headers = payloads.signed_headers(self.slack_secret, body, FORM)
        await self._post("slash", url, SLACK_PATH, body.encode(), headers, due)

    async def _post(
        self, kind: str, key: str, path: str, body: bytes, headers: dict[str, str], due: float
    ) -> None:
        held = time.perf_counter() - due
        try:
            async with self.http.post(f"{self.url}{path}", data=body, headers=headers) as answer:
                status, text = answer.status, await answer.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            status, text = 0, repr(error)
        now = time.perf_counter()
        self.outcomes.append(
            Outcome(
                kind, key, status, text, now - due, due - self.started, held, now - self.started
            )
        )


def unplanned(messages: Iterable[SecureMessage], outbox: Iterable[Notification]) -> list[str]:
    """Return the ids of the messages whose reminders are not planned as they should be.

    An open inbound message has all its reminder levels pending; a settled one all of them or
    none (a reply on the case had settled it first), none pending; an outbound one none.
    """
    planned: defaultdict[str, set[str]] = defaultdict(set)
    pending: defaultdict[str, int] = defaultdict(int)
    for n in outbox:
        if n.message_id is not None:
            planned[n.message_id].add(n.key)
            pending[n.message_id] += n.state == "pending"
    wrong: list[str] = []
    for m in messages:
        expected = (
            {level.format(m.id) for level in REMINDER_LEVELS} if m.direction == "in" else set()
        )
        allowed = [expected] if m.settled_at is None else [set(), expected]
        still_owed = len(expected) if m.settled_at is None else 0
        if planned[m.id] not in allowed or pending[m.id] != still_owed:
            wrong.append(m.id)
    return wrong
