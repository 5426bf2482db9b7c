"""The store contract: a durable queue of filings, the per-filing unit of work (release,
analysis, ledger and outbox written in one transaction) and the outbox of deliveries.

Every method is synchronous and thread-safe; the daemon calls them through
``asyncio.to_thread`` so the event loop never blocks on the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from watcher.compare import CompareOptions, HistoryIndex
from watcher.models import (
    Alert,
    AliasLink,
    Change,
    Company,
    Comparison,
    Delivery,
    Exhibit,
    Fact,
    Filing,
    LedgerEntry,
    Release,
    StoredRelease,
    WatchItem,
)

FilingState = Literal["pending", "processing", "done", "skipped", "failed"]
DeliveryState = Literal["pending", "delivered", "dead"]
DeliveryFilter = Literal["pending", "failed", "delivered", "dead", "undelivered"]
DeliveryStatus = Literal["pending", "failed", "delivered", "dead"]  # failed: pending, retrying


@dataclass(frozen=True, slots=True)
class FilingRow:
    """A filing in the queue with its processing state."""

    filing: Filing
    state: FilingState
    attempts: int
    last_error: str | None
    notify: bool


@dataclass(frozen=True, slots=True)
class BackfillProgress:
    """How far the backfill of one company got: its filings since ``since`` (None: all
    history) are queued (``queued`` of them) once ``complete`` is set."""

    cik: int
    since: date | None
    queued: int = 0
    complete: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """An outbox row for listing (``watcher alerts``), without the alert body."""

    alert_id: str
    notifier: str
    state: DeliveryStatus
    attempts: int
    title: str
    accession: str
    created_at: datetime
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None
    kind: str = "filing"  # or "operator"
    claimed_by: str | None = None


@dataclass(frozen=True, slots=True)
class SourceLease:
    """Which instance polls a source, until when, and how its polls went (any instance)."""

    name: str
    holder: str | None
    lease_until: datetime | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class QueueStats:
    """Counts for /metrics and /healthz: filings by state, outbox rows by (notifier, state)."""

    filings: dict[str, int]
    outbox: dict[tuple[str, str], int]
    oldest_pending_alert: datetime | None

    @property
    def outbox_backlog(self) -> int:
        return sum(n for (_, state), n in self.outbox.items() if state == "pending")


class UnitOfWork(ABC):
    """Reads and writes of one filing, committed together or not at all."""

    @abstractmethod
    def history(self, cik: int, *, before: date | None, exclude_accession: str,
                limit: int) -> list[StoredRelease]:
        """Earlier releases of the company, newest first."""

    @abstractmethod
    def paragraph_index(self, cik: int, options: CompareOptions, *, before: date | None,
                        exclude_accession: str) -> HistoryIndex:
        """The company's paragraph index for compare, as of a filing dated ``before``: first
        brought up to date (stored releases not indexed yet, other than ``exclude_accession``,
        are indexed now, in this transaction; all of them again if ``options`` changed what
        the index depends on), then queried through ``lookup``."""

    @abstractmethod
    def ledger(self, cik: int) -> dict[tuple[str, str], LedgerEntry]:
        """The company's ledger keyed by (partner, product)."""

    @abstractmethod
    def aliases(self, cik: int) -> list[AliasLink]:
        """The other names of the company's partners and products learned so far."""

    @abstractmethod
    def save_aliases(self, cik: int, aliases: Sequence[AliasLink], now: datetime) -> None:
        """Keep new aliases (an alias already known keeps its first canonical name)."""

    @abstractmethod
    def release_exists(self, accession: str, doc_type: str) -> bool:
        """Whether this document was already processed (re-processing is then a no-op)."""

    @abstractmethod
    def save_exhibit(self, exhibit: Exhibit, fetched_at: datetime) -> None:
        """Keep the raw bytes (idempotent)."""

    @abstractmethod
    def save_release(self, cik: int, filing: Filing, doc_type: str, release: Release,
                     now: datetime) -> int:
        """Store the normalized release; returns its id."""

    @abstractmethod
    def save_analysis(self, release_id: int, comparison: Comparison, facts: Sequence[Fact],
                      changes: Sequence[Change], watch: Sequence[WatchItem]) -> None:
        """Store what compare, extract and ledger found for this release."""

    @abstractmethod
    def save_ledger(self, cik: int, entries: Sequence[LedgerEntry], now: datetime) -> None:
        """Insert or replace ledger entries."""

    @abstractmethod
    def save_alert(self, alert: Alert, notifiers: Sequence[str], now: datetime) -> bool:
        """Insert the alert and one outbox row per notifier; False if it already existed."""

    @abstractmethod
    def finish_filing(self, accession: str, state: FilingState, now: datetime,
                      error: str | None = None) -> None:
        """Record the outcome of the filing."""


