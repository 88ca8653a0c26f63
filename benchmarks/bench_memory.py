"""Resident memory of an idle `smbot serve`, beside a bare Bolt + aiohttp process.

Run from the repository root::

    python benchmarks/bench_memory.py [--idle 5]

Product: ``smbot serve`` in HTTP mode as a child process, on a fresh SQLite store, with
SLACK_API_URL pointing at a local Slack stand-in (``bot.standin.SlackStandIn``) so its
Web API calls are answered. Once ``/healthz`` answers 200 it is left idle for ``--idle``
seconds (its first sweep runs meanwhile) and its resident set is read from
/proc/PID/status (VmRSS, and VmHWM, the peak), summed over the process and any it
started (with ANSWER_WORKER=process, the answering worker).

Baseline: a child Python process that imports slack_bolt and aiohttp and serves an empty
aiohttp app on 127.0.0.1, read the same way after the same idle time.

Target: the product under 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import aiohttp
from harness import SQLITE, machine

from bot.standin import SlackStandIn

TARGET_MB = 150.0
MB = 1024 * 1024
REPO = Path(__file__).resolve().parents[1]

BARE = """
import asyncio, sys
import aiohttp
import slack_bolt
from aiohttp import web

async def main() -> None:
    runner = web.AppRunner(web.Application())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(sys.argv[1])).start()
    await asyncio.Event().wait()

asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {name: value.strip() for name, _, value in (line.partition(":") for line in lines)}


def _tree(pid: int) -> list[int]:
    """Return the process and all its descendants (a worker process counts as its own)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_status(int(entry.name))["PPid"])
            except (OSError, KeyError, ValueError):
                continue
    found, frontier = [pid], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def memory(pid: int) -> tuple[float, float]:
    """Return (VmRSS, VmHWM) in MB of a process and its descendants, from /proc/PID/status."""
    rss = peak = 0.0
    for member in _tree(pid):
        fields = _status(member)
        rss += int(fields["VmRSS"].split()[0]) * 1024 / MB
        peak += int(fields["VmHWM"].split()[0]) * 1024 / MB
    return rss, peak


async def wait_until_served(url: str, child: asyncio.subprocess.Process, expect: int) -> float:
    """Poll `url` until it answers with `expect`; return the seconds it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while loop.time() - started < 60:
            if child.returncode is not None:
                raise RuntimeError(f"the process exited with {child.returncode}")
            try:
                async with http.get(url) as response:
                    if response.status == expect:
                        return loop.time() - started
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not answer {expect} within 60 s")


async def measure(
    command: list[str], env: dict[str, str], url: str, expect: int, idle: float
) -> tuple[float, float, float]:
    """Start a process, wait until it serves, let it idle, read its memory, stop it.

    The child's output goes to a temporary file, shown only if something goes wrong."""
    with tempfile.TemporaryFile() as log:
        child = await asyncio.create_subprocess_exec(
            *command, env=env, cwd=REPO, stdout=log, stderr=log
        )
        try:
            ready = await wait_until_served(url, child, expect)
            await asyncio.sleep(idle)
            rss, peak = memory(child.pid)
        except BaseException:
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise
        finally:
            if child.returncode is None:
                child.terminate()
            try:
                await asyncio.wait_for(child.wait(), 30)
            except TimeoutError:
                child.kill()
                await child.wait()
    return rss, peak, ready


def smbot_command() -> list[str]:
    """The `smbot` script beside this Python if installed there, else `python -m bot`."""
    script = Path(sys.executable).with_name("smbot")
    if script.exists():
        return [str(script), "serve"]
    found = shutil.which("smbot")
    return [found, "serve"] if found else [sys.executable, "-m", "bot", "serve"]


async def run(idle: float) -> int:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    with tempfile.TemporaryDirectory(prefix="smbot-memory-") as folder:
        async with SlackStandIn() as slack:
            port = free_port()
            env = {
                **base_env,
                "SLACK_BOT_TOKEN": "xoxb-bench-memory",
                "SLACK_SIGNING_SECRET": "bench-memory",
                "SLACK_API_URL": slack.api_url,
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'store.db'}",
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "LOG_LEVEL": "WARNING",
            }
            command = smbot_command()
            product = await measure(command, env, f"http://127.0.0.1:{port}/healthz", 200, idle)
            port = free_port()
            env.update(PORT=str(port), ANSWER_WORKER="process")
            worker = await measure(command, env, f"http://127.0.0.1:{port}/healthz", 200, idle)
        port = free_port()
        bare = await measure(
            [sys.executable, "-c", BARE, str(port)],
            base_env,
            f"http://127.0.0.1:{port}/",
            404,
            idle,
        )

    print(f"machine: {machine(SQLITE)}")
    print(f"read after {idle:g} s idle once /healthz first answered; /proc/PID/status")
    print(
        f"  baseline  python + slack_bolt + aiohttp, empty app   RSS {bare[0]:6.1f} MB   "
        f"peak {bare[1]:6.1f} MB   (served after {bare[2]:.1f} s)"
    )
    print(
        f"  product   {' '.join(Path(c).name for c in command):<41}RSS {product[0]:6.1f} MB   "
        f"peak {product[1]:6.1f} MB   (healthy after {product[2]:.1f} s)"
    )
    print(
        f"  product   {'the same, ANSWER_WORKER=process':<41}RSS {worker[0]:6.1f} MB   "
        f"peak {worker[1]:6.1f} MB   (healthy after {worker[2]:.1f} s; with its worker)"
    )
    for label, figures in (("default", product), ("ANSWER_WORKER=process", worker)):
        verdict = "met" if figures[0] < TARGET_MB else "MISSED"
        print(
            f"  {label}: product - baseline = {figures[0] - bare[0]:.1f} MB; "
            f"product {figures[0]:.1f} MB (target < {TARGET_MB:.0f} MB: {verdict})"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before reading")
    args = parser.parse_args(argv)
    return asyncio.run(run(args.idle))


if __name__ == "__main__":
    sys.exit(main())
