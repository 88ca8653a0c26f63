"""Settings: defaults, and `serve` stopping at once with the variable to set."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.errors import ConfigError
from bot.settings import DEFAULT_DATABASE_URL, Settings


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
