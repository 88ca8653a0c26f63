"""The Bolt app factory: one AsyncApp with every feature's listeners."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from bot.slack_client import make_web_client
from handlers import ask, case_actions, commands, digests, errors, home, messages, profile

logger = logging.getLogger(__name__)


def create_app(services: Services, *, client: AsyncWebClient | None = None) -> AsyncApp:
    """Build the Slack app from settings; `client` overrides the Web API client (stand-in)."""
    settings = services.settings
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    wanted = client or make_web_client(token, settings.slack_api_url)
    # Bolt reads SLACK_BOT_TOKEN from the environment when no token is passed, and then
    # warns at every start that the client passed beside it leaves that token unused. So
    # Bolt gets the token from the settings and builds its client, fitted like ours.
    app = AsyncApp(
        token=wanted.token,
        signing_secret=secret or None,
        request_verification_enabled=bool(secret),
    )
    _fit(app.client, wanted)
    _quiet_slack_loggers()
    subcommands = {
        **ask.SUBCOMMANDS,
        **messages.SUBCOMMANDS,
        **case_actions.SUBCOMMANDS,
        **digests.SUBCOMMANDS,
        **profile.SUBCOMMANDS,
    }
    commands.register(app, services, subcommands)
    ask.register(app, services)
    messages.register(app, services)
    case_actions.register(app, services)
    home.register(app, services)
    profile.register(app, services)
    errors.register(app)
    return app


def _fit(client: AsyncWebClient, like: AsyncWebClient) -> None:
    """Give Bolt's client the address, timeout and retry handlers of `like`."""
    client.base_url = like.base_url
    client.timeout = like.timeout
    client.retry_handlers = list(like.retry_handlers)


def _quiet_slack_loggers() -> None:
    # Bolt and slack-sdk log whole request bodies: at DEBUG, and Bolt at INFO when a
    # signature check fails. Holding them at WARNING keeps message text (and anything a
    # person pasted) out of the log; bot.logs also redacts taxpayer-id shapes.
    for name in ("slack_bolt", "slack_sdk"):
        library_logger = logging.getLogger(name)
        library_logger.setLevel(max(logging.WARNING, library_logger.level))
