"""`/sm`, DMs and mentions through the offline harness: answers, refusals, usage."""

from __future__ import annotations

import json
import logging

import pytest
from sqlmodel import Session, select

from bot import texts
from bot.offline import OfflineBot
from bot.standin import Call
from models.tables import Question


def _said(calls: list[Call]) -> str:
    return json.dumps([call.args for call in calls if call.method == "response_url"])


def _questions(bot: OfflineBot) -> list[Question]:
    assert bot.services is not None
    with Session(bot.services.engine) as session:
        return list(session.exec(select(Question)).all())


async def test_help_lists_the_commands(offline: OfflineBot) -> None:
    calls = await offline.slash("U0ATE1", "help")

    assert calls[-1].args["text"] == texts.HELP


@pytest.mark.parametrize("text", ["", "frobnicate now"])
async def test_no_or_an_unknown_subcommand_gets_the_usage_line(
    offline: OfflineBot, text: str
) -> None:
    calls = await offline.slash("U0ATE1", text)

    assert texts.USAGE in calls[-1].args["text"]


async def test_an_empty_ask_gets_the_usage(offline: OfflineBot) -> None:
    calls = await offline.slash("U0ATE1", "ask   ")

    assert calls[-1].args["text"] == texts.EMPTY_ASK
    assert _questions(offline) == []


async def test_a_question_over_the_limit_is_refused_with_the_reason(offline: OfflineBot) -> None:
    calls = await offline.slash("U0ATE1", "ask " + "why " * 600)

    assert "2,000" in calls[-1].args["text"]
    assert _questions(offline) == []


async def test_an_answer_shows_title_paragraph_citation_related_and_vote_buttons(
    offline: OfflineBot,
) -> None:
    calls = await offline.slash("U0ATE3", "ask tfa request - is letter 6270 needed?")

    blocks = calls[-1].args["blocks"]
    said = json.dumps(blocks)
    assert "IRM 8.6.1.4.X.1(5)(a)" in said
    assert "Related:" in said
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["answer_helpful", "answer_unhelpful"]


async def test_an_uncovered_question_says_where_to_ask_and_cites_nothing(
    offline: OfflineBot,
) -> None:
    calls = await offline.slash("U0ATE1", "ask how do I submit my timesheet")

    said = _said(calls)
    assert "IRM 8.6.1.4.X" not in said
    assert "Analyst" in said
    assert _questions(offline)[0].answered is False


async def test_every_answer_says_the_memo_expired(offline: OfflineBot) -> None:
    calls = await offline.slash("U0ATE1", "ask who must complete secure messaging training")

    said = _said(calls)
    assert "2026-08-26" in said or "August 26, 2026" in said
    assert "IRM 8.6.1" in said


async def test_a_taxpayer_id_is_refused_not_stored_and_not_logged(
    offline: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        slash = await offline.slash("U0ATE1", "ask tp ssn 123-45-6789 wants sm")
        dm = await offline.direct_message("U0ATE1", "ein 12-3456789 asked about co-tdc")

    assert slash[-1].args["text"] == texts.TAXPAYER_ID_REFUSED
    assert dm[-1].args["text"] == texts.TAXPAYER_ID_REFUSED
    assert _questions(offline) == []
    assert "6789" not in caplog.text


async def test_a_mention_is_answered_in_its_thread(offline: OfflineBot) -> None:
    calls = await offline.mention("U0ATE2", "what do I do before closing the case?")

    post = next(c for c in calls if c.method == "chat.postMessage")
    assert post.args["thread_ts"]
    assert "IRM 8.6.1.4.X.1(8)" in json.dumps(post.args)


async def test_slack_markup_in_a_question_is_stripped_before_answering(
    offline: OfflineBot,
) -> None:
    calls = await offline.direct_message(
        "U0ATE1", "<@U0MGR1> said ask you: which code for <!here> co-tdw"
    )

    assert "IRM 8.6.1.4.X.1(4)" in json.dumps(calls[-1].args)
    assert "<@" not in _questions(offline)[0].text
