"""Sources inside the app: reconciliation catches what the live feed missed, a filing seen
by two sources is processed once, failing sources and throttling raise operator events,
and source state survives a restart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from watcher.app import App
from watcher.config import Config, parse_config
from watcher.demo.fake_edgar import FakeEdgar, Reply
from watcher.events import OperatorEvent
from watcher.sources.edgar_current import EdgarCurrentSource
from watcher.store import open_store

from tests.support.clock import FakeClock
from tests.support.edgar import USER_AGENT, fake_filing

VELTRA = 4242424
NIGHT = datetime(2025, 3, 5, 8, 0, tzinfo=UTC)  # Wednesday 3:00 ET, the night after the 4th


def config_for(edgar: FakeEdgar, tmp_path: Path, sources: list[dict[str, Any]],
               **edgar_options: Any) -> Config:
    return parse_config({
        "edgar": {"user_agent": USER_AGENT, "base_url": edgar.base_url,
                  "data_url": edgar.base_url, "cache_dir": None, **edgar_options},
        "companies": [{"cik": VELTRA}],
        "sources": sources,
        "store": {"url": f"sqlite:///{tmp_path / 'watcher.db'}"},
        "notifiers": [{"name": "log", "kind": "log"}],
        "server": {"enabled": False},
    }, environ={})


def processed(tmp_path: Path) -> dict[str, int]:
    store = open_store(f"sqlite:///{tmp_path / 'watcher.db'}")
    try:
        return store.filing_counts()
    finally:
        store.close()


async def test_a_filing_the_current_feed_never_showed_is_caught_by_reconciliation(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    fake_edgar.publish(fake_filing(VELTRA, 1, date(2025, 3, 4)))
    missed = fake_filing(VELTRA, 2, date(2025, 3, 4), in_feed=False)
    fake_edgar.publish(missed)
    config = config_for(fake_edgar, tmp_path, [
        {"kind": "edgar_current", "name": "current"},
        {"kind": "edgar_daily_index", "name": "nightly", "lookback_days": 2}])
    app = App(config, clock=FakeClock(NIGHT))
    report = await app.run_once()
    assert not report.failed
    assert report.new_filings == 2
    assert {o.accession for o in report.outcomes} == {"0004242424-25-000001",
                                                      missed.accession}
    assert all(o.state == "done" and o.documents == 1 for o in report.outcomes)
    # the live feed never listed it: only the daily index did
    assert missed.accession.encode() not in fake_edgar.current_feed(
        [f for f in fake_edgar.filings if f.in_feed])


async def test_the_same_filing_seen_by_three_sources_is_processed_once(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    filing = fake_filing(VELTRA, 1, date(2025, 3, 4))
    fake_edgar.publish(filing)
    config = config_for(fake_edgar, tmp_path, [
        {"kind": "edgar_current", "name": "current"},
        {"kind": "edgar_submissions", "name": "submissions"},
        {"kind": "edgar_daily_index", "name": "nightly", "lookback_days": 2}])
    app = App(config, clock=FakeClock(NIGHT))
    report = await app.run_once()
    assert report.new_filings == 1
    assert [o.accession for o in report.outcomes] == [filing.accession]
    assert len(fake_edgar.requests_to(filing.index_path)) == 1
    assert processed(tmp_path) == {"done": 1}
    again = await App(config, clock=FakeClock(NIGHT)).run_once()  # a restart: nothing new
    assert again.new_filings == 0 and again.outcomes == []


async def test_a_source_failing_in_a_row_raises_an_operator_event_then_a_recovery(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    events: list[OperatorEvent] = []
    broken = {"on": True}
    fake_edgar.faults.append(lambda path: Reply(500, b"down")
                             if broken["on"] and path.startswith("/cgi-bin/") else None)
    config = config_for(fake_edgar, tmp_path, [
        {"kind": "edgar_current", "name": "current", "alert_after_failures": 3}], retries=0)
    for _ in range(4):
        report = await App(config, clock=FakeClock(NIGHT), on_event=events.append).run_once()
        assert report.polls_failed == ["current"]
    # the count survives restarts (each run_once is a new process here), the event is once
    assert [e.kind for e in events] == ["source_failing"]
    assert events[0].source == "current" and events[0].details["failures"] == 3
    broken["on"] = False
    report = await App(config, clock=FakeClock(NIGHT), on_event=events.append).run_once()
    assert report.polls_failed == []
    assert [e.kind for e in events] == ["source_failing", "source_recovered"]
    assert events[1].details["failures"] == 4


async def test_a_throttle_reaches_the_app_hook_as_an_operator_event(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    events: list[OperatorEvent] = []
    fake_edgar.faults.append(lambda path: Reply(429, b"", headers={"Retry-After": "30"})
                             if path.startswith("/cgi-bin/") else None)
    config = config_for(fake_edgar, tmp_path, [{"kind": "edgar_current", "name": "current"}])
    app = App(config, clock=FakeClock(NIGHT), on_event=events.append)
    report = await app.run_once()
    assert report.polls_failed == ["current"]
    assert [e.kind for e in events] == ["throttled"]
    assert events[0].details["pause_seconds"] == 30
    assert app.events.history == events


async def test_a_crashing_source_is_a_failed_poll_not_a_dead_worker(
        fake_edgar: FakeEdgar, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def boom(self: EdgarCurrentSource) -> list[Any]:
        raise KeyError("a bug")

    monkeypatch.setattr(EdgarCurrentSource, "poll", boom)
    config = config_for(fake_edgar, tmp_path, [{"kind": "edgar_current", "name": "current"}])
    app = App(config, clock=FakeClock(NIGHT))
    report = await app.run_once()
    assert report.polls_failed == ["current"]
    assert app.failures["current"] == 1


async def test_feed_validators_survive_a_restart_so_an_idle_poll_is_a_304(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    fake_edgar.publish(fake_filing(VELTRA, 1, date(2025, 3, 4)))
    config = config_for(fake_edgar, tmp_path, [{"kind": "edgar_current", "name": "current"}])
    await App(config, clock=FakeClock(NIGHT)).run_once()
    feed_requests = len(fake_edgar.requests_to("/cgi-bin/"))
    report = await App(config, clock=FakeClock(NIGHT)).run_once()
    assert report.new_filings == 0
    polls = fake_edgar.requests_to("/cgi-bin/")[feed_requests:]
    assert len(polls) == 1 and polls[0].headers.get("if-none-match")
