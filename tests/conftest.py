"""Shared fixtures: a clean environment per test, a real SQLite file, the offline bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.offline import OfflineBot
from bot.server import build_web_app
from bot.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "slack-samples"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Clear the bot's variables and run in an empty folder so no .env is read."""
    for name in list(os.environ):
        if name.startswith("SLACK_") or name in ("DATABASE_URL", "PORT", "OFFICE_TZ"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Return the URL of a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
async def offline(database_url: str) -> AsyncIterator[OfflineBot]:
    """Run the bot on the stand-in with the sample office seeded."""
    async with OfflineBot(database_url, settings=Settings()) as bot:
        bot.seed()
        yield bot


@asynccontextmanager
async def served(bot: OfflineBot, *, webhook_secret: str | None = None) -> AsyncIterator[str]:
    """Serve the bot's real aiohttp app on a free loopback port; yield its base URL."""
    assert bot.services is not None
    if webhook_secret is not None:
        bot.services.settings = bot.services.settings.model_copy(
            update={"sm_webhook_secret": SecretStr(webhook_secret)}
        )
    runner = web.AppRunner(build_web_app(bot.services, bot.app))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
