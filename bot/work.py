"""Track the work listeners do after their ack, so tests and the console can wait for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class WorkTracker:
    """Count listener work in flight and let callers wait until none is left."""

    def __init__(self) -> None:
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        """Mark the enclosed work as in flight."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def idle(self, limit: float = 10.0) -> None:
        """Wait until no listener work is in flight (at most `limit` seconds)."""
        await asyncio.wait_for(self._idle.wait(), limit)
