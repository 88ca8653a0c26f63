"""Any text typed after `/sm` gets an answer or a clear refusal, never an exception."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.offline import OfflineBot
from bot.settings import Settings
from handlers import ask, case_actions, digests, messages, profile
from handlers.commands import parse, route, show_help

WORDS = [
    "ask",
    "received",
    "replied",
    "contact",
    "discontinued",
    "tfa",
    "poa",
    "case",
    "close",
    "digest",
    "profile",
    "invite",
    "help",
    "APL-26-0001",
    "phone",
    "letter",
    "resolved",
    "origin",
    "lbi",
    "bmf",
    "full",
    "yesterday",
    "09:40",
    "2026-12-01",
    "egain",
    "40123",
]
TABLE = {
    "help": show_help,
    **ask.SUBCOMMANDS,
    **messages.SUBCOMMANDS,
    **case_actions.SUBCOMMANDS,
    **digests.SUBCOMMANDS,
    **profile.SUBCOMMANDS,
}

commands = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=6).map(" ".join),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=commands, user=st.sampled_from(["U0ATE1", "U0MGR1", "U0ADM1", "U0NOBODY"]))
def test_any_slash_command_text_gets_a_reply(tmp_path: Path, text: str, user: str) -> None:
    async def run() -> str:
        async with OfflineBot(f"sqlite:///{tmp_path / 'fuzz.db'}", settings=Settings()) as bot:
            bot.seed()
            assert bot.services is not None
            reply = await route(bot.services, parse(user, "C1", text, None), TABLE)
            return reply.text

    answer = asyncio.run(run())

    assert isinstance(answer, str)
