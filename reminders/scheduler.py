"""APScheduler wiring: one sweep job in the running event loop."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

logger = logging.getLogger(__name__)

SWEEP_JOB_ID = "notification-sweep"


def start_scheduler(
    sweep: Callable[[], Awaitable[Any]], interval_seconds: float
) -> AsyncIOScheduler:
    """Start a scheduler (call inside the running loop) that runs `sweep` now and every interval.

    The job store is in memory on purpose: what is due lives in the database, so
    the job carries no state worth keeping. max_instances=1 and coalescing keep
    a slow sweep from piling up behind itself.
    """
    # A sweep that outlasts the interval is normal under load; APScheduler would log
    # a warning for every skipped run, so only its errors are let through.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        sweep,
        "interval",
        seconds=interval_seconds,
        id=SWEEP_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    logger.info("scheduler started sweep_every=%ss", interval_seconds)
    return scheduler
