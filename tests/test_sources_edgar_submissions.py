"""The submissions-JSON source and parser against recorded data.sec.gov responses (the
main JSON with ``filings.files`` and its older page), served by the fake EDGAR."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from watcher.config import SourceSettings
from watcher.demo.fake_edgar import FakeEdgar, Reply
from watcher.errors import TransientFetchError
from watcher.http import EdgarClient
from watcher.resolve import link_amendments
from watcher.sources.base import SourceContext, Watchlist
from watcher.sources.edgar_submissions import (
    EdgarSubmissionsSettings,
    EdgarSubmissionsSource,
    parse_acceptance,
    parse_older_page,
    parse_submissions,
)

from tests.support.clock import FakeClock
from tests.support.edgar import edgar_client, fake_filing, recorded_edgar, samples

IMUNON, UNICYCIVE, VINCERX = 749647, 1766140, 1796129
EASTERN = ZoneInfo("America/New_York")


def read(name: str) -> bytes:
    return (samples() / "submissions" / name).read_bytes()


def submissions_source(client: EdgarClient, ciks: set[int], clock: FakeClock,
                       **options: Any) -> EdgarSubmissionsSource:
    settings: SourceSettings = EdgarSubmissionsSettings(kind="edgar_submissions",
                                                        name="submissions", **options)
    return EdgarSubmissionsSource(settings, SourceContext(
        http=client, watchlist=Watchlist(frozenset(ciks)), clock=clock))


def test_the_main_json_gives_the_company_its_recent_filings_and_its_older_pages() -> None:
    page = parse_submissions(read("CIK0000749647.json"), base_url="https://www.sec.gov")
    assert (page.cik, page.name, page.tickers) == (IMUNON, "Imunon, Inc.", ("IMNN",))
    assert len(page.filings) == 1000
    assert [(o.name, o.filing_count, o.filing_to) for o in page.older] == \
        [("CIK0000749647-submissions-001.json", 395, date(2010, 7, 24))]
    latest_8k = next(f for f in page.filings if f.form == "8-K")
    assert latest_8k.accession == "0001493152-26-005203"
    assert latest_8k.items == ("5.02", "9.01")
    assert latest_8k.filed == date(2026, 2, 5) and latest_8k.report_date == date(2026, 2, 2)
    assert latest_8k.index_url == ("https://www.sec.gov/Archives/edgar/data/749647/"
                                   "000149315226005203/0001493152-26-005203-index.htm")


def test_the_older_page_is_flat_arrays_without_an_envelope() -> None:
    filings = parse_older_page(read("CIK0000749647-submissions-001.json"), cik=IMUNON,
                               name="Imunon, Inc.", base_url="https://www.sec.gov")
    assert len(filings) == 395
    assert filings[-1].accession == "0000749647-96-000001"
    assert filings[-1].items == ("1",)  # pre-2004 8-K item numbers are kept as given
    assert all(f.cik == IMUNON for f in filings)


def test_items_written_as_empty_commas_give_no_items() -> None:
    data = json.loads(read("CIK0000749647.json"))
    recent = data["filings"]["recent"]
    index = recent["items"].index(",,")
    page = parse_submissions(read("CIK0000749647.json"), base_url="https://www.sec.gov")
    assert page.filings[index].items == ()


def test_acceptance_time_read_as_utc_when_that_fits_the_filing_date() -> None:
    accepted = parse_acceptance("2026-02-05T13:05:45.000Z", date(2026, 2, 5))
    assert accepted == datetime(2026, 2, 5, 13, 5, 45, tzinfo=UTC)
    # 21:50 New York time on the 17th, dated the 17th (a 13G may be filed until 22:00)
    evening = parse_acceptance("2026-02-18T02:50:37.000Z", date(2026, 2, 17))
    assert evening == datetime(2026, 2, 18, 2, 50, 37, tzinfo=UTC)


def test_acceptance_time_that_is_new_york_time_with_a_z_is_recognised() -> None:
    # Dated the next day: accepted after 17:30, which only New York time explains.
    accepted = parse_acceptance("2020-03-25T17:38:51.000Z", date(2020, 3, 26))
    assert accepted is not None
    assert accepted.astimezone(EASTERN).time() == time(17, 38, 51)


def test_acceptance_times_of_the_recorded_8ks_agree_with_their_filing_dates() -> None:
    checked = agreeing = 0
    for name in ("CIK0000749647.json", "CIK0001766140.json", "CIK0001796129.json"):
        page = parse_submissions(read(name), base_url="https://www.sec.gov")
        for filing in page.filings:
            if not filing.form.startswith("8-K") or filing.accepted is None:
                continue
            local = filing.accepted.astimezone(EASTERN)
            checked += 1
            agreeing += filing.filed == local.date() or (
                filing.filed is not None and filing.filed > local.date()
                and local.time() >= time(17, 30))
    assert checked > 300
    assert agreeing == checked


def test_amendments_are_linked_to_the_8k_of_the_same_period() -> None:
    page = parse_submissions(read("CIK0001796129.json"), base_url="https://www.sec.gov")
    amendments = link_amendments([f for f in page.filings if f.form == "8-K/A"], page.filings)
    assert {(a.accession, a.amends) for a in amendments} == {
        ("0001193125-20-329894", "0001193125-20-329821"),
        ("0001104659-20-045295", "0001104659-20-038382"),
    }


async def test_the_source_reports_recent_8ks_of_watched_companies(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    clock = FakeClock(datetime(2026, 2, 10, 15, 0, tzinfo=UTC))
    async with edgar_client(fake_edgar) as client:
        source = submissions_source(client, {IMUNON, VINCERX}, clock, lookback_days=60)
        filings = await source.poll()
    assert [(f.accession, f.filed) for f in filings] == [
        ("0001493152-26-005203", date(2026, 2, 5)),
        ("0001493152-26-000841", date(2026, 1, 7)),
        ("0001493152-25-029711", date(2025, 12, 31)),
    ]
    assert filings[2].items == ("1.01", "8.01", "9.01")
    assert {f.source for f in filings} == {"submissions"}
    assert len(fake_edgar.requests_to("/submissions/")) == 2


async def test_the_source_walks_the_watchlist_a_batch_per_poll(fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    clock = FakeClock(datetime(2026, 2, 10, 15, 0, tzinfo=UTC))
    async with edgar_client(fake_edgar) as client:
        source = submissions_source(client, {IMUNON, UNICYCIVE, VINCERX}, clock,
                                    companies_per_poll=2)
        await source.poll()
        await source.poll()
    asked = [r.path for r in fake_edgar.requests_to("/submissions/")]
    assert asked == ["/submissions/CIK0000749647.json", "/submissions/CIK0001766140.json",
                     "/submissions/CIK0001796129.json", "/submissions/CIK0000749647.json"]


async def test_an_unknown_company_is_skipped_and_the_others_still_polled(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    clock = FakeClock(datetime(2026, 2, 10, 15, 0, tzinfo=UTC))
    async with edgar_client(fake_edgar) as client:
        source = submissions_source(client, {1, IMUNON}, clock, lookback_days=60)
        filings = await source.poll()
    assert len(filings) == 3


async def test_a_poll_where_every_company_fails_raises(fake_edgar: FakeEdgar) -> None:
    fake_edgar.faults.append(lambda path: Reply(500, b"oops")
                             if path.startswith("/submissions/") else None)
    async with edgar_client(fake_edgar, retries=0) as client:
        source = submissions_source(client, {IMUNON, VINCERX}, FakeClock())
        with pytest.raises(TransientFetchError):
            await source.poll()
    assert "cursor" not in source.state


async def test_the_fake_writes_acceptance_times_the_way_data_sec_gov_does(
        fake_edgar: FakeEdgar) -> None:
    fake_edgar.publish(fake_filing(4444444, 1, date(2025, 3, 4)))
    async with edgar_client(fake_edgar) as client:
        filings = await submissions_source(
            client, {4444444}, FakeClock(datetime(2025, 3, 5, tzinfo=UTC))).poll()
    assert filings[0].accepted == datetime(2025, 3, 4, 21, 5, tzinfo=UTC)  # 16:05 EST
