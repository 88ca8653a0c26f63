"""The Slack HTTP endpoint: a real aiohttp server fed signed bodies, answers at the stand-in."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from sqlmodel import Session, select

from bot import payloads, texts
from bot.offline import FORM, JSON, OfflineBot
from models.tables import Feedback, Question
from tests.conftest import SAMPLES, served

ACK_LIMIT_SECONDS = 3.0
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="shared/slack-samples not beside the repo"
)


class Server:
    """The bot's aiohttp server on a free loopback port, plus a signing client."""

    def __init__(self, bot: OfflineBot, url: str, http: aiohttp.ClientSession) -> None:
        self.bot = bot
        self.url = url
        self.http = http

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str | None = None,
        at: float | None = None,
        extra: dict[str, str] | None = None,
    ) -> tuple[int, str, float]:
        headers = payloads.signed_headers(secret or self.bot.secret, body, content_type, at=at)
        started = time.perf_counter()
        async with self.http.post(
            f"{self.url}/slack/events", data=body.encode(), headers={**headers, **(extra or {})}
        ) as response:
            text = await response.text()
        return response.status, text, time.perf_counter() - started

    def questions(self) -> list[Question]:
        assert self.bot.services is not None
        with Session(self.bot.services.engine) as session:
            return list(session.exec(select(Question)).all())


@pytest.fixture
async def server(offline: OfflineBot) -> AsyncIterator[Server]:
    async with served(offline) as url, aiohttp.ClientSession() as http:
        yield Server(offline, url, http)


def _sample(name: str) -> str:
    return (SAMPLES / "incoming" / name).read_text()


async def test_a_signed_ask_is_acked_in_time_and_the_cited_answer_reaches_slack(
    server: Server,
) -> None:
    body = payloads.slash_command(
        "U0ATE1",
        "ask the taxpayer messaged me first through sm, what code?",
        response_url=server.bot.slack.new_response_url(),
    )

    status, _, elapsed = await server.post(body, FORM)
    calls = await server.bot.slack.wait_for("response_url")

    assert status == 200
    assert elapsed < ACK_LIMIT_SECONDS
    answer = json.dumps(calls[0].args)
    assert "IRM 8.6.1.4.X.1(3)" in answer
    assert "CO-TDC" in answer


async def test_a_bad_signature_gets_401_and_nothing_runs(server: Server) -> None:
    body = payloads.slash_command(
        "U0ATE1", "ask co-tdc", response_url=server.bot.slack.new_response_url()
    )

    status, _, _ = await server.post(body, FORM, secret="not-the-secret")
    await server.bot.settle()

    assert status == 401
    assert server.bot.slack.calls_to("response_url") == []
    assert server.questions() == []


@pytest.mark.parametrize("stamp", ["notanumber", "", "\u00b2"])
async def test_a_malformed_timestamp_gets_401_and_nothing_is_sent_anywhere(
    server: Server, stamp: str
) -> None:
    body = payloads.slash_command(
        "U0ATE1", "help", response_url=server.bot.slack.new_response_url()
    )
    header = {"x-slack-request-timestamp": stamp.encode().decode("latin-1")}

    status, _, _ = await server.post(body, FORM, extra=header)
    await server.bot.settle()

    assert status == 401
    assert server.bot.slack.calls_to("response_url") == []


async def test_a_stale_signature_gets_401(server: Server) -> None:
    body = payloads.slash_command(
        "U0ATE1", "ask co-tdc", response_url=server.bot.slack.new_response_url()
    )

    status, _, _ = await server.post(body, FORM, at=time.time() - 6 * 60)

    assert status == 401
    assert server.questions() == []


async def test_the_health_check_reports_the_database(server: Server) -> None:
    async with server.http.get(f"{server.url}/healthz") as response:
        body = await response.json()

    assert response.status == 200
    assert body == {"ok": True}


@needs_samples
async def test_slacks_own_slash_command_body_with_our_command_is_answered(server: Server) -> None:
    fields = dict(parse_qsl(_sample("slash_command.body.txt")))
    fields.update(
        command="/sm",
        text="ask what do i do when a poa is revoked",
        response_url=server.bot.slack.new_response_url(),
    )

    status, _, _ = await server.post(urlencode(fields), FORM)
    calls = await server.bot.slack.wait_for("response_url")

    assert status == 200
    assert "IRM 8.6.1.4.X.1(6)" in json.dumps(calls[0].args)
    assert server.questions()[0].asked_by == "W111"


