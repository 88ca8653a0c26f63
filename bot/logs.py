"""Logging set-up, done once: format, level, and a last guard against taxpayer ids."""

from __future__ import annotations

import logging

from bot.guard import redact_taxpayer_ids

QUIET_LIBRARIES = ("bm25s", "alembic.runtime.plugins")


class RedactTaxpayerIds(logging.Filter):
    """Blank anything shaped like an SSN, ITIN or EIN in a log line, whoever logs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_taxpayer_ids(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure(level: str) -> None:
    """Configure the root logger once, with the redacting filter on its handlers."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactTaxpayerIds())
        # Some libraries (bm25s) set their own loggers to DEBUG when imported; the
        # handler's level keeps their detail out all the same.
        handler.setLevel(level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
