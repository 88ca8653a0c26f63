"""The store: UTC round trips, SQLite settings, migrations that match the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

from models.db import make_engine, session_scope
from models.migrate import upgrade
from models.store import first_sighting, record_feedback, record_question
from models.tables import Feedback, Question


@pytest.fixture
def engine(database_url: str) -> sa.engine.Engine:
    engine = make_engine(database_url)
    upgrade(engine)
    return engine


def test_a_non_utc_time_comes_back_as_the_same_instant_in_utc(engine: sa.engine.Engine) -> None:
    chicago = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/Chicago"))

    with session_scope(engine) as session:
        row = record_question(
            session,
            asked_by="U1",
            text="q",
            answered=True,
            section="x1-3",
            score=1.0,
            channel="slash",
            at=chicago,
        )
        question_id = row.id
    with Session(engine) as session:
        stored = session.get(Question, question_id)

    assert stored is not None
    assert stored.asked_at == chicago
    assert stored.asked_at.utcoffset() == timedelta(0)
    assert stored.asked_at.hour == 7


def test_a_naive_datetime_is_refused(engine: sa.engine.Engine) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), session_scope(engine) as s:
        record_question(
            s,
            asked_by="U1",
            text="q",
            answered=False,
            section=None,
            score=0.0,
            channel="dm",
            at=datetime(2026, 1, 1, 9, 0),
        )


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine: sa.engine.Engine) -> None:
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()

    assert mode == "wal"
    assert timeout == 5000


def test_the_sqlite_folder_is_created_on_first_run(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'nested' / 'smbot.db'}"

    upgrade(make_engine(url))

    assert (tmp_path / "var" / "nested" / "smbot.db").exists()


def test_migrations_leave_nothing_for_autogenerate(engine: sa.engine.Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []


def test_upgrading_twice_changes_nothing(engine: sa.engine.Engine) -> None:
    upgrade(engine)

    with engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == "0006"


def test_a_second_vote_replaces_the_first(engine: sa.engine.Engine) -> None:
    with session_scope(engine) as session:
        question = record_question(
            session,
            asked_by="U1",
            text="q",
            answered=True,
            section="x1-3",
            score=2.0,
            channel="slash",
            at=datetime.now(UTC),
        )
        record_feedback(session, question_id=question.id or 0, voter="U1", helpful=True)
        record_feedback(session, question_id=question.id or 0, voter="U1", helpful=False)

    with Session(engine) as session:
        votes = session.exec(select(Feedback)).all()
    assert [(vote.voter, vote.helpful) for vote in votes] == [("U1", False)]


def test_an_event_id_is_handled_only_the_first_time(engine: sa.engine.Engine) -> None:
    with session_scope(engine) as session:
        first = first_sighting(session, "Ev1")
    with session_scope(engine) as session:
        again = first_sighting(session, "Ev1")

    assert (first, again) == (True, False)
