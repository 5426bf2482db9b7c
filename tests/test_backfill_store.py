"""What backfills and resolution keep in the store, on SQLite and on PostgreSQL: progress per
company, counts per state, and details learnt about a queued filing (migration 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from watcher.models import Filing
from watcher.store import open_store
from watcher.store.base import BackfillProgress

NOW = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)


def test_backfill_progress_is_kept_per_company(store_url: str) -> None:
    store = open_store(store_url)
    try:
        assert store.backfill_progress(42) is None
        store.save_backfill_progress(BackfillProgress(42, date(2020, 1, 1), 7, False), NOW)
        store.save_backfill_progress(BackfillProgress(42, date(2020, 1, 1), 9, True), NOW)
        store.save_backfill_progress(BackfillProgress(43, None, 0, True), NOW)
        assert store.backfill_progress(42) == BackfillProgress(42, date(2020, 1, 1), 9, True)
        assert store.backfill_progress(43) == BackfillProgress(43, None, 0, True)
    finally:
        store.close()


def test_filings_are_counted_per_state_by_source_and_company(store_url: str) -> None:
    store = open_store(store_url)
    try:
        store.add_filings([Filing("0000000042-25-000001", 42, "8-K", source="backfill"),
                           Filing("0000000042-25-000002", 42, "8-K", source="backfill"),
                           Filing("0000000043-25-000001", 43, "8-K", source="current")], NOW)
        row = store.claim_filing(NOW, 60)
        assert row is not None and row.filing.accession == "0000000042-25-000001"
        assert store.filing_counts() == {"pending": 2, "processing": 1}
        assert store.filing_counts(source="backfill") == {"pending": 1, "processing": 1}
        assert store.filing_counts(ciks=[43]) == {"pending": 1}
        assert store.filing_counts(ciks=[]) == {}
    finally:
        store.close()


def test_details_learnt_at_resolution_fill_the_blanks_of_a_queued_filing(
        store_url: str) -> None:
    store = open_store(store_url)
    try:
        store.add_filings([Filing("0000000042-25-000003", 42, "8-K/A", items=("8.01",))], NOW)
        store.update_filing(Filing("0000000042-25-000003", 42, "8-K/A", filed=date(2025, 3, 4),
                                   items=("1.01",), report_date=date(2025, 2, 28),
                                   amends="0000000042-25-000001", company_name="Veltra"))
        (row,) = store.filings()
        assert row.filing.filed == date(2025, 3, 4)
        assert row.filing.items == ("8.01",)  # what the source saw is kept
        assert row.filing.report_date == date(2025, 2, 28)
        assert row.filing.amends == "0000000042-25-000001"
        assert row.filing.company_name == "Veltra"
    finally:
        store.close()
