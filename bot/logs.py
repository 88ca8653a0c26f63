"""Logging set-up, done once: format, level, and last guards for what must never be logged."""

from __future__ import annotations

import logging
import os
from importlib.util import find_spec

from bot.guard import redact_taxpayer_ids

# Libraries whose INFO is per-call chatter (APScheduler: two lines every sweep).
QUIET_LIBRARIES = ("bm25s", "alembic.runtime.plugins", "apscheduler.executors")
# Bolt and slack-sdk log whole request and response bodies (message text, anything a
# person pasted) at DEBUG, and Bolt a refused request's body at INFO.
SLACK_LIBRARIES = ("slack_bolt", "slack_sdk")
SLACK_LIBRARY_FLOOR = logging.WARNING


class RedactTaxpayerIds(logging.Filter):
    """Blank anything shaped like an SSN, ITIN or EIN in a log line, whoever logs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_taxpayer_ids(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class HoldSlackLibraries(logging.Filter):
    """Drop the Slack libraries' records below WARNING, whatever level their loggers have.

    Setting their loggers' levels is not enough: Bolt gives every logger it creates
    (`slack_bolt.AsyncApp`, one per listener, some named after the app's file) the root
    logger's level when the app is built, after logging is configured. So the handlers
    judge each record by the logger's name and by the file that logged it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.folders = tuple(_package_folder(name) for name in SLACK_LIBRARIES)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= SLACK_LIBRARY_FLOOR:
            return True
        return not (
            record.name.split(".", 1)[0] in SLACK_LIBRARIES
            or any(folder and record.pathname.startswith(folder) for folder in self.folders)
        )


def _package_folder(name: str) -> str:
    spec = find_spec(name)
    locations = spec.submodule_search_locations if spec is not None else None
    return os.path.join(next(iter(locations)), "") if locations else ""


def configure(level: str) -> None:
    """Configure the root logger once, with the redacting and library filters on its handlers."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactTaxpayerIds())
        handler.addFilter(HoldSlackLibraries())
        # Some libraries (bm25s) set their own loggers to DEBUG when imported; the
        # handler's level keeps their detail out all the same.
        handler.setLevel(level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in SLACK_LIBRARIES:
        library = logging.getLogger(name)
        library.setLevel(max(SLACK_LIBRARY_FLOOR, library.level))
