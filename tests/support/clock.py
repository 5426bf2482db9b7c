"""A clock tests control: ``sleep`` returns at once and moves time forward, so a ten-minute
throttle pause or a backoff is tested without waiting for it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2025, 3, 4, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 ET
        self._elapsed = 0.0
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return 1000.0 + self._elapsed

    def advance(self, seconds: float) -> None:
        self._elapsed += seconds

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.slept.append(seconds)
        self._elapsed += seconds
        await asyncio.sleep(0)
