"""`smbot demo`: the whole bot offline, on a fresh SQLite file, printed for a terminal."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot import texts
from bot.offline import OfflineBot
from bot.sample import DEMO_QUESTIONS, OFFICE
from bot.settings import Settings
from bot.standin import Call
from bot.terminal import show

NAMES = {person.id: person.name for person in OFFICE}


def _print_calls(calls: list[Call]) -> list[Call]:
    shown = [show(call, NAMES) for call in calls]
    for item in shown:
        if item is not None:
            print(item.text, end="\n\n")
    return calls


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
    last_answer: tuple[str, Call] | None = None
    for user_id, question in DEMO_QUESTIONS:
        print(f"{NAMES[user_id]} types: /sm ask {question}")
        calls = _print_calls(await bot.slash(user_id, f"ask {question}"))
        if calls and calls[-1].args.get("blocks"):
            last_answer = (user_id, calls[-1])
    print(f"{NAMES['U0ATE2']} sends the bot a direct message: can a rep get the case file through sm?")
    _print_calls(await bot.direct_message("U0ATE2", "can a rep get the case file through sm?"))
    if last_answer is not None:
        await _vote(bot, *last_answer)


async def _vote(bot: OfflineBot, user_id: str, origin: Call) -> None:
    shown = show(origin, NAMES)
    if shown is None or not shown.choices:
        return
    choice = shown.choices[0]
    print(f"{NAMES[user_id]} clicks [{choice.number}] {choice.label}")
    _print_calls(await bot.click(user_id, choice, origin))
