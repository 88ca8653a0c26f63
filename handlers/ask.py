"""Procedure questions: `/sm ask`, a DM to the bot, an @-mention, and the 👍/👎 buttons."""

from __future__ import annotations

import asyncio
import logging
import re
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import answering, texts
from bot.answers import Answer, without_case_numbers
from bot.blocks import ACTION_HELPFUL, ACTION_UNHELPFUL, answer_blocks, notice_blocks
from bot.errors import UserError
from bot.guard import refuse_taxpayer_id
from bot.services import Services
from handlers.commands import CommandRequest, Subcommand
from handlers.replies import Reply, post_safely, request_ids, respond_safely
from models.db import session_scope
from models.store import first_sighting, record_feedback, record_question
from models.tables import Question

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Slack wraps channels, links and special mentions as <target|label>; keep the label.
_ENTITY = re.compile(r"<(?:[#!@][^>|]*|[a-z]+://[^>|]*)(?:\|([^>]*))?>")


def plain_question(text: str) -> str:
    """Strip Slack's markup from a question: mentions go, channel and link labels stay."""
    return _ENTITY.sub(lambda m: m.group(1) or "", _MENTION.sub("", text)).strip()


def answer_question(services: Services, user_id: str, question: str, channel: str) -> Reply:
    """Check the question, answer it from the knowledge base and store what was asked.

    Small talk and "help" get their chat reply and are not stored: they are not questions
    the bot failed to answer. Case numbers in the question are left out of retrieval.
    """
    question = plain_question(question)
    if not question:
        raise UserError(texts.EMPTY_ASK)
    limit = services.settings.max_question_chars
    if len(question) > limit:
        raise UserError(texts.question_too_long(len(question), limit))
    refuse_taxpayer_id(question)

    today = services.clock().astimezone(ZoneInfo(services.settings.office_tz)).date()
    pattern = services.settings.case_number_pattern
    answer = services.answers.ask(without_case_numbers(question, pattern), today)
    if answer.chat:  # small talk or "help": a reply, neither an answer nor an unanswered question
        logger.debug("chat reply user=%s", user_id)
        return Reply(text=answer.text)
    with session_scope(services.engine) as session:
        row = record_question(
            session,
            asked_by=user_id,
            text=question,
            answered=answer.answered,
            section=answer.section,
            score=answer.score,
            channel=channel,
            at=services.clock(),
        )
    logger.info(
        "question answered=%s section=%s user=%s", answer.answered, answer.section, user_id
    )
    return render_answer(services, answer, row.id)


def render_answer(services: Services, answer: Answer, question_id: int | None) -> Reply:
    """Turn an answer into a message: the cited paragraph, or the not-covered notice."""
    if not answer.answered or answer.title is None or answer.citation is None:
        return Reply(text=answer.text, blocks=notice_blocks(answer.text))
    sections = services.answers.kb.sections
    related = [(sections[rid].title, sections[rid].citation) for rid in answer.related]
    blocks = answer_blocks(
        title=answer.title,
        text=answer.text,
        citation=answer.citation,
        related=related,
        question_id=question_id,
    )
    return Reply(text=f"{answer.title} ({answer.citation})\n{answer.text}", blocks=blocks)


def reply_or_refusal(services: Services, user_id: str, question: str, channel: str) -> Reply:
    """Answer, or turn a user error into its message."""
    try:
        return answer_question(services, user_id, question, channel)
    except UserError as error:
        return Reply(text=error.message)


async def answer_elsewhere(
    services: Services, user_id: str, question: str, channel: str, *, refusal_as_reply: bool
) -> Reply:
    """Answer off the event loop, so no acknowledgement waits behind the work: in the
    worker process `smbot serve` starts, else in a thread."""
    if services.answering is not None:
        work = partial(
            answering.answer, user_id, question, channel, refusal_as_reply=refusal_as_reply
        )
        return await asyncio.get_running_loop().run_in_executor(services.answering, work)
    local = reply_or_refusal if refusal_as_reply else answer_question
    return await asyncio.to_thread(local, services, user_id, question, channel)


async def ask_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm ask QUESTION`."""
    return await answer_elsewhere(
        services, request.user_id, request.args, "slash", refusal_as_reply=False
    )


SUBCOMMANDS: dict[str, Subcommand] = {"ask": ask_command}


def _is_retry(services: Services, body: dict[str, Any]) -> bool:
    event_id = body.get("event_id")
    if not event_id:
        return False
    with session_scope(services.engine) as session:
        return not first_sighting(session, event_id)


def register(app: AsyncApp, services: Services) -> None:
    """Attach the DM, mention and feedback listeners."""

    @app.event("message")
    async def on_direct_message(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        async with services.work.track():
            if _is_retry(services, body):
                return
            text = event.get("text", "")
            if text.lstrip().startswith("/"):  # a command Slack delivered as plain text
                reply = Reply(text=texts.COMMAND_AS_MESSAGE)
            else:
                reply = await answer_elsewhere(
                    services, event.get("user", ""), text, "dm", refusal_as_reply=True
                )
            await post_safely(client, body, event["channel"], reply)

    @app.event("app_mention")
    async def on_mention(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        async with services.work.track():
            if _is_retry(services, body):
                return
            question = _MENTION.sub("", event.get("text", ""))
            reply = await answer_elsewhere(
                services, event.get("user", ""), question, "mention", refusal_as_reply=True
            )
            thread = event.get("thread_ts") or event.get("ts")
            await post_safely(client, body, event["channel"], reply, thread_ts=thread)

    async def on_feedback(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        async with services.work.track():
            await ack()
            action = body["actions"][0]
            reply = _store_vote(services, body, action)
            await respond_safely(respond, client, body, reply)

    app.action(ACTION_HELPFUL)(on_feedback)
    app.action(ACTION_UNHELPFUL)(on_feedback)


def _store_vote(services: Services, body: dict[str, Any], action: dict[str, Any]) -> Reply:
    helpful = action.get("action_id") == ACTION_HELPFUL
    value = str(action.get("value", ""))
    with session_scope(services.engine) as session:
        asked = session.get(Question, int(value)) if value.isdigit() else None
        if asked is None or not asked.answered:
            logger.warning("feedback on an unknown question value=%r %s", value, request_ids(body))
            return Reply(text=texts.FEEDBACK_UNKNOWN)
        voter = body.get("user", {}).get("id", "")
        record_feedback(
            session, question_id=int(value), voter=voter, helpful=helpful, at=services.clock()
        )
    logger.info("feedback helpful=%s question=%s user=%s", helpful, value, voter)
    return Reply(text=texts.FEEDBACK_THANKS_UP if helpful else texts.FEEDBACK_THANKS_DOWN)
