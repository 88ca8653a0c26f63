"""Answer procedure questions in a worker process of their own, for `smbot serve`.

Under a burst of `/sm ask` the process that acknowledges Slack's requests must not also
rank, store and lay out every answer: Python runs one thread at a time, so the answers
would take turns with the acknowledgements. The worker process has its own copy of the
knowledge base and its own connection to the store (it records each question), and
hands back the finished reply. The offline bot, the console and the tests answer in a
thread instead, on their own clock.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from bot.services import Services
from bot.settings import Settings
from models.db import make_engine

if TYPE_CHECKING:
    from handlers.replies import Reply

logger = logging.getLogger(__name__)

_services: Services | None = None  # the worker process's own, built when it starts


def start_pool(settings: Settings) -> ProcessPoolExecutor:
    """Start the worker process (a fresh interpreter, not a fork of this one) and warm it."""
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(settings,),
    )
    pool.submit(_ready)  # loads the knowledge base now, not at the first question
    return pool


def _start(settings: Settings) -> None:
    """Build the worker's services: the store, the answer engine and the policy."""
    global _services
    _services = Services.create(settings, make_engine(settings.database_url))


def _ready() -> bool:
    return _services is not None


def answer(user_id: str, question: str, channel: str, *, refusal_as_reply: bool) -> Reply:
    """Answer one question in the worker (`handlers.ask.answer_question`); a refusal is
    raised as its user error, or with `refusal_as_reply` given back as the reply."""
    from handlers.ask import answer_question, reply_or_refusal

    if _services is None:
        raise RuntimeError("the answering process was not started with start_pool")
    work = reply_or_refusal if refusal_as_reply else answer_question
    return work(_services, user_id, question, channel)
