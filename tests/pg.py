"""PostgreSQL for the tests: a throw-away database per test, made beside TEST_DATABASE_URL.

TEST_DATABASE_URL names a PostgreSQL database the tests may connect to
(e.g. ``postgresql+psycopg://smbot:smbot@127.0.0.1/smbot_test``) as a role with
CREATEDB. Each test gets a database of its own, created next to that one and
dropped afterwards, so tests never see each other's rows and nothing is left
behind. `.ci/run` starts PostgreSQL and sets the variable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ENV = "TEST_DATABASE_URL"

needs_postgres = pytest.mark.skipif(
    not os.environ.get(ENV),
    reason=f"{ENV} is not set: point it at a PostgreSQL database (role with CREATEDB)",
)


def base_url() -> str:
    """Return TEST_DATABASE_URL (the tests that call this are skipped without it)."""
    url = os.environ.get(ENV)
    if not url:
        raise RuntimeError(f"{ENV} is not set")
    return url


@contextmanager
def scratch_database(url: str, prefix: str = "smbot_t") -> Iterator[str]:
    """Create an empty database beside the one `url` names; yield its URL; drop it after."""
    admin_url = make_url(url)
    if not admin_url.get_backend_name().startswith("postgresql"):
        raise ValueError(f"{ENV} must be a PostgreSQL URL, not {admin_url.get_backend_name()}")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                # FORCE ends any session a test left open (PostgreSQL 13 and later).
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
