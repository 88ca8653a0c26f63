"""Show what the bot sent to Slack as a person would read it in a terminal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.render import Choice, render_message, render_view
from bot.standin import Call

SHOWN = {
    "chat.postMessage": "message",
    "chat.postEphemeral": "only visible to you",
    "chat.update": "message updated",
    "response_url": "only visible to you",
    "views.open": "dialog",
    "views.update": "dialog updated",
    "views.publish": "home tab",
}


@dataclass
class Shown:
    """One delivery as printed, with its numbered buttons and where they came from."""

    text: str
    choices: list[Choice]
    origin: Call


def show(call: Call, names: Mapping[str, str], *, width: int = 88, first: int = 1) -> Shown | None:
    """Render a Web API call that puts something in front of a person; None otherwise.

    Its buttons are numbered from `first`, so that several deliveries printed together
    never show two buttons under one number."""
    kind = SHOWN.get(call.method)
    if kind is None or (not call.response.get("ok", True) and call.method != "response_url"):
        return None
    args = call.args
    if call.method.startswith("views."):
        rendered = render_view(args.get("view") or {}, width=width, first=first)
        who = args.get("user_id", "")
    else:
        rendered = render_message(args.get("blocks"), args.get("text"), width=width, first=first)
        who = args.get("user") or _dm_owner(str(args.get("channel", "")))
    heading = f"── to {names.get(who, who or 'you')} · {kind} " if who else f"── {kind} "
    text = heading.ljust(width, "─") + "\n" + rendered.text.rstrip()
    return Shown(text=text, choices=rendered.actions, origin=call)


def _dm_owner(channel: str) -> str:
    return channel[1:] if channel.startswith("D") else channel
