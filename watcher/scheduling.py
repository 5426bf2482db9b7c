"""The only module that imports APScheduler. Jobs are thin: they only enqueue a poll
request; the app's own worker tasks do the work, so shutdown can drain them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

logger = logging.getLogger(__name__)


class PollScheduler:
    """Calls ``enqueue(source_name)`` every ``every`` seconds per source, first run now."""

    def __init__(self, enqueue: Callable[[str], None]) -> None:
        self._enqueue = enqueue
        self._scheduler = AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )

    def add_source(self, name: str, every: float, *, start: datetime | None = None) -> None:
        self._scheduler.add_job(
            self._enqueue,
            trigger=IntervalTrigger(seconds=every),
            args=[name],
            id=f"poll:{name}",
            name=f"poll {name} every {every:g}s",
            next_run_time=start,
            replace_existing=True,
        )

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
