"""``watcher backfill`` against the fake EDGAR: paged submissions, every stage run, no alerts
unless asked, resumable, a progress display, and the configured request rate held."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from watcher.app import App
from watcher.backfill import BackfillOptions, BackfillReport, Progress, list_company, summary
from watcher.cli import main
from watcher.clock import SYSTEM_CLOCK
from watcher.config import Config, parse_config
from watcher.demo import DEMO_CIK, DEMO_COMPANY, demo_filings
from watcher.demo.fake_edgar import FakeEdgar
from watcher.store import open_store

from tests.support.clock import FakeClock
from tests.support.edgar import USER_AGENT, edgar_client, fake_filing, recorded_edgar

VELTRA = 4242424
NOW = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)


def config_for(edgar: FakeEdgar, tmp_path: Path, **edgar_options: Any) -> Config:
    return parse_config({
        "edgar": {"user_agent": USER_AGENT, "base_url": edgar.base_url,
                  "data_url": edgar.base_url, "cache_dir": None, **edgar_options},
        "companies": [{"cik": VELTRA}, {"cik": DEMO_CIK}],
        "sources": [{"kind": "edgar_current"}],
        "store": {"url": f"sqlite:///{tmp_path / 'watcher.db'}"},
        "notifiers": [{"name": "log", "kind": "log"}],
        "server": {"enabled": False},
    }, environ={})


def publish_history(edgar: FakeEdgar, count: int, cik: int = VELTRA) -> list[str]:
    """``count`` 8-Ks a week apart (every third without exhibit) and a 10-Q between each."""
    accessions = []
    start = date(2024, 1, 2)
    for n in range(count):
        filed = start + timedelta(days=7 * n)
        filing = fake_filing(cik, 100 + n, filed, exhibit=n % 3 != 2)
        edgar.publish(filing)
        edgar.publish(fake_filing(cik, 500 + n, filed, form="10-Q", exhibit=False))
        accessions.append(filing.accession)
    return accessions


def store_of(tmp_path: Path) -> Any:
    return open_store(f"sqlite:///{tmp_path / 'watcher.db'}")


async def test_backfill_lists_every_page_and_runs_every_stage_without_alerts(
        tmp_path: Path) -> None:
    with FakeEdgar(recent_limit=5) as edgar:
        for filing in demo_filings():
            edgar.publish(filing)
        for n in range(6):
            edgar.publish(fake_filing(DEMO_CIK, 900 + n, date(2023, 1, 2) + timedelta(days=n),
                                      form="10-Q", exhibit=False, company=DEMO_COMPANY))
        app = App(config_for(edgar, tmp_path), clock=FakeClock(NOW))
        report = await app.backfill([DEMO_CIK])
        pages = [r.path for r in edgar.requests_to("/submissions/")]
    assert pages == ["/submissions/CIK0009900901.json",
                     "/submissions/CIK0009900901-submissions-001.json"]
    assert (report.queued, report.processed, report.failed, report.alerts) == (3, 3, 0, 0)
    store = store_of(tmp_path)
    try:
        assert len(store.releases(DEMO_CIK)) == 3
        assert {e.partner for e in store.ledger(DEMO_CIK)}  # the ledger filled
        assert store.deliveries() == []  # no alerts unless asked
    finally:
        store.close()


async def test_backfill_with_alerts_queues_them(tmp_path: Path) -> None:
    with FakeEdgar() as edgar:
        for filing in demo_filings():
            edgar.publish(filing)
        report = await App(config_for(edgar, tmp_path),
                           clock=FakeClock(NOW)).backfill([DEMO_CIK], alerts=True)
    assert report.alerts >= 2
    store = store_of(tmp_path)
    try:
        assert len(store.deliveries()) == report.alerts
    finally:
        store.close()


async def test_since_skips_older_pages_and_older_filings(tmp_path: Path) -> None:
    with FakeEdgar(recent_limit=4) as edgar:
        accessions = publish_history(edgar, 12)
        report = await App(config_for(edgar, tmp_path), clock=FakeClock(NOW)).backfill(
            [VELTRA], since=date(2024, 2, 27))
        pages = [r.path for r in edgar.requests_to("/submissions/")]
    # 24 filings, two a week, in pages of 4 newest first: 2024-02-27 is in the second page;
    # the four older pages end before it and are not fetched
    assert pages == ["/submissions/CIK0004242424.json",
                     "/submissions/CIK0004242424-submissions-001.json"]
    assert report.processed == 4
    store = store_of(tmp_path)
    try:
        assert {r.filing.accession for r in store.filings(limit=100)} == set(accessions[-4:])
    finally:
        store.close()


async def test_an_interrupted_backfill_resumes_where_it_stopped(tmp_path: Path) -> None:
    with FakeEdgar(recent_limit=5) as edgar:
        accessions = publish_history(edgar, 9)
        first = await App(config_for(edgar, tmp_path), clock=FakeClock(NOW)).backfill(
            [VELTRA], limit=4)
        listed = len(edgar.requests_to("/submissions/"))
        second = await App(config_for(edgar, tmp_path), clock=FakeClock(NOW)).backfill(
            [VELTRA])
        assert len(edgar.requests_to("/submissions/")) == listed  # not listed again
        index_requests = [r.path for r in edgar.requests if r.path.endswith("-index.htm")]
    assert (first.processed, first.left_pending) == (4, 5)
    assert (second.queued, second.processed, second.left_pending) == (0, 5, 0)
    assert len(index_requests) == len(set(index_requests)) == 9  # nothing fetched twice
    store = store_of(tmp_path)
    try:
        assert store.filing_counts(source="backfill") == {"done": 6, "skipped": 3}
        assert {r.filing.accession for r in store.filings(limit=100)} == set(accessions)
    finally:
        store.close()


async def test_an_unknown_company_is_reported_and_the_others_backfilled(tmp_path: Path) -> None:
    with FakeEdgar() as edgar:
        publish_history(edgar, 2)
        report = await App(config_for(edgar, tmp_path), clock=FakeClock(NOW)).backfill(
            [1, VELTRA])
    assert report.companies_failed == [1]
    assert report.processed == 2
    assert "not listed: CIK 1" in summary(report)


async def test_the_configured_rate_holds_during_a_backfill(tmp_path: Path) -> None:
    with FakeEdgar() as edgar:
        publish_history(edgar, 14)
        app = App(config_for(edgar, tmp_path, max_requests_per_second=10), clock=SYSTEM_CLOCK)
        started = asyncio.Event()

        class StartLivePolls(Progress):
            def update(self, **values: Any) -> None:
                started.set()  # the backfill is under way: poll the live feed beside it

        async def poll_during_backfill() -> int:
            await started.wait()
            for _ in range(5):
                await app.poll_source("edgar_current")
            return 5

        poller = asyncio.create_task(poll_during_backfill())
        report = await app.backfill([VELTRA], progress=StartLivePolls(io.StringIO()))
        polls = await poller
        arrivals = sorted(r.at for r in edgar.requests)
    assert polls == 5 and report.processed == 14
    # one listing, 14 index pages, 10 exhibits (every third 8-K has none), 5 feed polls
    assert len(arrivals) == 30
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    assert busiest <= 10


async def test_concurrent_requests_never_exceed_the_rate_in_any_second(
        fake_edgar: FakeEdgar) -> None:
    publish_history(fake_edgar, 1)
    async with edgar_client(fake_edgar, clock=SYSTEM_CLOCK, max_requests_per_second=10) as client:
        url = client.url("/submissions/CIK0004242424.json", data=True)
        await asyncio.gather(*(client.get(url) for _ in range(25)))
    arrivals = sorted(r.at for r in fake_edgar.requests)
    assert len(arrivals) == 25
    assert max(sum(1 for t in arrivals if s <= t < s + 1.0) for s in arrivals) <= 10


def test_progress_on_a_pipe_is_plain_lines() -> None:
    out = io.StringIO()
    ticks = iter([0.0, 1.0, 2.0, 10.0, 11.0])
    progress = Progress(out, every=5.0, timer=lambda: next(ticks))
    progress.update(company=1, companies=2, done=0, total=10)  # t=1: first line
    progress.update(company=1, companies=2, done=3, total=10)  # t=2: too soon
    progress.update(company=2, companies=2, done=10, total=10, final=True)  # t=10
    assert out.getvalue().splitlines() == [
        "backfill: companies 1/2  filings 0/10  0.0 filings/s",
        "backfill: companies 2/2  filings 10/10  1.0 filings/s",
    ]


def test_progress_on_a_terminal_is_a_bar_redrawn_in_place() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    progress = Progress(out, width=10, timer=lambda: 1.0)
    progress.update(company=1, companies=1, done=5, total=10)
    assert out.getvalue().startswith("\r[#####.....] companies 1/1  filings 5/10")


def test_the_summary_says_what_is_left() -> None:
    text = summary(BackfillReport(companies=2, queued=9, processed=4, left_pending=5,
                                  elapsed=2.0))
    assert "4 processed" in text and "2.0 filings/s" in text and "5 left pending" in text


def test_the_backfill_command_runs_end_to_end(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with FakeEdgar() as edgar:
        publish_history(edgar, 3)
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump({
            "edgar": {"user_agent": USER_AGENT, "base_url": edgar.base_url,
                      "data_url": edgar.base_url, "cache_dir": None},
            "store": {"url": f"sqlite:///{tmp_path / 'cli.db'}"},
            "notifiers": [{"name": "log", "kind": "log"}],
            "server": {"enabled": False},
        }))
        code = main(["backfill", "--config", str(config), "--cik", str(VELTRA),
                     "--since", "2024-01-01"])
    err = capsys.readouterr().err
    assert code == 0
    assert "backfill: companies 1/1  filings 3/3" in err
    assert "backfill: 1 company, 3 filing(s) queued, 3 processed, 0 failed, 0 alert(s)" in err


def test_the_backfill_command_refuses_bad_arguments(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["backfill", "--since", "last tuesday"])
    assert caught.value.code == 2
    assert "not a date" in capsys.readouterr().err


async def test_listing_reads_the_recorded_main_json_and_its_older_page(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    options = BackfillOptions(ciks=(749647,), since=date(2009, 1, 1))
    async with edgar_client(fake_edgar) as client:
        filings = await list_company(client, 749647, options)
    asked = [r.path for r in fake_edgar.requests_to("/submissions/")]
    assert asked == ["/submissions/CIK0000749647.json",
                     "/submissions/CIK0000749647-submissions-001.json"]
    assert filings == sorted(filings, key=lambda f: (f.filed or date.min, f.accession))
    assert filings[0].filed is not None and filings[0].filed >= date(2009, 1, 1)
    from_older_page = [f for f in filings if f.filed is not None and f.filed <= date(2010, 7, 24)]
    assert from_older_page and {f.form for f in filings} == {"8-K", "8-K/A"}
    assert next(f for f in filings if f.accession == "0001104659-09-010999").amends == \
        "0001104659-09-010738"
