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

from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
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
from models.tables import Notification, Question, SecureMessage
from tests.conftest import served

SECRET = "webhook-secret"
REQUIREMENT_SECONDS = 60.0
SLASH_COMMANDS = 200
WEBHOOK_EVENTS = 1_000
DUPLICATES = 50
CASES = 300
# The events go out evenly over this many seconds, the commands halfway (requirement: 60).
WINDOW_SECONDS = 55.0
QUESTIONS = Path(__file__).parent / "data" / "questions.yaml"


@pytest.fixture
async def load(offline: OfflineBot) -> AsyncIterator[LoadClient]:
    connector = aiohttp.TCPConnector(limit=0)  # every request on its own, as senders do
    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        served(offline, webhook_secret=SECRET) as url,
        aiohttp.ClientSession(connector=connector, timeout=timeout) as http,
    ):
        yield LoadClient(url, offline.secret, SECRET, http)


def _slowest(outcomes: list[Outcome]) -> str:
    worst = sorted(outcomes, key=lambda o: o.seconds)[-3:]
    return ", ".join(
        f"{o.key} {o.status} in {o.seconds:.2f}s (sent {o.held:.2f}s late) at +{o.sent:.1f}s"
        for o in worst
    )


async def test_200_commands_and_1000_events_in_a_minute_are_acked_in_time_once_each(
    offline: OfflineBot, load: LoadClient
) -> None:
    assert offline.services is not None
    events = webhook_events(WEBHOOK_EVENTS, CASES, datetime.now(UTC))
    doubled = doubled_events(events, DUPLICATES)
    urls = [offline.slack.new_response_url() for _ in range(SLASH_COMMANDS)]
    questions = varied_questions(QUESTIONS, SLASH_COMMANDS)

    await load.send(events, doubled, questions, urls, WINDOW_SECONDS)
    await offline.settle()

    # All sent within a minute; every command answered 200.
    assert len(load.outcomes) == SLASH_COMMANDS + WEBHOOK_EVENTS + DUPLICATES
    assert max(o.sent for o in load.outcomes) < REQUIREMENT_SECONDS
    slash, firsts, seconds = load.of("slash"), load.of("event"), load.of("duplicate")
    assert Counter(o.status for o in slash) == {200: SLASH_COMMANDS}, _slowest(slash)

    # Each event applied once: of its two deliveries a duplicate got 202 once, 200 once.
    answers: defaultdict[str, list[tuple[int, bool]]] = defaultdict(list)
    for o in firsts + seconds:
        answers[o.key].append((o.status, o.duplicate))
    assert set(answers) == {e["id"] for e in events}
    wrong = {
        key: got
        for key, got in answers.items()
        if sorted(got) != ([(200, True), (202, False)] if key in doubled else [(202, False)])
    }
    assert wrong == {}

    # One answer per command at its response_url.
    replies = offline.slack.calls_to("response_url")
    assert len(replies) == SLASH_COMMANDS
    assert sorted(call.args["url"] for call in replies) == sorted(urls)
    assert all(call.ok and call.args.get("text") for call in replies)

    with Session(offline.services.engine) as session:
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
    assert unplanned(messages, outbox) == []
    car = sorted(n.key for n in outbox if n.message_id is None)
    numbers = sorted({e["case"] for e in events})
    assert car == sorted(f"car:{c}:CO-TDC:{level}" for c in numbers for level in (1, 2))

    # Every request answered within Slack's limit, from when it was due to go out.
    late = [o for o in load.outcomes if o.seconds >= ACK_LIMIT_SECONDS]
    assert late == [], f"{len(late)} answered after {ACK_LIMIT_SECONDS}s: {_slowest(late)}"
