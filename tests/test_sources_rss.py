"""Press releases from a company's own feed (RSS 2.0 or Atom), served by a second fake
host standing for the company's newsroom: synthetic ids, host rules, and an alert whose
payload stays valid without an accession number."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from watcher.app import App
from watcher.config import SourceSettings, parse_config
from watcher.demo import fixture_bytes
from watcher.demo.fake_edgar import FakeEdgar, Reply
from watcher.http import EdgarClient
from watcher.sources.base import SourceContext, Watchlist
from watcher.sources.rss import RssSettings, RssSource, parse_release_feed, synthetic_accession

from tests.conftest import PROJECT_ROOT
from tests.support.clock import FakeClock
from tests.support.edgar import USER_AGENT, edgar_client

FEEDS = PROJECT_ROOT / "tests" / "data" / "rss"
HALVARD = 9900901
WHEN = datetime(2025, 5, 12, 14, 0, tzinfo=UTC)


@pytest.fixture
def newsroom() -> Iterator[FakeEdgar]:
    with FakeEdgar() as site:
        site.routes["/rss.xml"] = Reply(200, (FEEDS / "newsroom.rss").read_bytes(),
                                        "application/rss+xml", {"ETag": '"n1"'})
        site.routes["/releases/2025-05-12-hlv-101-update.htm"] = Reply(
            200, fixture_bytes("halvard-2025-05-12-ex99-1.htm"), "text/html")
        yield site


def rss_source(client: EdgarClient, url: str, clock: FakeClock, **options: object) -> RssSource:
    settings: SourceSettings = RssSettings(kind="rss", name="newsroom", url=url, cik=HALVARD,
                                           company="Halvard Biotherapeutics, Inc.", **options)
    return RssSource(settings, SourceContext(http=client, watchlist=Watchlist(None),
                                             clock=clock))


def test_rss_and_atom_entries_give_id_link_and_date() -> None:
    rss = parse_release_feed((FEEDS / "newsroom.rss").read_bytes())
    assert [e["id"] for e in rss] == ["halvard-pr-2025-0512", "halvard-pr-2025-0501",
                                      "halvard-pr-2019-0107"]
    assert rss[0]["link"] == "/releases/2025-05-12-hlv-101-update.htm"
    assert rss[0]["published"] == datetime(2025, 5, 12, 12, 0, tzinfo=UTC)
    atom = parse_release_feed((FEEDS / "newsroom.atom").read_bytes())
    assert [e["link"] for e in atom] == ["https://newsroom.veltra.example/news/42.htm",
                                         "https://newsroom.veltra.example/news/41.htm"]
    assert atom[0]["published"] == datetime(2025, 3, 4, 13, 30, tzinfo=UTC)


def test_synthetic_ids_are_stable_and_distinct_per_company() -> None:
    first = synthetic_accession(HALVARD, "halvard-pr-2025-0512")
    assert first == synthetic_accession(HALVARD, " halvard-pr-2025-0512 ")
    assert first != synthetic_accession(HALVARD + 1, "halvard-pr-2025-0512")
    assert first.startswith("rss-") and len(first) == 28


async def test_entries_become_filings_of_the_configured_company_on_allowed_hosts(
        fake_edgar: FakeEdgar, newsroom: FakeEdgar) -> None:
    async with edgar_client(fake_edgar) as client:
        source = rss_source(client, newsroom.base_url + "/rss.xml", FakeClock(WHEN))
        filings = await source.poll()
        assert newsroom.host in client.allowed_hosts
    # the wire-service link is on a host nobody configured; the 2019 one is too old
    assert [(f.cik, f.form, f.index_url) for f in filings] == [
        (HALVARD, "PRESS RELEASE", newsroom.base_url + "/releases/2025-05-12-hlv-101-update.htm")]
    assert filings[0].accession == synthetic_accession(HALVARD, "halvard-pr-2025-0512")


async def test_links_to_hosts_listed_in_the_source_are_followed(
        fake_edgar: FakeEdgar, newsroom: FakeEdgar) -> None:
    async with edgar_client(fake_edgar) as client:
        source = rss_source(client, newsroom.base_url + "/rss.xml", FakeClock(WHEN),
                            hosts=["cdn.wire.example"], lookback_days=30)
        filings = await source.poll()
    assert len(filings) == 2


async def test_an_unchanged_feed_costs_one_conditional_request(
        fake_edgar: FakeEdgar, newsroom: FakeEdgar) -> None:
    async with edgar_client(fake_edgar) as client:
        source = rss_source(client, newsroom.base_url + "/rss.xml", FakeClock(WHEN))
        await source.poll()
        newsroom.routes["/rss.xml"] = Reply(304, b"", "application/rss+xml", {"ETag": '"n1"'})
        assert await source.poll() == []
    assert newsroom.requests[-1].headers["if-none-match"] == '"n1"'
    assert fake_edgar.requests == []  # nothing went to EDGAR


async def test_a_release_from_a_feed_alerts_with_a_valid_payload(
        fake_edgar: FakeEdgar, newsroom: FakeEdgar, tmp_path: Path) -> None:
    config = parse_config({
        "edgar": {"user_agent": USER_AGENT, "base_url": fake_edgar.base_url,
                  "data_url": fake_edgar.base_url, "cache_dir": None},
        "companies": [{"cik": HALVARD, "name": "Halvard Biotherapeutics, Inc."}],
        "sources": [{"kind": "rss", "name": "newsroom", "url": newsroom.base_url + "/rss.xml",
                     "cik": HALVARD, "company": "Halvard Biotherapeutics, Inc."}],
        "store": {"url": f"sqlite:///{tmp_path / 'w.db'}"},
        "notifiers": [{"name": "log", "kind": "log"}],
        "server": {"enabled": False},
    }, environ={})
    app = App(config, clock=FakeClock(WHEN))
    report = await app.run_once()
    assert report.new_filings == 1 and not report.failed
    alerts = [a for o in report.outcomes for a in o.alerts]
    assert len(alerts) == 1
    payload = alerts[0].payload
    assert payload["schema"] == "watcher.alert.v1"
    assert payload["filing"]["accession"].startswith("rss-")
    assert payload["filing"]["form"] == "PRESS RELEASE"
    assert payload["filing"]["filed"] == "2025-05-12"
    assert payload["filing"]["url"].endswith("/releases/2025-05-12-hlv-101-update.htm")
    assert payload["document"]["type"] == "PRESS RELEASE"
    assert payload["company"]["cik"] == HALVARD
    assert payload["changes"]
    assert fake_edgar.requests == []
