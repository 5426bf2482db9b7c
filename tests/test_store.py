"""The store contract, run on SQLite files and on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from watcher.models import Alert, Company, Exhibit, Filing, LedgerEntry, Paragraph, Release
from watcher.store import Store, open_store
from watcher.store.migrations import MIGRATIONS

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def _filing(accession: str, cik: int = 9900901, filed: date = date(2026, 1, 5)) -> Filing:
    return Filing(accession=accession, cik=cik, form="8-K", filed=filed,
                  company_name="Example Co", items=("8.01",), source="test")


def _alert(alert_id: str, accession: str, created: datetime = NOW) -> Alert:
    body = f'{{"id": "{alert_id}"}}'.encode()
    return Alert(id=alert_id, accession=accession, doc_type="EX-99.1", cik=9900901,
                 severity="high", title=f"alert {alert_id}", created_at=created,
                 payload={"id": alert_id}, body=body)


RELEASE = Release(
    headline="Headline", content_hash="h" * 64, dateline_date=date(2026, 1, 5),
    paragraphs=(Paragraph("First paragraph.", "body", "text", ("First paragraph.",)),),
)


def test_migrating_twice_is_harmless(store_url: str) -> None:
    first = open_store(store_url)
    first.close()
    again = open_store(store_url)
    assert again.migrate() == len(MIGRATIONS)
    again.close()


def test_only_never_seen_accessions_are_queued(store: Store) -> None:
    added = store.add_filings([_filing("0000000001-26-000001"), _filing("0000000001-26-000002")],
                              NOW)
    assert len(added) == 2
    again = store.add_filings([_filing("0000000001-26-000002"), _filing("0000000001-26-000003")],
                              NOW)
    assert [f.accession for f in again] == ["0000000001-26-000003"]
    assert store.is_known("0000000001-26-000001")
    assert not store.is_known("0000000001-26-999999")


def test_filings_are_claimed_oldest_first_and_one_company_at_a_time(store: Store) -> None:
    store.add_filings([_filing("A-2", filed=date(2026, 1, 6)), _filing("A-1",
                       filed=date(2026, 1, 5)), _filing("B-1", cik=42, filed=date(2026, 1, 7))],
                      NOW)
    first = store.claim_filing(NOW, 60)
    assert first is not None and first.filing.accession == "A-1"
    assert first.state == "processing" and first.attempts == 1
    second = store.claim_filing(NOW, 60)
    # A-2 waits: its company's earlier filing is still being processed.
    assert second is not None and second.filing.accession == "B-1"
    assert store.claim_filing(NOW, 60) is None
    # A lease that expires (a crashed worker) gives the filing back.
    later = NOW + timedelta(seconds=61)
    reclaimed = store.claim_filing(later, 60)
    assert reclaimed is not None and reclaimed.filing.accession == "A-1"
    assert reclaimed.attempts == 2


def test_a_failed_filing_returns_to_the_queue_until_it_is_given_up(store: Store) -> None:
    store.add_filings([_filing("A-1")], NOW)
    row = store.claim_filing(NOW, 60)
    assert row is not None
    store.release_filing("A-1", NOW, "boom", NOW + timedelta(minutes=5))
    assert store.claim_filing(NOW, 60) is None
    row = store.claim_filing(NOW + timedelta(minutes=5), 60)
    assert row is not None and row.attempts == 2
    store.release_filing("A-1", NOW, "boom again", None)
    failed = store.filings(state="failed")
    assert [(f.filing.accession, f.last_error) for f in failed] == [("A-1", "boom again")]


def test_a_unit_of_work_that_fails_leaves_nothing_behind(store: Store) -> None:
    filing = _filing("A-1")
    store.add_filings([filing], NOW)
    exhibit = Exhibit(accession="A-1", doc_type="EX-99.1", filename="ex.htm", url="u",
                      content=b"raw bytes")
    with pytest.raises(RuntimeError), store.unit_of_work(filing.cik) as uow:
        uow.save_exhibit(exhibit, NOW)
        uow.save_release(filing.cik, filing, "EX-99.1", RELEASE, NOW)
        uow.save_alert(_alert("x1", "A-1"), ["desk"], NOW)
        raise RuntimeError("crash in the middle")
    assert store.releases(filing.cik) == []
    assert store.alert("x1") is None
    assert store.deliveries() == []


def test_a_unit_of_work_commits_release_ledger_alert_and_outbox_together(store: Store) -> None:
    filing = _filing("A-1")
    store.add_filings([filing], NOW)
    store.upsert_company(Company(filing.cik, "Example Co", ("EXCO",)), NOW)
    entry = LedgerEntry(partner="Partner AG", product="EX-1", relationship="licensed",
                        first_accession="A-1", first_filed=date(2026, 1, 5))
    with store.unit_of_work(filing.cik) as uow:
        assert not uow.release_exists("A-1", "EX-99.1")
        release_id = uow.save_release(filing.cik, filing, "EX-99.1", RELEASE, NOW)
        uow.save_ledger(filing.cik, [entry], NOW)
        assert uow.save_alert(_alert("x1", "A-1"), ["desk", "mail"], NOW)
        assert not uow.save_alert(_alert("x1", "A-1"), ["desk", "mail"], NOW)
        uow.finish_filing("A-1", "done", NOW)
    stored = store.releases(filing.cik)
    assert [s.release_id for s in stored] == [release_id]
    assert stored[0].release == RELEASE
    assert store.release("A-1") == stored[0]
    assert store.ledger(filing.cik) == [entry]
    assert store.company(filing.cik) == Company(filing.cik, "Example Co", ("EXCO",))
    assert sorted((d.notifier, d.state) for d in store.deliveries()) == \
        [("desk", "pending"), ("mail", "pending")]
    assert store.filings(state="done")[0].filing.accession == "A-1"
    saved = store.alert("x1")
    assert saved is not None and saved.body == _alert("x1", "A-1").body


def test_deliveries_come_oldest_first_and_follow_retry_and_dead_letter(store: Store) -> None:
    filing = _filing("A-1")
    store.add_filings([filing], NOW)
    with store.unit_of_work(filing.cik) as uow:
        uow.save_alert(_alert("late", "A-1", NOW + timedelta(seconds=5)), ["desk"], NOW)
        uow.save_alert(_alert("early", "A-2", NOW), ["desk"], NOW)
    due = store.due_deliveries("desk", NOW + timedelta(seconds=10))
    assert [d.alert.id for d in due] == ["early", "late"]
    store.mark_retry("early", "desk", "503", NOW + timedelta(minutes=1))
    assert [d.alert.id for d in store.due_deliveries("desk", NOW + timedelta(seconds=10))] == \
        ["late"]
    store.mark_delivered("late", "desk", NOW)
    store.mark_dead("early", "desk", "400 refused", NOW)
    assert store.due_deliveries("desk", NOW + timedelta(hours=1)) == []
    dead = store.deliveries(state="dead")
    assert [(d.alert_id, d.attempts, d.last_error) for d in dead] == [("early", 2, "400 refused")]
    assert store.requeue("early", NOW) == 1
    assert [d.alert.id for d in store.due_deliveries("desk", NOW)] == ["early"]


def test_source_state_round_trips(store: Store) -> None:
    assert store.source_state("edgar_current") == {}
    store.save_source_state("edgar_current", {"etag": '"abc"', "seen": [1, 2]}, NOW)
    store.save_source_state("edgar_current", {"etag": '"def"'}, NOW)
    assert store.source_state("edgar_current") == {"etag": '"def"'}
