"""The watchlist by CIK or ticker, tickers read from the recorded company_tickers.json and
kept in the disk cache for a day."""

from __future__ import annotations

from pathlib import Path

from watcher.config import CompanySettings
from watcher.demo.fake_edgar import FakeEdgar
from watcher.models import Company
from watcher.watchlist import TICKERS_PATH, parse_company_tickers, resolve_watchlist

from tests.support.clock import FakeClock
from tests.support.edgar import edgar_client, recorded_edgar, samples


def test_the_ticker_map_gives_cik_name_and_every_ticker_of_a_company() -> None:
    tickers = parse_company_tickers(
        (samples() / "reference" / "company_tickers.json").read_bytes())
    assert len(tickers) > 9000
    assert tickers["IMNN"] == Company(749647, "Imunon, Inc.", ("IMNN",))


async def test_companies_by_ticker_are_resolved_and_cached_for_a_day(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    recorded_edgar(fake_edgar)
    companies = [CompanySettings(ticker="imnn"), CompanySettings(cik=1766140),
                 CompanySettings(ticker="UNCY"), CompanySettings(ticker="NOPE")]
    clock = FakeClock()
    async with edgar_client(fake_edgar, tmp_path / "cache", clock=clock) as client:
        first = await resolve_watchlist(companies, client)
    async with edgar_client(fake_edgar, tmp_path / "cache", clock=clock) as client:
        again = await resolve_watchlist(companies, client)
    assert [c.cik for c in first] == [749647, 1766140]  # UNCY is 1766140 again; NOPE unknown
    assert first == again
    assert len(fake_edgar.requests_to(TICKERS_PATH)) == 1


async def test_a_watchlist_by_cik_needs_no_request(fake_edgar: FakeEdgar) -> None:
    async with edgar_client(fake_edgar) as client:
        companies = await resolve_watchlist([CompanySettings(cik=855654, name="A Co")], client)
    assert companies == [Company(855654, "A Co")]
    assert fake_edgar.requests == []
