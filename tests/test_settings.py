"""Settings: defaults, and `serve` stopping at once with the variable to set."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import pytest
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

from bot.app import create_app
from bot.cli import main
from bot.errors import ConfigError, UserError
from bot.offline import OfflineBot
from bot.server import serve
from bot.services import Services
from bot.settings import DEFAULT_DATABASE_URL, Settings
from models.db import make_engine


def test_the_default_store_is_a_sqlite_file_under_var() -> None:
    settings = Settings()

    assert settings.database_url == DEFAULT_DATABASE_URL
    assert str(settings.sqlite_path()) == "var/smbot.db"


def test_serve_without_a_bot_token_names_slack_bot_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["serve"])

    assert status == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_http_mode_needs_the_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")

    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        Settings().require_for_serve()


def test_socket_mode_needs_no_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")

    Settings().require_for_serve()

    assert Settings().socket_mode


def test_an_unknown_office_zone_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OFFICE_TZ", "Mars/Olympus")

    status = main(["db", "upgrade"])

    assert status == 2
    assert "OFFICE_TZ" in capsys.readouterr().err


def test_db_upgrade_creates_the_default_file(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["db", "upgrade"])

    assert status == 0
    assert (tmp_path / "var" / "smbot.db").exists()


def test_an_empty_signing_secret_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "")
    monkeypatch.setenv("SLACK_APP_TOKEN", "")

    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        Settings().require_for_serve()


def test_serve_names_every_missing_setting_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["serve"])

    err = capsys.readouterr().err
    assert status == 2
    assert "SLACK_BOT_TOKEN is not set" in err and "SLACK_SIGNING_SECRET is not set" in err


def test_serve_refuses_tokens_of_the_wrong_kind_naming_each_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "notatoken")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-pasted-in-the-wrong-place")

    status = main(["serve"])

    err = capsys.readouterr().err
    assert status == 2
    assert "SLACK_BOT_TOKEN is not a bot token: it must start with xoxb-." in err
    assert (
        "SLACK_APP_TOKEN is not an app-level token: it must start with xapp- "
        "(this one is a bot token)." in err
    )
    assert "notatoken" not in err and "pasted-in-the-wrong-place" not in err


def test_a_bot_token_and_a_signing_secret_of_the_right_kind_are_enough() -> None:
    settings = Settings(slack_bot_token="xoxb-1", slack_signing_secret="secret")

    settings.require_for_serve()

    assert settings.token_problems() == []


def test_the_app_starts_without_warning_that_a_token_is_unused(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, database_url: str
) -> None:
    # As `serve` runs: the token comes from the environment, which Bolt reads too.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    engine = make_engine(database_url)

    with caplog.at_level(logging.DEBUG):
        app = create_app(Services.create(Settings(), engine))

    engine.dispose()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert (app.client.token, app.client.base_url) == (
        "xoxb-from-the-environment",
        "http://127.0.0.1:9/api/",
    )
    assert any(isinstance(h, AsyncRateLimitErrorRetryHandler) for h in app.client.retry_handlers)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SWEEP_INTERVAL_SECONDS", "-5"),
        ("CLAIM_LEASE_SECONDS", "0"),
        ("PORT", "99999"),
        ("RETENTION_DAYS", "99999999"),
        ("ANSWER_WORKER", "fork"),
    ],
)
def test_a_setting_out_of_range_stops_at_start_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    status = main(["db", "upgrade"])

    assert status == 2
    assert f"{variable}:" in capsys.readouterr().err


async def test_a_port_already_taken_is_named_with_what_to_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 's.db'}",
            slack_bot_token="xoxb-test",
            slack_signing_secret="secret",
            host="127.0.0.1",
            port=port,
        )
        async with OfflineBot(settings.database_url, settings=settings) as bot:
            assert bot.services is not None and bot.app is not None
            bot.services.settings = settings
            with pytest.raises(UserError) as refused:
                await serve(bot.services, bot.app, asyncio.Event())

    assert f"Cannot listen on 127.0.0.1:{port}" in refused.value.message
    assert "set PORT" in refused.value.message
