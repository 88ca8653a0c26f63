"""Logging: the Slack libraries never log below WARNING, even with LOG_LEVEL=DEBUG."""

from __future__ import annotations

import io
import logging

import pytest

from bot import logs
from bot.cli import main

# Something a person types: Bolt would log it, in a response body, at DEBUG.
TYPED = "which carats code for the first secure message"


def test_with_log_level_debug_the_console_logs_no_slack_library_detail(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"/sm ask {TYPED}\n{TYPED}\n:quit\n"))
    caplog.set_level(logging.DEBUG)

    status = main(["console"])

    assert status == 0
    assert "IRM 8.6.1.4.X.1(3)" in capsys.readouterr().out
    slack_detail = [
        (r.name, r.levelname, r.getMessage()[:60])
        for r in caplog.records
        if r.levelno < logging.WARNING
        and (r.name.startswith(("slack_bolt", "slack_sdk")) or "slack_bolt" in r.pathname)
    ]
    assert slack_detail == []
    assert "Responding with status" not in caplog.text
    # DEBUG is on for the bot's own loggers all the same.
    assert any(r.levelno == logging.DEBUG and r.name.startswith("bot.") for r in caplog.records)


def test_the_scheduler_does_not_log_every_sweep_at_info(caplog: pytest.LogCaptureFixture) -> None:
    logs.configure("INFO")

    with caplog.at_level(logging.INFO):
        logging.getLogger("apscheduler.executors.default").info("Running job x")

    assert "Running job" not in caplog.text
