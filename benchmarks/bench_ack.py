"""Slash-command acknowledgement latency under load, beside a Bolt app that only acks.

Run from the repository root::

    python benchmarks/bench_ack.py [--requests 3000] [--concurrency 50]

Each server runs in a child process of its own on 127.0.0.1 and is served the same
way: ``bot.server.build_web_app`` on an aiohttp ``AppRunner``, with the offline bot's
services (a fresh SQLite store, the sample office, a local Slack stand-in for the Web
API and the response URLs) in that process.

Product: the real app (``bot.offline.OfflineBot``): ``/sm ask …`` acks, then answers
from the knowledge base, stores the question and posts the answer to the response URL
while the next requests arrive. It runs twice: answering in a thread of the server
process (``ANSWER_WORKER=thread``, the default) and in a worker process of its own
(``ANSWER_WORKER=process``, ``bot.answering``).

Two loads: bursts (``--concurrency`` requests sent at once, ``--pause`` seconds apart,
as when a whole office asks at the same moment), and saturation (``--concurrency``
always in flight, the next sent as soon as one is acked).

Baseline: a bare Bolt ``AsyncApp`` with the same client and signing secret whose ``/sm``
listener only acks.

This process is the client: it signs each ``/sm ask …`` body as Slack does and keeps
``--concurrency`` requests in flight over keep-alive connections until ``--requests``
have been answered; the first ``--warmup`` of each round are not counted. Latency is from
sending the request to reading the whole response (the ack). The servers take turns
(``--rounds``, a fresh server each time) so that other work on the machine weighs on both
alike. With a fixed number in flight the server is saturated throughout, so latency is
about concurrency / throughput: the ratio is also the throughput ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from harness import SQLITE, acking_app, child_server, machine, quantile, served

from bot import payloads
from bot.answering import start_pool
from bot.offline import FORM, OfflineBot
from bot.sample import DEMO_QUESTIONS
from bot.server import SLACK_PATH, build_web_app

USERS = ("U0ATE1", "U0ATE2", "U0ATE3")
TARGET = 1.5


# --- the servers (child processes) ---------------------------------------------------


KINDS = {  # server: what the report calls it
    "bare": "baseline  bare Bolt app, ack only      ",
    "thread": "product   /sm ask, answers in a thread ",
    "process": "product   /sm ask, answers in a process",
}


def web_app(kind: str, bot: OfflineBot) -> web.Application:
    """Serve the product's app (answering as ANSWER_WORKER=thread or =process would make
    `smbot serve` answer), or one that only acks, the same way."""
    assert bot.services is not None and bot.app is not None
    if kind == "bare":
        return build_web_app(bot.services, acking_app(bot))
    if kind == "process":
        bot.services.answering = start_pool(bot.services.settings)
    return build_web_app(bot.services, bot.app)


async def serve(kind: str, urls: int) -> None:
    """Serve one app on a free loopback port until SIGTERM; print port, secret and URLs."""
    async with served("ack", urls, lambda bot: web_app(kind, bot)):
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()


# --- the client ------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    latencies: list[float]
    errors: int
    seconds: float

    def quantile(self, q: float) -> float:
        return quantile(self.latencies, q)


async def load(
    url: str, secret: str, response_urls: list[str], concurrency: int, warmup: int
) -> tuple[list[float], int, float]:
    """Keep `concurrency` signed /sm ask requests in flight; return latencies after warm-up."""
    total = len(response_urls)
    latencies: list[float] = []
    errors = 0
    next_index = 0
    started_counting = 0.0

    async def worker(http: aiohttp.ClientSession) -> None:
        nonlocal next_index, errors, started_counting
        while next_index < total:
            i = next_index
            next_index += 1
            if i == warmup:
                started_counting = time.perf_counter()
            user, question = USERS[i % len(USERS)], DEMO_QUESTIONS[i % len(DEMO_QUESTIONS)][1]
            body = payloads.slash_command(user, f"ask {question}", response_url=response_urls[i])
            headers = payloads.signed_headers(secret, body, FORM)
            sent = time.perf_counter()
            async with http.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                status = response.status
            elapsed = time.perf_counter() - sent
            if status != 200:
                errors += 1
            elif i >= warmup:
                latencies.append(elapsed)

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started_counting


async def bursts(
    url: str, secret: str, response_urls: list[str], size: int, pause: float
) -> tuple[list[float], int, float]:
    """Send the requests `size` at a time, all at once, pausing between bursts so that one
    burst's answers are done before the next; return the latencies after the first burst."""
    latencies: list[float] = []
    errors = 0

    async def one(http: aiohttp.ClientSession, i: int) -> float | None:
        user, question = USERS[i % len(USERS)], DEMO_QUESTIONS[i % len(DEMO_QUESTIONS)][1]
        body = payloads.slash_command(user, f"ask {question}", response_url=response_urls[i])
        headers = payloads.signed_headers(secret, body, FORM)
        sent = time.perf_counter()
        async with http.post(url, data=body.encode(), headers=headers) as response:
            await response.read()
            ok = response.status == 200
        return time.perf_counter() - sent if ok else None

    connector = aiohttp.TCPConnector(limit=size)
    timeout = aiohttp.ClientTimeout(total=30)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        for first in range(0, len(response_urls) - size + 1, size):
            timed = await asyncio.gather(*(one(http, i) for i in range(first, first + size)))
            errors += sum(t is None for t in timed)
            if first:  # the first burst opens the connections and warms up
                latencies += [t for t in timed if t is not None]
            await asyncio.sleep(pause)
    return latencies, errors, time.perf_counter() - started


