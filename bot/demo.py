"""`smbot demo`: the whole bot offline, on a fresh SQLite file, printed for a terminal."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot import texts
from bot.offline import OfflineBot
from bot.sample import DEMO_DIRECT_MESSAGE, DEMO_QUESTIONS, OFFICE
from bot.settings import Settings
from bot.standin import Call
from bot.terminal import Shown, show

NAMES = {person.id: person.name for person in OFFICE}


def _print_calls(calls: list[Call]) -> list[Shown]:
    shown = [item for item in (show(call, NAMES) for call in calls) if item is not None]
    for item in shown:
        print(item.text, end="\n\n")
    return shown


async def run_demo(settings: Settings, db_path: str | None) -> int:
    """Seed the sample office, ask real questions through `/sm ask`, print the answers."""
    with tempfile.TemporaryDirectory(prefix="smbot-demo-") as scratch:
        path = Path(db_path) if db_path else Path(scratch) / "demo.db"
        async with OfflineBot(f"sqlite:///{path}", settings=settings) as bot:
            bot.seed()
            print(texts.demo_banner(len(OFFICE)), end="\n\n")
            await _ask_round(bot)
    return 0


async def _ask_round(bot: OfflineBot) -> None:
    print(texts.DEMO_ASK_HEADING, end="\n\n")
    for user_id, question in DEMO_QUESTIONS:
        print(f"{NAMES[user_id]} types: /sm ask {question}")
        _print_calls(await bot.slash(user_id, f"ask {question}"))
    user_id, question = DEMO_DIRECT_MESSAGE
    print(f"{NAMES[user_id]} sends the bot a direct message: {question}")
    answers = [item for item in _print_calls(await bot.direct_message(user_id, question))]
    if answers and answers[-1].choices:
        choice = answers[-1].choices[0]
        print(f"{NAMES[user_id]} clicks [{choice.number}] {choice.label}")
        _print_calls(await bot.click(user_id, choice, answers[-1].origin))
