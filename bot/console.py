"""`smbot console`: chat with the real handlers offline, through the stand-in."""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot import texts
from bot.offline import OfflineBot, dialog_errors
from bot.payloads import FormValues
from bot.render import Choice, InputField, render_view
from bot.sample import OFFICE
from bot.settings import Settings
from bot.standin import Call
from bot.terminal import Shown, show

_CHOICE = re.compile(r"\d{1,3}(?:\.\d{1,2})?")
NAMES = {person.id: person.name for person in OFFICE}
PROMPT_SUFFIX = "> "


class Console:
    """Read a line, send it as the current person, print what the bot sent back."""

    def __init__(self, bot: OfflineBot, user_id: str, ask: Callable[[str], str] = input) -> None:
        self.bot = bot
        self.user_id = user_id
        self.ask = ask
        self.choices: list[Shown] = []

    async def handle(self, line: str) -> bool:
        """Act on one line of input; return False to leave."""
        line = line.strip()
        if not line:
            return True
        if line == ":sweep":
            self._print(await self.bot.sweep())
            return True
        if line.startswith(":"):
            return self._meta(line)
        if _CHOICE.fullmatch(line):
            number, _, option = line.partition(".")
            await self._click(int(number), int(option) if option else None)
        elif line.lower().startswith("/sm"):
            calls = await self.bot.slash(self.user_id, line[3:].strip())
            self._print(calls + await self._due_now())
            for opened in (call for call in calls if call.method == "views.open"):
                await self._fill_in(opened)
        elif line.lower().startswith("@bot"):
            self._print(await self.bot.mention(self.user_id, line[4:].strip()))
        else:
            self._print(await self.bot.direct_message(self.user_id, line))
        return True

    async def _due_now(self) -> list[Call]:
        """Deliver what the action made due at once (a CAR prompt, an overdue reminder), as
        the server's sweep would within seconds; later steps wait for `:sweep`."""
        return await self.bot.sweep(until=self.bot.clock())

    def _meta(self, line: str) -> bool:
        word, _, rest = line.partition(" ")
        if word in (":quit", ":q", ":exit"):
            return False
        if word == ":as":
            wanted = rest.strip().upper()
            if wanted not in NAMES:
                print(texts.console_unknown_person(wanted or "(nobody)"))
                return True
            self.user_id = wanted
            self.choices = []  # another person's buttons are not theirs to click
            print(texts.console_acting_as(NAMES[self.user_id], self.user_id))
        elif word == ":who":
            for person in OFFICE:
                print(f"  {person.id}  {person.name} ({person.role})")
        else:
            print(texts.CONSOLE_META_USAGE)
        return True

    async def _click(self, number: int, option: int | None) -> None:
        for shown in reversed(self.choices):
            for choice in shown.choices:
                if choice.number == number:
                    await self._act(shown, choice, option)
                    return
        print(texts.console_no_button(number))

    async def _act(self, shown: Shown, choice: Choice, option: int | None) -> None:
        if choice.options and (option is None or not 1 <= option <= len(choice.options)):
            print(
                texts.console_pick_option(
                    number=choice.number, labels=[o.label for o in choice.options]
                )
            )
            return
        picked = choice.options[option - 1] if choice.options and option else None
        calls = await self.bot.click(self.user_id, choice, shown.origin, picked)
        self._print(calls + await self._due_now())
        for opened in (call for call in calls if call.method == "views.open"):
            await self._fill_in(opened)

    async def _fill_in(self, opened: Call) -> None:
        """Ask for each input of a dialog in turn, then submit it."""
        form = render_view(opened.args.get("view") or {})
        values: FormValues = {}
        for field in form.inputs:
            answer = await asyncio.to_thread(self.ask, f"  {field.label}{_hint(field)} ")
            given: str | list[str] = answer
            if field.type == "checkboxes":
                ticked = answer.strip().lower() in ("y", "yes", "x")
                given = [o.value for o in field.options if o.value] if ticked else []
            values.setdefault(field.block_id or "", {})[field.action_id or ""] = given
        calls = await self.bot.submit(self.user_id, opened, values)
        self._print(calls + await self._due_now())
        for problem in dialog_errors(self.bot.last_response).values():
            print(texts.console_dialog_refused(problem))

    def _print(self, calls: list[Call]) -> None:
        # The Home tab is republished after most actions; reprinting it would bury the
        # answer (and renumber the buttons), so the console leaves it out.
        shown: list[Shown] = []
        for call in calls:
            if call.method == "views.publish":
                continue
            item = show(call, NAMES, first=1 + sum(len(s.choices) for s in shown))
            if item is not None:
                shown.append(item)
                print(item.text, end="\n\n")
        with_buttons = [item for item in shown if item.choices]
        if with_buttons:
            self.choices = with_buttons


def _hint(field: InputField) -> str:
    return " [y/n]" if field.type == "checkboxes" else ""


async def run_console(settings: Settings, db_path: str | None, user_id: str) -> int:
    """Run the prompt until end of input or `:quit`."""
    if user_id not in NAMES:
        print(texts.console_unknown_person(user_id))
        return 2
    with tempfile.TemporaryDirectory(prefix="smbot-console-") as scratch:
        path = Path(db_path) if db_path else Path(scratch) / "console.db"
        async with OfflineBot(f"sqlite:///{path}", settings=settings) as bot:
            bot.seed()
            console = Console(bot, user_id)
            print(texts.CONSOLE_INTRO)
            print(texts.console_acting_as(NAMES[user_id], user_id))
            while True:
                try:
                    line = await asyncio.to_thread(
                        input, f"{NAMES[console.user_id]}{PROMPT_SUFFIX}"
                    )
                except EOFError:
                    break
                if not await console.handle(line):
                    break
    return 0
