"""`smbot demo`: the whole bot offline, on a fresh SQLite file, printed for a terminal."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import texts
from bot.blocks import NO_REPLY_BLOCK, NO_REPLY_INPUT
from bot.offline import OfflineBot
from bot.sample import DEMO_DIRECT_MESSAGE, DEMO_QUESTIONS, FORTNIGHT, FORTNIGHT_START, OFFICE
from bot.settings import Settings
from bot.standin import Call
from bot.terminal import Shown, show
from reminders.sweep import SimulatedClock

NAMES = {person.id: person.name for person in OFFICE}
ZONES = {person.id: ZoneInfo(person.tz) for person in OFFICE}


def _print_calls(calls: list[Call]) -> list[Shown]:
    shown = [item for item in (show(call, NAMES) for call in calls) if item is not None]
    for item in shown:
        print(item.text, end="\n\n")
    return shown


async def run_demo(settings: Settings, db_path: str | None) -> int:
    """Seed the sample office, ask real questions, replay a fortnight of secure messages."""
    with tempfile.TemporaryDirectory(prefix="smbot-demo-") as scratch:
        path = Path(db_path) if db_path else Path(scratch) / "demo.db"
        clock = SimulatedClock(FORTNIGHT_START)
        async with OfflineBot(f"sqlite:///{path}", settings=settings, clock=clock) as bot:
            bot.seed()
            print(texts.demo_banner(len(OFFICE)), end="\n\n")
            await _ask_round(bot)
            await _fortnight(bot, clock)
    return 0


async def _ask_round(bot: OfflineBot) -> None:
    print(texts.DEMO_ASK_HEADING, end="\n\n")
    for user_id, question in DEMO_QUESTIONS:
        print(f"{NAMES[user_id]} types: /sm ask {question}")
        _print_calls(await bot.slash(user_id, f"ask {question}"))
    user_id, question = DEMO_DIRECT_MESSAGE
    print(f"{NAMES[user_id]} sends the bot a direct message: {question}")
    answers = _print_calls(await bot.direct_message(user_id, question))
    if answers and answers[-1].choices:
        choice = answers[-1].choices[0]
        print(f"{NAMES[user_id]} clicks [{choice.number}] {choice.label}")
        _print_calls(await bot.click(user_id, choice, answers[-1].origin))


async def _fortnight(bot: OfflineBot, clock: SimulatedClock) -> None:
    """Play the scripted fortnight: platform events, sweeps, and people's clicks."""
    print(texts.DEMO_FORTNIGHT_HEADING, end="\n\n")
    last: dict[str, Shown] = {}
    for step in FORTNIGHT:
        for item in _print_calls(await bot.sweep(until=step.at)):
            last[_owner(item)] = item
        print(_stamp(clock.now, step.who), step.narration)
        if step.event is not None:
            bot.platform_event(step.event)
        elif step.click is not None:
            await _click(bot, last[step.who], step.who, step.click, step.reason)
        print()


async def _click(bot: OfflineBot, shown: Shown, who: str, label: str, reason: str | None) -> None:
    label, _, wanted = label.partition(":")
    choice = next(c for c in shown.choices if c.label.startswith(label))
    option = next((o for o in choice.options if o.label == wanted), None)
    print(
        f"{NAMES[who]} clicks [{choice.number}] {choice.label}"
        + (f" → {wanted}" if option else "")
    )
    calls = await bot.click(who, choice, shown.origin, option)
    dialogs = [call for call in calls if call.method == "views.open"]
    _print_calls(calls)
    if dialogs and reason is not None:
        print(f"{NAMES[who]} writes: {reason} — and submits")
        calls = await bot.submit(who, dialogs[0], {NO_REPLY_BLOCK: {NO_REPLY_INPUT: reason}})
        _print_calls(calls)


def _owner(item: Shown) -> str:
    channel = str(item.origin.args.get("channel", ""))
    return channel[1:] if channel.startswith("D") else channel


def _stamp(now: datetime, who: str | None) -> str:
    zone = ZONES.get(who or "", ZoneInfo("America/Chicago"))
    return f"[{now.astimezone(zone):%a %b %d %H:%M %Z}]"
