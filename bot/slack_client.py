"""The Web API client with slack-sdk's async retry handlers."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

DEFAULT_API_URL = "https://slack.com/api/"


def make_web_client(
    token: str, base_url: str | None = None, *, timeout: int = 10
) -> AsyncWebClient:
    """Build an AsyncWebClient that retries rate limits, connection and server errors.

    The async handlers matter: the sync ones block the event loop and fail on
    the async client.
    """
    return AsyncWebClient(
        token=token,
        base_url=base_url or DEFAULT_API_URL,
        timeout=timeout,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
