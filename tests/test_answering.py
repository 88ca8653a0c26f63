"""`smbot serve` answers questions in a worker process: same answers, stored the same way."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlmodel import Session, select

from bot import texts
from bot.answering import start_pool
from bot.errors import UserError
from bot.services import Services
from bot.settings import Settings
from handlers.ask import answer_elsewhere
from models.db import make_engine
from models.migrate import upgrade
from models.tables import Question


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    settings = Settings(database_url=database_url)
    engine = make_engine(database_url)
    upgrade(engine)
    found = Services.create(settings, engine)
    found.answering = start_pool(settings)
    yield found
    assert isinstance(found.answering, ProcessPoolExecutor)
    found.answering.shutdown()
    engine.dispose()


async def test_a_question_is_answered_and_stored_by_the_worker_process(
    services: Services,
) -> None:
    reply = await answer_elsewhere(
        services,
        "U0ATE1",
        "what code when the tp asks to stop using sm",
        "slash",
        refusal_as_reply=False,
    )

    assert "IRM 8.6.1.4.X.1(4)" in reply.text
    with Session(services.engine) as session:
        [asked] = session.exec(select(Question)).all()
    assert (asked.asked_by, asked.answered, asked.section) == ("U0ATE1", True, "x1-4")


async def test_a_refusal_comes_back_as_the_users_error_or_as_the_reply(
    services: Services,
) -> None:
    with pytest.raises(UserError) as refused:
        await answer_elsewhere(
            services, "U0ATE1", "ssn 123-45-6789", "slash", refusal_as_reply=False
        )
    reply = await answer_elsewhere(
        services, "U0ATE1", "ssn 123-45-6789", "dm", refusal_as_reply=True
    )

    assert refused.value.message == texts.TAXPAYER_ID_REFUSED
    assert reply.text == texts.TAXPAYER_ID_REFUSED
    with Session(services.engine) as session:
        assert session.exec(select(Question)).all() == []