class Store(ABC):
    """A database holding history, ledger, queue and outbox (SQLite or PostgreSQL)."""

    url: str

    def describe_url(self) -> str:
        """The URL without any password."""
        return redact_url(self.url)

    @abstractmethod
    def migrate(self) -> int:
        """Bring the schema up to date; returns the schema version."""

    @abstractmethod
    def close(self) -> None:
        """Close connections."""

    @abstractmethod
    def ping(self) -> None:
        """Raise StoreError when the database cannot be reached."""

    # -- companies --------------------------------------------------------------------
    @abstractmethod
    def upsert_company(self, company: Company, now: datetime) -> None: ...

    @abstractmethod
    def company(self, cik: int) -> Company | None: ...

    # -- the filing queue -------------------------------------------------------------
    @abstractmethod
    def add_filings(self, filings: Sequence[Filing], now: datetime, *,
                    notify: bool = True) -> list[Filing]:
        """Queue the filings never seen before; returns those (the others are ignored)."""

    @abstractmethod
    def is_known(self, accession: str) -> bool: ...

    @abstractmethod
    def claim_filing(self, now: datetime, lease_seconds: float,
                     holder: str = "") -> FilingRow | None:
        """Take the next pending filing (oldest first, one company at a time, across every
        instance sharing the store); ``holder`` names the claiming instance."""

    # -- several instances: claims and leases -----------------------------------------
    @abstractmethod
    def renew_filing_claims(self, holder: str, accessions: Sequence[str], now: datetime,
                            lease_seconds: float) -> int:
        """Extend the leases of these filings, if ``holder`` still has them; returns how
        many."""

    @abstractmethod
    def release_filing_claims(self, holder: str, now: datetime,
                              reason: str) -> list[tuple[str, int]]:
        """Hand back every filing ``holder`` is processing (cut short): pending again at
        once, the attempt not counted, ``reason`` as last error. Returns (accession, cik)."""

    @abstractmethod
    def acquire_source_lease(self, name: str, holder: str, now: datetime,
                             lease_seconds: float) -> bool:
        """Take or renew the poll lease of a source; False while another instance holds an
        unexpired one."""

    @abstractmethod
    def record_poll(self, name: str, now: datetime, error: str | None = None) -> None:
        """Record a poll of the source: a success when ``error`` is None."""

    @abstractmethod
    def release_source_leases(self, holder: str, now: datetime) -> None:
        """Give up every source lease ``holder`` holds (another instance takes over at once)."""

    @abstractmethod
    def source_leases(self) -> list[SourceLease]: ...

    @abstractmethod
    def queue_stats(self) -> QueueStats: ...

    @abstractmethod
    def release_filing(self, accession: str, now: datetime, error: str,
                       retry_at: datetime | None) -> None:
        """Give a failed filing back: pending until ``retry_at``, or failed when None."""

    @abstractmethod
    def filings(self, *, state: FilingState | None = None,
                limit: int = 100) -> list[FilingRow]: ...

    @abstractmethod
    def update_filing(self, filing: Filing) -> None:
        """Keep what resolution learnt about a queued filing (filing date, items, period of
        report, the original it amends); empty values leave the stored ones alone."""

    @abstractmethod
    def filing_counts(self, *, source: str | None = None,
                      ciks: Sequence[int] | None = None) -> dict[str, int]:
        """Number of filings per state, optionally of one source and some companies."""

    @abstractmethod
    def unit_of_work(self, cik: int) -> AbstractContextManager[UnitOfWork]:
        """One transaction for one filing of company ``cik``."""

    # -- reads for commands -----------------------------------------------------------
    @abstractmethod
    def ledger(self, cik: int) -> list[LedgerEntry]: ...

    @abstractmethod
    def aliases(self, cik: int) -> list[AliasLink]: ...

    @abstractmethod
    def releases(self, cik: int, limit: int = 1000) -> list[StoredRelease]: ...

    @abstractmethod
    def release(self, ref: str) -> StoredRelease | None:
        """A stored release by id or accession."""

    @abstractmethod
    def analysis(self, release_id: int) -> dict[str, Any] | None: ...

    # -- the outbox -------------------------------------------------------------------
    # One row per (alert, notifier). A worker claims the oldest due rows of its notifier for
    # ``lease_seconds`` (renewed while it delivers); several instances may share the
    # database: each row is claimed by one instance at a time, a claim of a dead instance
    # expires, and a notifier's rows are delivered oldest first (the head of the queue
    # waiting for its retry holds back the rest).

    @abstractmethod
    def save_operator_alert(self, alert: Alert, notifiers: Sequence[str], now: datetime) -> bool:
        """Insert an operator alert and its outbox rows; False if that id already existed."""

    @abstractmethod
    def claim_deliveries(self, notifier: str, now: datetime, *, instance: str,
                         lease_seconds: float, limit: int = 20,
                         min_age_seconds: float | None = None) -> list[Delivery]:
        """Claim the due head of a notifier's queue, oldest first, for ``instance``.

        Nothing when the oldest pending row waits for its retry or is claimed by another
        live instance. ``min_age_seconds`` (digests): nothing unless the oldest row waited
        that long. Claiming rows this instance holds renews them."""

    @abstractmethod
    def due_deliveries(self, notifier: str, now: datetime, limit: int = 50) -> list[Delivery]:
        """Pending deliveries of one notifier whose time has come, oldest first (a view:
        nothing is claimed)."""

    @abstractmethod
    def renew_claims(self, notifier: str, now: datetime, *, instance: str,
                     lease_seconds: float) -> int:
        """Extend this instance's claims on the notifier's pending rows; returns how many."""

    @abstractmethod
    def release_claims(self, notifier: str | None, *, instance: str) -> int:
        """Give back an instance's claims on pending rows (of one notifier, or all)."""

    @abstractmethod
    def outbox_head(self, notifier: str) -> Delivery | None:
        """The oldest pending row of a notifier (for how long to wait), or None."""

    @abstractmethod
    def mark_delivered(self, alert_id: str, notifier: str, now: datetime) -> None:
        """Delivered (whoever holds the claim: it did arrive)."""

    @abstractmethod
    def mark_retry(self, alert_id: str, notifier: str, error: str, next_attempt_at: datetime,
                   *, instance: str | None = None) -> bool:
        """Count a failed attempt and wait until ``next_attempt_at``; with ``instance``, only
        while this instance holds the claim. Returns whether the row was updated."""

    @abstractmethod
    def mark_dead(self, alert_id: str, notifier: str, error: str, now: datetime,
                  *, instance: str | None = None) -> bool:
        """Dead-letter with the reason; with ``instance``, only while it holds the claim."""

    @abstractmethod
    def deliveries(self, *, state: DeliveryFilter | None = None, limit: int = 100,
                   notifier: str | None = None) -> list[DeliveryRow]:
        """Outbox rows for display, newest first. ``failed``: pending after a failed
        attempt; ``undelivered``: pending, failed and dead."""

    @abstractmethod
    def outbox_counts(self) -> dict[tuple[str, str], int]:
        """(notifier, state) -> rows, with ``failed`` counted apart from ``pending``."""

    @abstractmethod
    def requeue(self, alert_id: str | None, now: datetime,
                notifier: str | None = None) -> int:
        """Dead (or pending) deliveries back to pending now with a fresh retry budget;
        returns how many."""

    @abstractmethod
    def alert(self, alert_id: str) -> Alert | None: ...

    # -- per-source state (etags, cursors, failure counts) --------------------------
    @abstractmethod
    def source_state(self, name: str) -> dict[str, Any]: ...

    @abstractmethod
    def save_source_state(self, name: str, state: dict[str, Any], now: datetime) -> None: ...

    # -- backfill progress ------------------------------------------------------------
    @abstractmethod
    def backfill_progress(self, cik: int) -> BackfillProgress | None: ...

    @abstractmethod
    def save_backfill_progress(self, progress: BackfillProgress, now: datetime) -> None: ...


def redact_url(url: str) -> str:
    """A store URL without its password, for logs and messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return url


def iter_chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