@needs_samples
async def test_url_verification_echoes_the_challenge(server: Server) -> None:
    body = _sample("url_verification.json")

    status, text, _ = await server.post(body, JSON)

    assert status == 200
    assert json.loads(body)["challenge"] in text


@needs_samples
async def test_ssl_check_gets_an_empty_200(server: Server) -> None:
    status, text, _ = await server.post(_sample("slash_command_ssl_check.body.txt"), FORM)

    assert status == 200
    assert text == ""


@needs_samples
async def test_a_dm_in_slacks_shape_is_answered_in_that_dm(server: Server) -> None:
    envelope = json.loads(_sample("message_im.json"))
    envelope["event"]["text"] = "what code when the rep asks to stop using secure messaging"

    status, _, _ = await server.post(json.dumps(envelope), JSON)
    calls = await server.bot.slack.wait_for("chat.postMessage")

    assert status == 200
    assert calls[0].args["channel"] == "D024BE91L"
    assert "IRM 8.6.1.4.X.1(4)" in json.dumps(calls[0].args)


@needs_samples
async def test_a_retried_event_is_answered_once(server: Server) -> None:
    body = _sample("app_mention.json")

    await server.post(body, JSON)
    await server.post(
        body, JSON, extra={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    await server.bot.settle()

    posts = server.bot.slack.calls_to("chat.postMessage")
    assert len(posts) == 1
    assert posts[0].args["thread_ts"] == "1595926230.009600"


@needs_samples
async def test_a_feedback_click_in_slacks_shape_is_stored(server: Server) -> None:
    await server.bot.slash("U0ATE1", "ask when is co-tdc recorded")
    question = server.questions()[0]
    payload = json.loads(_sample("block_actions_button.json"))
    payload["actions"][0].update(action_id="answer_unhelpful", value=str(question.id))
    payload["response_url"] = server.bot.slack.new_response_url()

    status, _, _ = await server.post(urlencode({"payload": json.dumps(payload)}), FORM)
    calls = await server.bot.slack.wait_for("response_url", count=2)

    assert status == 200
    assert calls[-1].args["text"] == texts.FEEDBACK_THANKS_DOWN
    assert server.bot.services is not None
    with Session(server.bot.services.engine) as session:
        votes = session.exec(select(Feedback)).all()
    assert [(v.voter, v.helpful) for v in votes] == [("W111", False)]


async def test_a_slack_error_while_replying_is_logged_and_the_user_told(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    server.bot.slack.fail("response_url", status=500)
    body = payloads.slash_command(
        "U0ATE2", "ask co-tdc", response_url=server.bot.slack.new_response_url()
    )

    with caplog.at_level(logging.WARNING):
        status, _, _ = await server.post(body, FORM)
        told = await server.bot.slack.wait_for("chat.postEphemeral")
    again = await server.bot.slash("U0ATE2", "help")

    assert status == 200
    assert told[0].args["user"] == "U0ATE2"
    assert told[0].args["text"] == texts.SLACK_FAILED
    assert "user=U0ATE2" in caplog.text and "trigger_id=" in caplog.text
    assert any(call.method == "response_url" and call.ok for call in again)


async def test_a_dm_that_slack_refuses_is_logged_and_the_server_keeps_serving(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    server.bot.slack.fail("chat.postMessage", error="channel_not_found")

    with caplog.at_level(logging.WARNING):
        status, _, _ = await server.post(payloads.direct_message("U0ATE1", "co-tdc?"), JSON)
        await server.bot.settle()
    status_after, _, _ = await server.post(payloads.direct_message("U0ATE1", "co-tdw?"), JSON)
    await server.bot.settle()

    assert (status, status_after) == (200, 200)
    assert "error=channel_not_found" in caplog.text and "event_id=Ev" in caplog.text
    assert [c.ok for c in server.bot.slack.calls_to("chat.postMessage")] == [False, True]
