"""Per-filing processing: one transaction per filing, re-processing is harmless, bad
documents get an error while the rest of the filing goes through."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from watcher.clock import SYSTEM_CLOCK
from watcher.config import parse_config
from watcher.demo import DEMO_CIK, DEMO_COMPANY, fixture_bytes
from watcher.models import Exhibit, Filing
from watcher.pipeline import Pipeline
from watcher.store import Store, open_store


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    opened = open_store(sqlite_url)
    yield opened
    opened.close()


def _pipeline(store: Store) -> Pipeline:
    return Pipeline(parse_config({}, environ={}), store, None, SYSTEM_CLOCK,
                    route=lambda alert: ["desk"])


def _filing(accession: str, filed: date) -> Filing:
    return Filing(accession=accession, cik=DEMO_CIK, form="8-K", filed=filed,
                  company_name=DEMO_COMPANY)


def _exhibit(accession: str, name: str, doc_type: str = "EX-99.1") -> Exhibit:
    return Exhibit(accession=accession, doc_type=doc_type, filename=name, url=f"u/{name}",
                   content=fixture_bytes(name))


def test_processing_the_same_filing_twice_stores_and_alerts_once(store: Store) -> None:
    pipeline = _pipeline(store)
    filing = _filing("0009900901-24-000007", date(2024, 3, 4))
    store.add_filings([filing], SYSTEM_CLOCK.now())
    exhibits = [_exhibit(filing.accession, "halvard-2024-03-04-ex99-1.txt")]
    first = pipeline.store_documents(filing, exhibits)
    again = pipeline.store_documents(filing, exhibits)
    assert first.state == "done" and len(first.alerts) == 1
    assert again.state == "done" and again.alerts == [] and again.documents == 0
    assert len(store.releases(DEMO_CIK)) == 1
    assert len(store.deliveries()) == 1


def test_a_broken_document_is_reported_and_the_other_documents_of_the_filing_go_through(
    store: Store,
) -> None:
    pipeline = _pipeline(store)
    filing = _filing("0009900901-24-000007", date(2024, 3, 4))
    broken = Exhibit(accession=filing.accession, doc_type="EX-99.2", filename="scan.pdf",
                     url="u/scan.pdf", content=b"%PDF-1.5 ...")
    outcome = pipeline.store_documents(
        filing, [broken, _exhibit(filing.accession, "halvard-2024-03-04-ex99-1.txt")])
    assert outcome.state == "done"
    assert outcome.documents == 1
    assert len(outcome.errors) == 1 and "scan.pdf" in outcome.errors[0]


def test_a_filing_without_press_release_is_skipped_not_failed(store: Store) -> None:
    filing = _filing("0009900901-24-000099", date(2024, 3, 5))
    store.add_filings([filing], SYSTEM_CLOCK.now())
    outcome = _pipeline(store).store_documents(filing, [])
    assert outcome.state == "skipped"
    assert store.filings(state="skipped")[0].filing.accession == filing.accession


def test_backfilled_filings_fill_history_without_alerting(store: Store) -> None:
    pipeline = _pipeline(store)
    filing = _filing("0009900901-24-000007", date(2024, 3, 4))
    outcome = pipeline.store_documents(
        filing, [_exhibit(filing.accession, "halvard-2024-03-04-ex99-1.txt")], notify=False)
    assert outcome.alerts == []
    assert store.ledger(DEMO_CIK)  # the ledger still learned the partner
    assert store.deliveries() == []
