"""The latest-filings source against recorded getcurrent pages (served by the fake EDGAR,
with SEC's recorded 503 past the last page) and against feeds the fake renders."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from watcher.config import SourceSettings
from watcher.demo.fake_edgar import FakeEdgar, Reply
from watcher.errors import FetchError
from watcher.http import EdgarClient
from watcher.sources.base import SourceContext, Watchlist
from watcher.sources.edgar_current import (
    EdgarCurrentSettings,
    EdgarCurrentSource,
    filings_from_entries,
    parse_current_entries,
)

from tests.support.clock import FakeClock
from tests.support.edgar import edgar_client, fake_filing, recorded_edgar, samples

FEED = "/cgi-bin/browse-edgar"


def current_source(client: EdgarClient, ciks: set[int] | None = None,
                   **options: Any) -> EdgarCurrentSource:
    settings: SourceSettings = EdgarCurrentSettings(kind="edgar_current", name="current",
                                                    **options)
    return EdgarCurrentSource(settings, SourceContext(
        http=client, watchlist=Watchlist(frozenset(ciks) if ciks is not None else None),
        clock=FakeClock()))


def test_recorded_page_entries_carry_cik_from_the_title_and_items_from_the_summary() -> None:
    content = (samples() / "feeds" / "getcurrent_count100_start100.atom.xml").read_bytes()
    entries = parse_current_entries(content)
    assert len(entries) == 100
    grail = next(e for e in entries if e.accession == "0001628280-26-001786")
    assert (grail.cik, grail.form, grail.role) == (1699031, "8-K", "Filer")
    assert grail.company_name == "GRAIL, Inc."
    assert grail.items == ("2.02", "9.01")
    assert grail.filed == date(2026, 1, 12)
    assert grail.updated is not None and grail.updated.utcoffset() is not None


def test_a_filing_listed_for_several_parties_is_one_filing_of_the_party_watched() -> None:
    content = (samples() / "feeds" / "getcurrent_count40_start0.atom.xml").read_bytes()
    entries = parse_current_entries(content)
    grouped = filings_from_entries(entries)
    assert len({f.accession for f in grouped}) == len(grouped) < len(entries)
    form4 = next(e for e in entries if e.role == "Reporting")
    issuer = next(e for e in entries if e.accession == form4.accession and e.role == "Issuer")
    assert next(f for f in grouped if f.accession == form4.accession).cik == issuer.cik
    only_owner = filings_from_entries(entries, Watchlist(frozenset({form4.cik})))
    assert [(f.accession, f.cik) for f in only_owner if f.accession == form4.accession] == \
        [(form4.accession, form4.cik)]


async def test_first_poll_reads_one_page_and_keeps_only_8k_filings(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    async with edgar_client(fake_edgar) as client:
        source = current_source(client)
        filings = await source.poll()
    assert [(f.accession, f.cik, f.items) for f in filings] == \
        [("0001935979-26-000005", 1935979, ("7.01", "9.01"))]
    assert len(fake_edgar.requests_to(FEED)) == 1


async def test_paging_goes_on_until_the_503_end_of_the_feed(fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    async with edgar_client(fake_edgar) as client:
        source = current_source(client)
        source.restore({"seen": {"8-K": ["0000000000-26-000001"]}})  # seen long ago
        filings = await source.poll()
    assert len(filings) == 7
    assert len({f.accession for f in filings}) == 7
    assert {f.form for f in filings} == {"8-K"}
    starts = [r.path.split("start=")[1].split("&")[0] for r in fake_edgar.requests_to(FEED)]
    assert starts == ["0", "100", "200"]  # the third answered SEC's recorded 503 page


async def test_paging_stops_at_a_page_holding_an_accession_seen_last_time(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    async with edgar_client(fake_edgar) as client:
        source = current_source(client)
        source.restore({"seen": {"8-K": ["0000000000-26-000001"]}})
        await source.poll()
        before = len(fake_edgar.requests_to(FEED))
        again = await source.poll()
    assert len(fake_edgar.requests_to(FEED)) - before == 1
    assert len(again) == 1  # page one is re-read (no ETag from SEC); the store dedupes


async def test_an_idle_poll_is_one_conditional_request_answered_304(
        fake_edgar: FakeEdgar) -> None:
    fake_edgar.publish(fake_filing(1111111, 1, date(2025, 3, 3)))
    async with edgar_client(fake_edgar) as client:
        source = current_source(client)
        assert len(await source.poll()) == 1
        assert await source.poll() == []
    first, second = fake_edgar.requests_to(FEED)
    assert "if-none-match" not in first.headers
    assert second.headers["if-none-match"]


async def test_validators_survive_a_restart_through_the_source_state(
        fake_edgar: FakeEdgar) -> None:
    fake_edgar.publish(fake_filing(1111111, 1, date(2025, 3, 3)))
    async with edgar_client(fake_edgar) as client:
        source = current_source(client)
        await source.poll()
        saved = source.snapshot()
    async with edgar_client(fake_edgar) as client:  # a new process
        restarted = current_source(client)
        restarted.restore(saved)
        assert await restarted.poll() == []
    assert fake_edgar.requests_to(FEED)[-1].headers["if-none-match"]


async def test_new_filings_since_the_last_poll_are_found_across_pages(
        fake_edgar: FakeEdgar) -> None:
    fake_edgar.publish(fake_filing(1111111, 1, date(2025, 3, 3)))
    async with edgar_client(fake_edgar) as client:
        source = current_source(client, count=10)
        await source.poll()
        for n in range(2, 27):
            fake_edgar.publish(fake_filing(1111111, n, date(2025, 3, 4)))
        fake_edgar.publish(fake_filing(2222222, 99, date(2025, 3, 4), form="8-K/A"))
        filings = await source.poll()
    # the 26 new ones, and the known one on the last page read (the store dedupes)
    assert len(filings) == 27 == len({f.accession for f in filings})
    assert any(f.form == "8-K/A" for f in filings)
    assert len(fake_edgar.requests_to(FEED)) == 1 + 3


async def test_only_watched_companies_are_reported(fake_edgar: FakeEdgar) -> None:
    fake_edgar.publish(fake_filing(1111111, 1, date(2025, 3, 3)))
    fake_edgar.publish(fake_filing(2222222, 2, date(2025, 3, 3), company="Other Co"))
    async with edgar_client(fake_edgar) as client:
        filings = await current_source(client, {2222222}).poll()
    assert [f.cik for f in filings] == [2222222]


async def test_an_html_page_instead_of_the_feed_fails_the_poll_and_keeps_the_state(
        fake_edgar: FakeEdgar) -> None:
    fake_edgar.faults.append(lambda path: Reply(200, b"<html>maintenance</html>")
                             if path.startswith(FEED) else None)
    async with edgar_client(fake_edgar) as client:
        source = current_source(client)
        source.restore({"seen": {"8-K": ["x"]}})
        with pytest.raises(FetchError, match="content type"):
            await source.poll()
    assert source.state == {"seen": {"8-K": ["x"]}}


async def test_the_recorded_40_entry_page_gives_one_filing_per_accession(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    content = (samples() / "feeds" / "getcurrent_count40_start0.atom.xml").read_bytes()
    form4 = {e.accession for e in parse_current_entries(content) if e.form == "4"}
    async with edgar_client(fake_edgar) as client:
        filings = await current_source(client, count=40, forms=["4"]).poll()
    assert {f.accession for f in filings} == form4
    assert len(filings) == len(form4) > 1