def run(kind: str, requests: int, concurrency: int, warmup: int, pause: float | None) -> Result:
    """Start the server in a child process, load it (saturated, or in bursts), stop it."""
    arguments = ("--serve", kind, "--requests", str(requests + warmup))
    with child_server(__file__, *arguments) as (_child, ready):
        url = f"http://127.0.0.1:{ready['port']}{SLACK_PATH}"
        if pause is None:
            measured = load(url, ready["secret"], ready["urls"], concurrency, warmup)
        else:
            measured = bursts(url, ready["secret"], ready["urls"], concurrency, pause)
        latencies, errors, seconds = asyncio.run(measured)
    return Result(kind, latencies, errors, seconds)


def describe(result: Result) -> str:
    mean = statistics.fmean(result.latencies)
    rate = len(result.latencies) / result.seconds
    return (
        f"p50 {result.quantile(0.50) * 1000:7.1f} ms   p99 {result.quantile(0.99) * 1000:7.1f} ms"
        f"   mean {mean * 1000:6.1f} ms   {rate:6.0f} req/s   errors {result.errors}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="timed requests per server")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight")
    parser.add_argument("--warmup", type=int, default=200, help="requests not counted")
    parser.add_argument("--rounds", type=int, default=2, help="turns each server takes")
    parser.add_argument(
        "--pause", type=float, default=0.5, help="seconds between bursts (burst load)"
    )
    parser.add_argument("--serve", choices=list(KINDS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.requests))
        return 0

    print(f"machine: {machine(SQLITE, f'aiohttp {aiohttp.__version__}')}")
    errors = 0
    per_round = max(1, args.requests // args.rounds)
    for label, pause, warmup in (
        (f"bursts: {args.concurrency} requests at once, {args.pause:g} s apart", args.pause, 0),
        (f"saturated: {args.concurrency} always in flight", None, args.warmup),
    ):
        print(
            f"{label}; {args.requests} signed '/sm ask …' requests per server in "
            f"{args.rounds} rounds, the first {warmup or args.concurrency} of each round not "
            "counted; 127.0.0.1 only"
        )
        errors += compare(args, per_round, warmup, pause)
    return 1 if errors else 0


def compare(args: argparse.Namespace, requests: int, warmup: int, pause: float | None) -> int:
    """Run both servers in turns under one load; print their figures; return the errors."""
    totals = {kind: Result(kind, [], 0, 0.0) for kind in KINDS}
    for _ in range(args.rounds):  # taking turns, so other work on the machine weighs alike
        for kind, total in totals.items():
            result = run(kind, requests, args.concurrency, warmup, pause)
            total.latencies += result.latencies
            total.errors += result.errors
            total.seconds += result.seconds
    for kind, total in totals.items():
        print(f"  {KINDS[kind]}  {describe(total)}")
    bare = totals["bare"]
    for kind in ("thread", "process"):
        ratios = []
        for name, q in (("p50", 0.50), ("p99", 0.99)):
            ratio = totals[kind].quantile(q) / bare.quantile(q)
            verdict = "met" if ratio <= TARGET else "MISSED"
            ratios.append(f"{name} {ratio:.2f}x ({verdict})")
        print(f"  answers in a {kind}: product / baseline  " + "   ".join(ratios))
    print(f"  target: within {TARGET}x of the baseline")
    return sum(total.errors for total in totals.values())


if __name__ == "__main__":
    sys.exit(main())
