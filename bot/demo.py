"""`smbot demo`: the whole bot offline, on a fresh SQLite file, printed for a terminal."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot import texts
from bot.blocks import CLOSING_NOTE_BLOCK, CLOSING_NOTE_INPUT, NO_REPLY_BLOCK, NO_REPLY_INPUT
from bot.offline import OfflineBot, dialog_errors
from bot.payloads import FormValues
from bot.sample import (
    DEMO_DIRECT_MESSAGE,
    DEMO_QUESTIONS,
    DIGEST_AT,
    DIGEST_READER,
    FORTNIGHT,
    FORTNIGHT_START,
    OFFICE,
    Step,
)
from bot.settings import Settings
from bot.standin import Call
from bot.terminal import Shown, show
from models.db import session_scope
from models.tables import Employee
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
            _digests_on(bot, set())  # the daily digests would crowd the fortnight out
            await _fortnight(bot, clock)
            await _monday_digest(bot, clock)
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
    """Play the scripted fortnight: platform events, slash commands, sweeps and clicks."""
    print(texts.DEMO_FORTNIGHT_HEADING, end="\n\n")
    stamps: dict[int, datetime] = {}

    def stamp(call: Call) -> None:
        stamps.setdefault(id(call), clock.now)

    bot.slack.subscribe(stamp)
    seen: dict[str, list[Shown]] = {}
    for step in FORTNIGHT:
        for call in await bot.sweep(until=step.at):
            item = show(call, NAMES)
            if item is not None:
                print(_stamp(stamps.get(id(call), clock.now), _owner(item)))
                print(item.text, end="\n\n")
                seen.setdefault(_owner(item), []).append(item)
        clock.now = max(clock.now, step.at)
        print(_stamp(clock.now, step.who), step.narration)
        await _act(bot, step, seen)
        print()


def _digests_on(bot: OfflineBot, readers: set[str]) -> None:
    assert bot.services is not None
    with session_scope(bot.services.engine) as session:
        for person in session.exec(select(Employee)).all():
            person.digest_enabled = person.id in readers
            session.add(person)


async def _monday_digest(bot: OfflineBot, clock: SimulatedClock) -> None:
    """End with the digest the manager finds on Monday morning."""
    print(texts.DEMO_DIGEST_HEADING, end="\n\n")
    _digests_on(bot, {DIGEST_READER})
    calls = await bot.sweep(until=DIGEST_AT)
    _print_calls([call for call in calls if call.args.get("channel") == f"D{DIGEST_READER}"])


async def _act(bot: OfflineBot, step: Step, seen: dict[str, list[Shown]]) -> None:
    if step.event is not None:
        bot.platform_event(step.event)
    elif step.click is not None:
        await _click(bot, seen.get(step.who, []), step.who, step.click, step.reason)
    elif step.slash is not None:
        print(f"{NAMES[step.who]} types: /sm {step.slash}")
        calls = await bot.slash(step.who, step.slash)
        for item in _print_calls(calls):
            seen.setdefault(_owner(item) or step.who, []).append(item)
        opened = [call for call in calls if call.method == "views.open"]
        if opened and step.form is not None:
            await _fill_closing(bot, step.who, opened[0], step.form)


async def _fill_closing(bot: OfflineBot, who: str, opened: Call, form: dict[str, Any]) -> None:
    ticked = [item for item in texts.CLOSING_ITEMS if form.get(item)]
    print(f"{NAMES[who]} ticks {len(ticked)} of 3 items and submits")
    values: FormValues = {
        item: {f"{item}_input": [item] if item in ticked else []} for item in texts.CLOSING_ITEMS
    }
    if form.get("note"):
        values[CLOSING_NOTE_BLOCK] = {CLOSING_NOTE_INPUT: str(form["note"])}
    _print_calls(await bot.submit(who, opened, values))
    for block, problem in dialog_errors(bot.last_response).items():
        print(
            f"  the dialog refuses it, under “{texts.CLOSING_ITEMS.get(block, block)}”: {problem}"
        )


async def _click(
    bot: OfflineBot, seen: list[Shown], who: str, label: str, reason: str | None
) -> None:
    """Click the newest button with this label that the person was shown."""
    label, _, wanted = label.partition(":")
    shown, choice = next(
        (item, c) for item in reversed(seen) for c in item.choices if c.label.startswith(label)
    )
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
