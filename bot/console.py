"""`smbot console`: chat with the real handlers offline, through the stand-in."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot import texts
from bot.offline import OfflineBot
from bot.sample import OFFICE
from bot.settings import Settings
from bot.standin import Call
from bot.terminal import Shown, show

NAMES = {person.id: person.name for person in OFFICE}
PROMPT_SUFFIX = "> "


class Console:
    """Read a line, send it as the current person, print what the bot sent back."""

    def __init__(self, bot: OfflineBot, user_id: str) -> None:
        self.bot = bot
        self.user_id = user_id
        self.choices: list[Shown] = []

    async def handle(self, line: str) -> bool:
        """Act on one line of input; return False to leave."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            return self._meta(line)
        if line.isdigit():
            await self._click(int(line))
        elif line.startswith("/sm"):
            self._print(await self.bot.slash(self.user_id, line[3:].strip()))
        elif line.startswith("@bot"):
            self._print(await self.bot.mention(self.user_id, line[4:].strip()))
        else:
            self._print(await self.bot.direct_message(self.user_id, line))
        return True

    def _meta(self, line: str) -> bool:
        word, _, rest = line.partition(" ")
        if word in (":quit", ":q", ":exit"):
            return False
        if word == ":as" and rest.strip() in NAMES:
            self.user_id = rest.strip()
            print(texts.console_acting_as(NAMES[self.user_id], self.user_id))
        elif word == ":who":
            for person in OFFICE:
                print(f"  {person.id}  {person.name} ({person.role})")
        else:
            print(texts.CONSOLE_META_USAGE)
        return True

    async def _click(self, number: int) -> None:
        for shown in reversed(self.choices):
            for choice in shown.choices:
                if choice.number == number:
                    self._print(await self.bot.click(self.user_id, choice, shown.origin))
                    return
        print(texts.console_no_button(number))

    def _print(self, calls: list[Call]) -> None:
        shown = [item for item in (show(call, NAMES) for call in calls) if item is not None]
        for item in shown:
            print(item.text, end="\n\n")
        if shown:
            self.choices = [item for item in shown if item.choices]


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
