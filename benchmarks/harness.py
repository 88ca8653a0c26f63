"""What the benchmarks share: the machine they describe, and servers in child processes.

A benchmark that serves from a child process runs its own script again with ``--serve``:
the child serves on a fresh offline bot (``served``) and tells the parent where on one JSON
line; the parent starts it, reads that line and stops it (``child_server``).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from sqlalchemy.engine import Engine

from bot.offline import BOT_TOKEN, OfflineBot
from bot.settings import Settings
from bot.slack_client import make_web_client

SQLITE = f"SQLite {sqlite3.sqlite_version} (file, WAL)"
STOP_SECONDS = 30.0

# --- the machine -----------------------------------------------------------------------


def load_average() -> str:
    """Return the 1-minute load average: other work on the machine skews the figures."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def cpu_model() -> str:
    """Return the CPU model from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine(*software: str) -> str:
    """Describe where this ran: cores, CPU, load, Python, then the `software` named."""
    python = f"Python {platform.python_version()}"
    cores = f"{os.cpu_count()} cores"
    return ", ".join((cores, cpu_model(), f"load {load_average()}", python, *software))


def database_description(engine: Engine) -> str:
    """Name the database engine and its version."""
    if engine.dialect.name == "sqlite":
        return SQLITE
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar()
    return f"PostgreSQL {version} ({engine.url.host or 'socket'}, driver {engine.driver})"


def quantile(values: list[float], q: float) -> float:
    """Return the value below which a share `q` of `values` lie (the nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the servers (in the child process) ----------------------------------------------------


def acking_app(bot: OfflineBot) -> AsyncApp:
    """Build a Bolt app with the product's client and secret whose /sm listener only acks."""
    app = AsyncApp(client=make_web_client(BOT_TOKEN, bot.slack.api_url), signing_secret=bot.secret)

    @app.command("/sm")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    return app


@contextlib.asynccontextmanager
async def served(
    tag: str, urls: int, web_app: Callable[[OfflineBot], web.Application]
) -> AsyncIterator[OfflineBot]:
    """Serve `web_app` of a fresh offline bot on a free loopback port until the block ends.

    The bot has a SQLite store in a temporary folder and the sample office. Prints one JSON
    line for the parent: the port, the signing secret and `urls` fresh response URLs.
    """
    with tempfile.TemporaryDirectory(prefix=f"smbot-{tag}-") as folder:
        bot = OfflineBot(f"sqlite:///{Path(folder) / 'store.db'}", settings=Settings())
        await bot.start()
        bot.seed()
        runner = web.AppRunner(web_app(bot))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        response_urls = [bot.slack.new_response_url() for _ in range(urls)]
        print(json.dumps({"port": port, "secret": bot.secret, "urls": response_urls}), flush=True)
        yield bot
        await runner.cleanup()
        # Answers still queued when the load stops are not waited for.
        with contextlib.suppress(TimeoutError):
            await bot.stop()


# --- the servers (from the parent process) -------------------------------------------------


@contextlib.contextmanager
def child_server(
    script: str, *arguments: str, stdin: bool = False
) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """Run `script` with `arguments` in a child process; yield it and the line it served with.

    With `stdin` the child reads its orders from a pipe. On the way out a child still running
    is sent SIGTERM, and killed if it has not stopped within STOP_SECONDS.
    """
    child = subprocess.Popen(
        [sys.executable, script, *arguments],
        stdin=subprocess.PIPE if stdin else None,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        yield child, json.loads(child.stdout.readline())
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
