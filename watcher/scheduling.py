"""The only module that imports APScheduler. Jobs are thin: they only enqueue a poll
request; the app's own worker tasks do the work, so shutdown can drain them.

Polling is faster during EDGAR's filing hours (weekdays 6:00-22:00 Eastern by default) and
slower outside them; ``Cadence`` is the pure rule, ``CadenceTrigger`` applies it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

logger = logging.getLogger(__name__)

EASTERN = ZoneInfo("America/New_York")


@dataclass(frozen=True, slots=True)
class FilingHours:
    """When EDGAR accepts filings: ``days`` (Monday = 0) from ``start`` to ``end``, Eastern."""

    start: time = time(6, 0)
    end: time = time(22, 0)
    days: frozenset[int] = frozenset(range(5))
    holidays: frozenset[date] = frozenset()

    @classmethod
    def parse(cls, hours: str, days: Sequence[int] = range(5),
              holidays: Sequence[date] = ()) -> FilingHours:
        start_text, end_text = hours.split("-")
        end = time.max if end_text == "24:00" else time.fromisoformat(end_text)
        return cls(time.fromisoformat(start_text), end, frozenset(days), frozenset(holidays))

    def _open_on(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def contains(self, when: datetime) -> bool:
        local = when.astimezone(EASTERN)
        return self._open_on(local.date()) and self.start <= local.time() < self.end

    def next_open(self, when: datetime) -> datetime:
        """The next moment filing hours begin, strictly after ``when`` (aware)."""
        local = when.astimezone(EASTERN)
        for ahead in range(15):
            day = local.date() + timedelta(days=ahead)
            opening = datetime.combine(day, self.start, EASTERN)
            if self._open_on(day) and opening > local:
                return opening.astimezone(when.tzinfo)
        return when + timedelta(days=1)  # no open day configured within two weeks


@dataclass(frozen=True, slots=True)
class Cadence:
    """How often one source polls: ``every`` in filing hours, ``off_hours`` outside."""

    every: float
    off_hours: float
    hours: FilingHours = FilingHours()

    def interval_at(self, when: datetime) -> float:
        return self.every if self.hours.contains(when) else self.off_hours

    def next_after(self, previous: datetime) -> datetime:
        """When to poll next; outside filing hours the slower pace never overshoots the
        opening of filing hours."""
        step = previous + timedelta(seconds=self.interval_at(previous))
        if not self.hours.contains(previous):
            return min(step, self.hours.next_open(previous))
        return step


class CadenceTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 has no type hints
    def __init__(self, cadence: Cadence, start: datetime | None = None) -> None:
        self.cadence = cadence
        self.start = start

    def get_next_fire_time(self, previous_fire_time: datetime | None,
                           now: datetime) -> datetime:
        if previous_fire_time is None:
            return self.start or now
        return self.cadence.next_after(previous_fire_time)

    def __str__(self) -> str:
        return (f"cadence[every {self.cadence.every:g}s in filing hours, "
                f"{self.cadence.off_hours:g}s outside]")


class PollScheduler:
    """Calls ``enqueue(source_name)`` on each source's cadence, first run at ``start``."""

    def __init__(self, enqueue: Callable[[str], None], *, timezone: tzinfo | None = None) -> None:
        self._enqueue = enqueue
        options: dict[str, Any] = {
            "job_defaults": {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}}
        if timezone is not None:
            options["timezone"] = timezone
        self._scheduler = AsyncIOScheduler(**options)

    def add_source(self, name: str, every: float | Cadence, *,
                   start: datetime | None = None) -> None:
        cadence = every if isinstance(every, Cadence) else \
            Cadence(every, every, FilingHours(days=frozenset(range(7)), start=time.min,
                                              end=time.max))
        self._scheduler.add_job(
            self._enqueue,
            trigger=CadenceTrigger(cadence, start),
            args=[name],
            id=f"poll:{name}",
            name=f"poll {name}",
            replace_existing=True,
        )

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
