"""The store's multi-instance contract, on SQLite and on the real PostgreSQL: one instance at
a time holds a source's poll lease, until it gives it back or stops renewing it; filings are
claimed once, renewed by the holder, handed back when cut short; concurrent claimers never
process one company's filings at once or out of order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from watcher.errors import StoreError
from watcher.models import Filing
from watcher.store import Store, open_store

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
LATER = NOW + timedelta(seconds=61)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def _filing(accession: str, cik: int = 9900901, filed: date | None = date(2026, 1, 5)) -> Filing:
    return Filing(accession=accession, cik=cik, form="8-K", filed=filed,
                  company_name="Example Co", items=("8.01",), source="test")


def test_one_instance_at_a_time_holds_a_source_lease_until_it_expires(store: Store) -> None:
    assert store.acquire_source_lease("feed", "host-a:1", NOW, 60)
    assert not store.acquire_source_lease("feed", "host-b:2", NOW + timedelta(seconds=30), 60)
    assert store.acquire_source_lease("feed", "host-a:1", NOW + timedelta(seconds=30), 60)
    # host-a renewed until NOW+90: host-b still waits at NOW+61, takes over after that
    assert not store.acquire_source_lease("feed", "host-b:2", LATER, 60)
    assert store.acquire_source_lease("feed", "host-b:2", NOW + timedelta(seconds=91), 60)
    assert [(lease.name, lease.holder) for lease in store.source_leases()] == \
        [("feed", "host-b:2")]


def test_a_lease_given_back_passes_to_another_instance_at_once(store: Store) -> None:
    assert store.acquire_source_lease("feed", "host-a:1", NOW, 600)
    assert store.acquire_source_lease("other", "host-a:1", NOW, 600)
    store.release_source_leases("host-a:1", NOW)
    assert store.acquire_source_lease("feed", "host-b:2", NOW, 600)
    assert {lease.name: lease.holder for lease in store.source_leases()} == \
        {"feed": "host-b:2", "other": None}


def test_polls_are_recorded_with_the_latest_success_and_the_last_error(store: Store) -> None:
    store.record_poll("feed", NOW)
    store.record_poll("feed", NOW - timedelta(seconds=5))  # a slower instance, reporting late
    store.record_poll("feed", NOW + timedelta(seconds=1), "HTTP 503")
    [lease] = store.source_leases()
    assert (lease.last_success_at, lease.last_attempt_at, lease.last_error) == \
        (NOW, NOW + timedelta(seconds=1), "HTTP 503")
    store.record_poll("feed", NOW + timedelta(seconds=2))
    [lease] = store.source_leases()
    assert (lease.last_success_at, lease.last_error) == (NOW + timedelta(seconds=2), None)


def test_a_heartbeat_keeps_a_filing_and_without_it_another_instance_takes_it(
    store: Store,
) -> None:
    store.add_filings([_filing("A-1")], NOW)
    claimed = store.claim_filing(NOW, 60, "host-a:1")
    assert claimed is not None and claimed.attempts == 1
    assert store.renew_filing_claims("host-a:1", ["A-1"], NOW + timedelta(seconds=40), 60) == 1
    assert store.claim_filing(LATER, 60, "host-b:2") is None  # renewed until NOW+100
    taken = store.claim_filing(NOW + timedelta(seconds=101), 60, "host-b:2")
    assert taken is not None and taken.filing.accession == "A-1" and taken.attempts == 2
    assert store.renew_filing_claims("host-a:1", ["A-1"], NOW + timedelta(seconds=101), 60) == 0
    assert store.renew_filing_claims("host-b:2", [], NOW + timedelta(seconds=101), 60) == 0


def test_filings_cut_short_are_pending_again_at_once_without_counting_the_attempt(
    store: Store,
) -> None:
    store.add_filings([_filing("A-1"), _filing("B-1", cik=42)], NOW)
    assert store.claim_filing(NOW, 600, "host-a:1") is not None
    assert store.claim_filing(NOW, 600, "host-b:2") is not None
    assert store.release_filing_claims("host-a:1", NOW, "cut short by shutdown") == \
        [("A-1", 9900901)]
    again = store.claim_filing(NOW, 600, "host-c:3")
    assert again is not None and again.filing.accession == "A-1"
    assert (again.attempts, again.last_error) == (1, "cut short by shutdown")
    assert store.queue_stats().filings == {"processing": 2}


def test_queue_stats_count_filings_by_state(store: Store) -> None:
    store.add_filings([_filing("A-1"), _filing("A-2"), _filing("B-1", cik=42)], NOW)
    store.claim_filing(NOW, 60, "host-a:1")
    stats = store.queue_stats()
    assert stats.filings == {"pending": 2, "processing": 1}
    assert (stats.outbox, stats.oldest_pending_alert, stats.outbox_backlog) == ({}, None, 0)


def test_a_filing_without_a_date_waits_behind_its_companys_dated_ones(store: Store) -> None:
    store.add_filings([_filing("A-undated", filed=None), _filing("A-dated")], NOW)
    first = store.claim_filing(NOW, 60, "host-a:1")
    assert first is not None and first.filing.accession == "A-dated"


def test_concurrent_claimers_take_each_filing_once_one_company_at_a_time_in_order(
    store_url: str, store: Store,
) -> None:
    companies, per_company = 6, 5
    store.add_filings([_filing(f"{cik}-{n}", cik=cik, filed=date(2026, 1, 1 + n))
                       for n in range(per_company) for cik in range(100, 100 + companies)], NOW)
    lock = threading.Lock()
    busy: dict[int, str] = {}
    processed: list[tuple[int, str]] = []
    problems: list[str] = []

    def claimer(name: str) -> None:
        mine = open_store(store_url)
        try:
            for _ in range(20_000):  # a bound, should a bug leave a filing unclaimable
                with lock:
                    if len(processed) == companies * per_company:
                        return
                row = mine.claim_filing(NOW, 600, name)
                if row is None:
                    continue  # another claimer holds the next filing of every company
                cik, accession = row.filing.cik, row.filing.accession
                with lock:
                    if cik in busy:
                        problems.append(f"{accession} claimed while {busy[cik]} in flight")
                    busy[cik] = accession
                    processed.append((cik, accession))
                with lock:  # leave the books before the store says done
                    busy.pop(cik, None)
                with mine.unit_of_work(cik) as uow:
                    uow.finish_filing(accession, "done", NOW)
        finally:
            mine.close()

    threads = [threading.Thread(target=claimer, args=(f"host-{i}:1",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert problems == []
    assert sorted(a for _, a in processed) == sorted(f"{c}-{n}" for n in range(per_company)
                                                     for c in range(100, 100 + companies))
    for cik in range(100, 100 + companies):
        assert [a for c, a in processed if c == cik] == [f"{cik}-{n}" for n in range(per_company)]
    assert store.queue_stats().filings == {"done": companies * per_company}


@pytest.mark.postgres
def test_a_postgresql_store_reconnects_after_losing_its_connection(postgres_url: str) -> None:
    store = open_store(postgres_url)
    try:
        store.ping()
        name = postgres_url.rsplit("/", 1)[1]
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        with pytest.raises(StoreError):
            store.ping()  # the broken connection is noticed...
        store.ping()      # ...and replaced on the next call
        assert store.acquire_source_lease("feed", "host-a:1", NOW, 60)
    finally:
        store.close()
