"""Polling cadence: faster in EDGAR's filing hours (weekdays 6:00-22:00 New York time),
slower outside, never sleeping past the opening; and the scheduler that applies it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from watcher.scheduling import Cadence, CadenceTrigger, FilingHours, PollScheduler

NY = ZoneInfo("America/New_York")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def test_filing_hours_are_weekdays_from_six_to_ten_new_york_time() -> None:
    hours = FilingHours()
    assert hours.contains(at(2025, 3, 4, 10))  # Tuesday
    assert hours.contains(at(2025, 3, 4, 6))
    assert not hours.contains(at(2025, 3, 4, 22))
    assert not hours.contains(at(2025, 3, 4, 5, 59))
    assert not hours.contains(at(2025, 3, 8, 12))  # Saturday
    # 12:30 UTC is 8:30 in New York in summer (EDT) and 7:30 in winter (EST)
    assert hours.contains(datetime(2025, 7, 1, 12, 30, tzinfo=UTC))
    assert hours.contains(datetime(2025, 1, 7, 12, 30, tzinfo=UTC))
    assert not hours.contains(datetime(2025, 1, 7, 10, 30, tzinfo=UTC))  # 5:30 EST


def test_holidays_and_configured_hours_are_honoured() -> None:
    hours = FilingHours.parse("07:00-20:00", [0, 1, 2, 3, 4], [date(2025, 7, 4)])
    assert not hours.contains(at(2025, 7, 4, 12))
    assert hours.contains(at(2025, 7, 3, 19, 59)) and not hours.contains(at(2025, 7, 3, 20))
    assert hours.start == time(7, 0)


def test_the_interval_is_short_in_filing_hours_and_long_outside() -> None:
    cadence = Cadence(every=60, off_hours=900)
    assert cadence.interval_at(at(2025, 3, 4, 10)) == 60
    assert cadence.interval_at(at(2025, 3, 4, 23)) == 900
    assert cadence.next_after(at(2025, 3, 4, 10)) == at(2025, 3, 4, 10, 1)


def test_the_slow_pace_never_oversleeps_the_opening_of_filing_hours() -> None:
    cadence = Cadence(every=60, off_hours=900)
    assert cadence.next_after(at(2025, 3, 4, 5, 55)) == at(2025, 3, 4, 6, 0)
    assert cadence.next_after(at(2025, 3, 4, 22, 30)) == at(2025, 3, 4, 22, 45)
    saturday = Cadence(every=60, off_hours=86400 * 3)
    assert saturday.next_after(at(2025, 3, 8, 12)) == at(2025, 3, 10, 6, 0)  # Monday


def test_the_trigger_fires_first_at_the_start_then_on_the_cadence() -> None:
    trigger = CadenceTrigger(Cadence(60, 600), start=at(2025, 3, 4, 10))
    first = trigger.get_next_fire_time(None, at(2025, 3, 4, 9))
    assert first == at(2025, 3, 4, 10)
    assert trigger.get_next_fire_time(first, first) == at(2025, 3, 4, 10, 1)
    assert "60s in filing hours, 600s outside" in str(trigger)


async def test_the_scheduler_enqueues_a_poll_at_the_start() -> None:
    polled = asyncio.Event()
    names: list[str] = []

    def enqueue(name: str) -> None:
        names.append(name)
        polled.set()

    scheduler = PollScheduler(enqueue)
    scheduler.add_source("current", Cadence(60, 600), start=datetime.now(UTC))
    scheduler.start()
    try:
        await asyncio.wait_for(polled.wait(), timeout=10)
    finally:
        scheduler.shutdown()
    assert names == ["current"]
