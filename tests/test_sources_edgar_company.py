"""The per-company Atom feed source and parser, against recorded getcompany feeds: a 2021
feed and a 2016 one that spells its accession tag ``accession-nunber``."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from watcher.config import SourceSettings
from watcher.demo.fake_edgar import FakeEdgar, Reply
from watcher.http import EdgarClient
from watcher.sources.base import SourceContext, Watchlist
from watcher.sources.edgar_company import (
    EdgarCompanySettings,
    EdgarCompanySource,
    parse_company_feed,
)

from tests.support.clock import FakeClock
from tests.support.edgar import edgar_client, recorded_edgar, samples

TWITTER, APPLE = 1418091, 320193


def read(name: str) -> bytes:
    return (samples() / "feeds" / name).read_bytes()


def company_source(client: EdgarClient, ciks: set[int]) -> EdgarCompanySource:
    settings: SourceSettings = EdgarCompanySettings(kind="edgar_company", name="company")
    return EdgarCompanySource(settings, SourceContext(
        http=client, watchlist=Watchlist(frozenset(ciks)), clock=FakeClock()))


def test_a_2016_feed_with_the_misspelt_accession_tag_is_read() -> None:
    feed = parse_company_feed(read("getcompany_TWITTER_0001418091_2016.atom.xml"))
    assert (feed.cik, feed.name) == (TWITTER, "TWITTER, INC.")
    assert len(feed.filings) == 40
    assert feed.filings[0].accession == "0001564590-16-013773"
    assert feed.filings[0].form == "S-8" and feed.filings[0].filed == date(2016, 3, 1)
    assert sum(f.form == "8-K" for f in feed.filings) == 13


def test_items_come_from_items_desc_in_a_2021_feed() -> None:
    feed = parse_company_feed(read("getcompany_AAPL_count40_2021-04-18.atom.xml"))
    first = feed.filings[0]
    assert (feed.cik, first.accession, first.form) == (APPLE, "0001193125-21-054710", "8-K")
    assert first.items == ("5.07",)
    assert first.index_url.endswith("0001193125-21-054710-index.htm")
    assert first.accepted is not None and first.accepted.utcoffset() is not None


async def test_the_source_reads_the_recorded_2016_feed_and_keeps_the_8ks(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    async with edgar_client(fake_edgar) as client:
        filings = await company_source(client, {TWITTER}).poll()
    assert len(filings) == 13
    assert {f.form for f in filings} == {"8-K"} and {f.cik for f in filings} == {TWITTER}
    assert len(fake_edgar.requests_to("/cgi-bin/browse-edgar")) == 1


async def test_the_source_reads_the_recorded_2021_feed(fake_edgar: FakeEdgar) -> None:
    async with edgar_client(fake_edgar) as client:
        source = company_source(client, {APPLE})
        parts = urlsplit(source.feed_url(APPLE, "8-K"))
        fake_edgar.routes[f"{parts.path}?{parts.query}"] = Reply(
            200, read("getcompany_AAPL_count40_2021-04-18.atom.xml"), "application/atom+xml")
        filings = await source.poll()
    assert len(filings) == 13
    assert filings[0].items == ("5.07",)
