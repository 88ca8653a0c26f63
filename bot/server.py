"""The HTTP side: Slack's events endpoint, the health check, and `serve` itself."""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.delivery import make_sweeper
from bot.errors import UserError
from bot.services import Services
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.webhook import MAX_WEBHOOK_BYTES, events_endpoint
from reminders.scheduler import start_scheduler

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
EVENTS_PATH = "/events"
HEALTH_PATH = "/healthz"
SLACK_TIMESTAMP = "X-Slack-Request-Timestamp"


def build_web_app(services: Services, bolt: AsyncApp | None) -> web.Application:
    """Route Slack's requests to Bolt (HTTP mode), the events webhook, and the health check."""
    web_app = web.Application(client_max_size=MAX_WEBHOOK_BYTES)
    web_app.router.add_post(EVENTS_PATH, events_endpoint(services))

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt is not None
        # slack-sdk's verifier reads the timestamp with int(): one that is not a number
        # raises inside Bolt, whose error path would then answer the unverified body's
        # response_url. Such a request is refused here, before Bolt sees it.
        stamp = request.headers.get(SLACK_TIMESTAMP, "")
        if not (stamp.isascii() and stamp.isdigit()):
            logger.warning("slack request refused status=401 reason=malformed timestamp")
            return web.Response(status=401, text="invalid request")
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def health(_request: web.Request) -> web.Response:
        healthy = await asyncio.to_thread(_database_answers, services)
        return web.json_response({"ok": healthy}, status=200 if healthy else 503)

    web_app.router.add_get(HEALTH_PATH, health)
    if bolt is not None:
        web_app.router.add_post(SLACK_PATH, slack_events)
    return web_app


def _database_answers(services: Services) -> bool:
    try:
        with services.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        logger.warning("health check: the database does not answer", exc_info=True)
        return False


async def serve(services: Services, bolt: AsyncApp, stop: asyncio.Event) -> None:
    """Run until `stop` is set: Socket Mode if an app token is set, else HTTP on PORT.

    The health check and the sweep start first, so the process answers `/healthz`
    and stops on a signal even while Slack cannot be reached.
    """
    settings = services.settings
    socket_mode = settings.slack_app_token is not None
    runner = web.AppRunner(build_web_app(services, None if socket_mode else bolt))
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
    except OSError as error:
        await runner.cleanup()
        raise UserError(
            f"Cannot listen on {settings.host}:{settings.port} ({error.strerror or error}); "
            "set PORT (or HOST) to a free one."
        ) from None
    logger.info("listening port=%s mode=%s", settings.port, "socket" if socket_mode else "http")
    scheduler = start_scheduler(
        make_sweeper(services, bolt.client).run_once, settings.sweep_interval_seconds
    )
    socket = socket_handler(bolt, settings) if settings.slack_app_token is not None else None
    connecting = asyncio.create_task(_connect(socket)) if socket is not None else None
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        if connecting is not None:
            connecting.cancel()
        if socket is not None:
            await socket.close_async()
        await runner.cleanup()
        logger.info("stopped")


def socket_handler(bolt: AsyncApp, settings: Settings) -> AsyncSocketModeHandler:
    """Build the Socket Mode handler; it reconnects by itself when Slack drops the socket."""
    assert settings.slack_app_token is not None
    token = settings.slack_app_token.get_secret_value()
    client = make_web_client(token, settings.slack_api_url)
    return AsyncSocketModeHandler(bolt, token, web_client=client)


async def _connect(socket: AsyncSocketModeHandler) -> None:
    """Connect Socket Mode, retrying with back-off while Slack cannot be reached."""
    delay = 1.0
    while True:
        try:
            await socket.connect_async()
            logger.info("socket mode connected")
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # slack-sdk raises several kinds here; all mean "try again"
            logger.warning("socket mode could not connect, retrying in %ss: %s", delay, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
