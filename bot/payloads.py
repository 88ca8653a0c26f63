"""Slack-shaped request bodies for the offline console, the demo and the tests.

The shapes follow what Slack sends: slash commands and interactivity as
form-encoded bodies (interactivity in one `payload` field), events as JSON.
"""

from __future__ import annotations

import json
import time
import uuid
from itertools import count
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0SM"
_sequence = count(1)


def signed_headers(
    secret: str, body: str, content_type: str, *, at: float | None = None
) -> dict[str, str]:
    """Sign a body exactly as Slack does (v0 HMAC-SHA256 over `v0:timestamp:body`)."""
    timestamp = str(int(at if at is not None else time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature or "",
    }


def slash_command(user_id: str, text: str, *, response_url: str, channel_id: str = "C0SM") -> str:
    """Build the form body of a `/sm` command."""
    n = next(_sequence)
    return urlencode(
        {
            "token": "offline",
            "team_id": TEAM_ID,
            "team_domain": "appeals-office",
            "channel_id": channel_id,
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/sm",
            "text": text,
            "api_app_id": "A0SM",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{n}.{n}.offline",
        }
    )


def event_callback(event: dict[str, Any]) -> str:
    """Wrap an event in the Events API envelope, with a fresh event id."""
    n = next(_sequence)
    envelope = {
        "token": "offline",
        "team_id": TEAM_ID,
        "api_app_id": "A0SM",
        "event": {"event_ts": event.get("ts", f"{time.time():.6f}"), **event},
        "type": "event_callback",
        # Unique across runs too: the bot remembers event ids in its store, and a console
        # reopened on the same store must not have its first events taken for retries.
        "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}{n:04d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True}],
    }
    return json.dumps(envelope)


def direct_message(user_id: str, text: str) -> str:
    """Build the event for a DM from a person to the bot."""
    ts = f"{time.time():.6f}"
    return event_callback(
        {
            "type": "message",
            "channel": f"D{user_id}",
            "user": user_id,
            "text": text,
            "ts": ts,
            "channel_type": "im",
        }
    )


def mention(user_id: str, text: str, *, channel: str = "C0SM", bot_user_id: str = "UBOT") -> str:
    """Build the event for an @-mention of the bot in a channel."""
    ts = f"{time.time():.6f}"
    return event_callback(
        {
            "type": "app_mention",
            "channel": channel,
            "user": user_id,
            "text": f"<@{bot_user_id}> {text}",
            "ts": ts,
        }
    )


def block_action(
    user_id: str,
    action: dict[str, Any],
    *,
    response_url: str,
    channel_id: str,
    message_ts: str | None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
) -> str:
    """Build the form body of a button click on a message, or on a Home tab `view`.

    A click on a view comes as Slack sends it: the view as its container, and neither a
    channel nor a response_url.
    """
    n = next(_sequence)
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0SM",
        "token": "offline",
        "container": {
            "type": "message",
            "message_ts": message_ts or "",
            "channel_id": channel_id,
            "is_ephemeral": message_ts is None,
        },
        "trigger_id": f"{n}.{n}.offline",
        "team": {"id": TEAM_ID, "domain": "appeals-office"},
        "channel": {"id": channel_id, "name": "directmessage"},
        "response_url": response_url,
        "actions": [
            {**action, "type": action.get("type", "button"), "action_ts": f"{time.time():.6f}"}
        ],
    }
    if message is not None:
        payload["message"] = message
    if view is not None:
        for key in ("channel", "response_url"):
            del payload[key]
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = view
    return urlencode({"payload": json.dumps(payload)})


FormValues = dict[str, dict[str, str | list[str]]]


def _state_value(given: str | list[str]) -> dict[str, Any]:
    """Shape one input's value as Slack does: text inputs carry `value`, checkboxes options."""
    if isinstance(given, list):
        return {"type": "checkboxes", "selected_options": [{"value": v} for v in given]}
    return {"type": "plain_text_input", "value": given}


def view_submission(user_id: str, view: dict[str, Any], values: FormValues) -> str:
    """Build a modal submission; `values` maps block_id → action_id → text or ticked values."""
    n = next(_sequence)
    state = {
        block: {action: _state_value(given) for action, given in inputs.items()}
        for block, inputs in values.items()
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "appeals-office"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0SM",
        "token": "offline",
        "trigger_id": f"{n}.{n}.offline",
        "view": {**view, "state": {"values": state}},
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})
