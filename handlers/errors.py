"""The one place unexpected listener errors are logged and apologised for."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot import texts
from handlers.replies import request_ids

logger = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    """Attach the global error handler: log with the request's ids, apologise briefly."""

    @app.error
    async def on_error(
        error: Exception, body: dict[str, Any], respond: AsyncRespond | None
    ) -> None:
        logger.exception("listener failed %s", request_ids(body), exc_info=error)
        if respond is None:
            return
        try:
            await respond(text=texts.INTERNAL_ERROR, response_type="ephemeral")
        except Exception:  # the apology is best effort; the failure is already logged
            logger.warning("could not send the apology %s", request_ids(body))
