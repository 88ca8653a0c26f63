"""Socket Mode: events arrive over the socket, and the bot reconnects when Slack drops it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pydantic import SecretStr

from bot.offline import OfflineBot
from bot.server import socket_handler


async def _until(condition: Callable[[], bool], limit: float = 15.0) -> None:
    for _ in range(int(limit / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the socket never got there")


def _slash(bot: OfflineBot, envelope_id: str, text: str) -> dict:
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "team_id": "T0SM",
            "channel_id": "C0SM",
            "user_id": "U0ATE1",
            "command": "/sm",
            "text": text,
            "api_app_id": "A0SM",
            "trigger_id": f"{envelope_id}.trigger",
            "response_url": bot.slack.new_response_url(),
        },
    }


async def test_a_dropped_socket_is_reconnected_and_the_next_command_answered(
    offline: OfflineBot,
) -> None:
    assert offline.app is not None and offline.services is not None
    settings = offline.services.settings.model_copy(
        update={"slack_app_token": SecretStr("xapp-test"), "slack_api_url": offline.slack.api_url}
    )
    handler = socket_handler(offline.app, settings)
    await handler.connect_async()
    try:
        await _until(lambda: offline.slack.socket_connections == 1)
        await offline.slack.socket_send(_slash(offline, "env-1", "ask co-tdc?"))
        first = await offline.slack.wait_for("response_url", timeout=10)

        await offline.slack.socket_drop()
        await _until(lambda: offline.slack.socket_connections == 2)
        await offline.slack.socket_send(_slash(offline, "env-2", "ask co-tdw?"))
        second = await offline.slack.wait_for("response_url", count=2, timeout=10)
        await _until(lambda: len(offline.slack.socket_acks) >= 2)
    finally:
        await handler.close_async()

    assert "IRM 8.6.1.4.X.1(3)" in str(first[0].args)
    assert "IRM 8.6.1.4.X.1(4)" in str(second[1].args)
    assert {ack["envelope_id"] for ack in offline.slack.socket_acks} == {"env-1", "env-2"}
