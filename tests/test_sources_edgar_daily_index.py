"""The nightly reconciliation from daily indexes: parsers against recorded form.idx and
master.idx files, the source against the fake EDGAR serving a recorded day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from watcher.config import SourceSettings
from watcher.demo.fake_edgar import FakeEdgar
from watcher.http import EdgarClient
from watcher.sources.base import SourceContext, Watchlist
from watcher.sources.edgar_daily_index import (
    EdgarDailyIndexSettings,
    EdgarDailyIndexSource,
    daily_index_path,
    parse_index,
)

from tests.support.clock import FakeClock
from tests.support.edgar import edgar_client, fake_filing, recorded_edgar, samples

BIO89 = 1785173  # filed an 8-K and a 10-K on 2020-03-18


def read(name: str) -> bytes:
    return (samples() / "index" / name).read_bytes()


def daily_source(client: EdgarClient, ciks: set[int] | None, clock: FakeClock,
                 **options: object) -> EdgarDailyIndexSource:
    settings: SourceSettings = EdgarDailyIndexSettings(kind="edgar_daily_index",
                                                       name="nightly", **options)
    return EdgarDailyIndexSource(settings, SourceContext(
        http=client, watchlist=Watchlist(frozenset(ciks) if ciks is not None else None),
        clock=clock))


def test_a_daily_form_index_gives_every_row_with_forms_that_contain_spaces() -> None:
    rows = parse_index(read("form.20200318.idx"))
    assert len(rows) == 4084  # every line below the dashes
    assert sum(r.form == "8-K" for r in rows) == 232
    bio = next(r for r in rows if r.cik == BIO89 and r.form == "8-K")
    assert (bio.company_name, bio.accession, bio.filed) == \
        ("89bio, Inc.", "0001193125-20-077146", date(2020, 3, 18))
    assert {r.form for r in rows} >= {"1-A POS", "APP WD", "8-K/A", "SC 13G/A"}


def test_master_indexes_daily_and_quarterly_are_read() -> None:
    daily = parse_index(read("master.20181231.excerpt.idx"))
    novavax = next(r for r in daily if r.form == "8-K")
    assert (novavax.cik, novavax.accession, novavax.filed) == \
        (1000694, "0001144204-18-066755", date(2018, 12, 31))
    quarterly = parse_index(read("master.1993QTR4.excerpt.idx"))
    assert quarterly[1].filed == date(1993, 11, 12)  # written YYYY-MM-DD there


def test_an_index_with_a_header_and_no_rows_is_empty() -> None:
    assert parse_index(read("empty-form.idx")) == []


def test_the_index_path_follows_edgar_layout() -> None:
    assert daily_index_path(date(2020, 3, 18)) == \
        "/Archives/edgar/daily-index/2020/QTR1/form.20200318.idx"
    assert daily_index_path(date(2018, 12, 31), "master") == \
        "/Archives/edgar/daily-index/2018/QTR4/master.20181231.idx"


async def test_the_source_queues_the_watched_8ks_of_a_recorded_day_once(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    clock = FakeClock(datetime(2020, 3, 19, 7, 0, tzinfo=UTC))  # the night after
    async with edgar_client(fake_edgar) as client:
        source = daily_source(client, {BIO89}, clock, lookback_days=1)
        filings = await source.poll()
        assert await source.poll() == []  # the day is done
    assert [(f.accession, f.form, f.cik) for f in filings] == \
        [("0001193125-20-077146", "8-K", BIO89)]
    assert filings[0].index_url.endswith(
        "/Archives/edgar/data/1785173/000119312520077146/0001193125-20-077146-index.htm")
    assert len(fake_edgar.requests_to("/Archives/edgar/daily-index/")) == 1


async def test_weekends_are_skipped_and_a_missing_day_is_asked_again_later(
        fake_edgar: FakeEdgar) -> None:
    clock = FakeClock(datetime(2025, 3, 11, 12, 0, tzinfo=UTC))  # Tuesday
    fake_edgar.publish(fake_filing(5555555, 1, date(2025, 3, 10)))
    async with edgar_client(fake_edgar) as client:
        source = daily_source(client, {5555555}, clock, lookback_days=4)
        assert [d.isoformat() for d in source.due_days(clock.now())] == \
            ["2025-03-07", "2025-03-10"]
        fake_edgar.faults.append(lambda path: None if "20250310" not in path else
                                 fake_edgar.route("/missing", {}))
        assert await source.poll() == []
        assert source.state["done"] == ["2025-03-07"]
        fake_edgar.faults.clear()
        filings = await source.poll()
    assert [f.accession for f in filings] == ["0005555555-25-000001"]
    assert source.state["done"] == ["2025-03-07", "2025-03-10"]


async def test_days_that_leave_the_window_are_forgotten(fake_edgar: FakeEdgar) -> None:
    clock = FakeClock(datetime(2025, 3, 11, 12, 0, tzinfo=UTC))
    async with edgar_client(fake_edgar) as client:
        source = daily_source(client, None, clock, lookback_days=2)
        source.restore({"done": ["2025-01-02"]})
        await source.poll()
    assert source.state["done"] == ["2025-03-10"]
