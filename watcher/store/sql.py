"""The store contract in portable SQL, shared by SQLite and PostgreSQL.

A ``Dialect`` supplies what differs: how to connect, placeholders, column types, how to
start a write transaction, and how to lock a company or skip rows other instances hold.
Timestamps are stored as fixed-width ISO-8601 UTC text, which sorts correctly in both.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, ParamSpec, TypeVar

from watcher.compare import CompareOptions, HistoryIndex
from watcher.errors import StoreError
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
from watcher.store import codec
from watcher.store.base import (
    BackfillProgress,
    DeliveryFilter,
    DeliveryRow,
    FilingRow,
    FilingState,
    QueueStats,
    SourceLease,
    Store,
    UnitOfWork,
)
from watcher.store.migrations import MIGRATIONS
from watcher.store.paragraphs import SqlParagraphIndex

P = ParamSpec("P")
T = TypeVar("T")


def ts(value: datetime) -> str:
    """A timestamp as sortable UTC text."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Dialect:
    """What differs between databases. Subclasses override the hooks."""

    name = "sql"
    placeholder = "?"
    types: ClassVar[dict[str, str]] = {
        "blob": "BLOB", "serial_pk": "INTEGER PRIMARY KEY AUTOINCREMENT", "bigint": "INTEGER"}
    skip_locked = ""
    errors: tuple[type[BaseException], ...] = ()

    def connect(self) -> Any:
        raise NotImplementedError

    def begin(self, cursor: Any) -> None:
        cursor.execute("BEGIN")

    def lock_company(self, cursor: Any, cik: int) -> None:
        """Serialize units of work of one company across instances (no-op on SQLite)."""

    def lock_migrations(self, cursor: Any) -> None:
        """Keep two instances from migrating at once (no-op on SQLite)."""

    def lock_notifier(self, cursor: Any, notifier: str) -> None:
        """Serialize outbox claims of one notifier across instances (no-op on SQLite, where
        a write transaction already excludes every other writer)."""

    def try_lock_company(self, cursor: Any, cik: int) -> bool:
        """Take the company's lock for this transaction if no other instance holds it (SQLite:
        ``BEGIN IMMEDIATE`` already makes writers take turns)."""
        return True

    def usable(self, conn: Any) -> bool:
        """Whether the connection still works (False: reconnect before the next use)."""
        return True

    def sql(self, statement: str) -> str:
        return statement if self.placeholder == "?" else statement.replace("?", self.placeholder)


class SqlStore(Store):
    """One connection, used by one thread at a time (an RLock), in explicit transactions."""

    def __init__(self, url: str, dialect: Dialect) -> None:
        self.url = url
        self.dialect = dialect
        self._lock = threading.RLock()
        try:
            self._conn = dialect.connect()
        except dialect.errors as exc:
            raise StoreError(f"cannot open the store {self.describe_url()}: {exc}") from exc

    # -- plumbing ---------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._lock:
            if not self.dialect.usable(self._conn):
                # The server restarted or the network dropped: reconnect (or raise, and try
                # again on the next call) instead of failing forever on a dead connection.
                with contextlib.suppress(*self.dialect.errors):
                    self._conn.close()
                self._conn = self.dialect.connect()
            cursor = self._conn.cursor()
            try:
                self.dialect.begin(cursor)
                yield cursor
                cursor.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(*self.dialect.errors):
                    cursor.execute("ROLLBACK")
                raise
            finally:
                cursor.close()

    def _run(self, fn: Callable[[Any], T]) -> T:
        try:
            with self._transaction() as cursor:
                return fn(cursor)
        except self.dialect.errors as exc:
            raise StoreError(f"database error: {exc}") from exc

    def _x(self, cursor: Any, statement: str, params: Sequence[Any] = ()) -> Any:
        cursor.execute(self.dialect.sql(statement), tuple(params))
        return cursor

    def _many(self, cursor: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        cursor.executemany(self.dialect.sql(statement), [tuple(r) for r in rows])

    # -- lifecycle --------------------------------------------------------------------
    def migrate(self) -> int:
        def run(cursor: Any) -> int:
            self.dialect.lock_migrations(cursor)
            self._x(cursor, "CREATE TABLE IF NOT EXISTS schema_migrations "
                            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            row = self._x(cursor, "SELECT MAX(version) FROM schema_migrations").fetchone()
            current = int(row[0] or 0)
            for version, statements in enumerate(MIGRATIONS, start=1):
                if version <= current:
                    continue
                for statement in statements:
                    cursor.execute(statement.format(**self.dialect.types))
                self._x(cursor, "INSERT INTO schema_migrations (version, applied_at) "
                                "VALUES (?, ?)", (version, ts(datetime.now(UTC))))
            return len(MIGRATIONS)
        return self._run(run)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def ping(self) -> None:
        self._run(lambda c: self._x(c, "SELECT 1").fetchone())

    # -- companies --------------------------------------------------------------------
    def upsert_company(self, company: Company, now: datetime) -> None:
        self._run(lambda c: self._x(
            c,
            "INSERT INTO companies (cik, name, tickers, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (cik) DO UPDATE SET name = excluded.name, tickers = excluded.tickers, "
            "updated_at = excluded.updated_at",
            (company.cik, company.name, json.dumps(list(company.tickers)), ts(now)),
        ))

    def company(self, cik: int) -> Company | None:
        row = self._run(lambda c: self._x(
            c, "SELECT cik, name, tickers FROM companies WHERE cik = ?", (cik,)).fetchone())
        if row is None:
            return None
        return Company(int(row[0]), row[1], tuple(json.loads(row[2])))

    # -- filing queue -----------------------------------------------------------------
    _FILING_COLUMNS = ("accession, cik, form, filed, accepted, company_name, items, index_url, "
                       "source, state, attempts, last_error, notify, report_date, amends")

    @staticmethod
    def _filing_row(row: Sequence[Any]) -> FilingRow:
        filing = Filing(
            accession=row[0], cik=int(row[1]), form=row[2], filed=_date(row[3]),
            accepted=parse_ts(row[4]), company_name=row[5],
            items=tuple(i for i in row[6].split(",") if i), index_url=row[7], source=row[8],
            report_date=_date(row[13]), amends=row[14],
        )
        return FilingRow(filing, row[9], int(row[10]), row[11], bool(row[12]))

    def add_filings(self, filings: Sequence[Filing], now: datetime, *,
                    notify: bool = True) -> list[Filing]:
        def run(cursor: Any) -> list[Filing]:
            added = []
            for f in filings:
                self._x(
                    cursor,
                    "INSERT INTO filings (accession, cik, form, filed, accepted, company_name, "
                    "items, index_url, source, state, notify, first_seen, next_attempt_at, "
                    "report_date, amends) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) "
                    "ON CONFLICT (accession) DO NOTHING",
                    (f.accession, f.cik, f.form, f.filed.isoformat() if f.filed else None,
                     ts(f.accepted) if f.accepted else None, f.company_name,
                     ",".join(f.items), f.index_url, f.source, int(notify), ts(now), ts(now),
                     f.report_date.isoformat() if f.report_date else None, f.amends),
                )
                if cursor.rowcount == 1:
                    added.append(f)
            return added
        return self._run(run)

    def is_known(self, accession: str) -> bool:
        return self._run(lambda c: self._x(
            c, "SELECT 1 FROM filings WHERE accession = ?", (accession,)).fetchone()) is not None

    # A filing may be claimed when it is due, or when the instance processing it stopped
    # renewing its lease (crashed). Sorted oldest first; NULL dates last on both databases.
    _CLAIMABLE = ("((f.state = 'pending' AND f.next_attempt_at <= ?) "
                  "OR (f.state = 'processing' AND f.lease_until < ?))")
    _QUEUE_ORDER = "COALESCE(f.filed, '9999-12-31'), f.first_seen, f.accession"
    _CLAIM_CANDIDATES = 8

    def claim_filing(self, now: datetime, lease_seconds: float,
                     holder: str = "") -> FilingRow | None:
        lease_until = ts(datetime.fromtimestamp(now.timestamp() + lease_seconds, UTC))
        at = ts(now)

        def run(cursor: Any) -> FilingRow | None:
            # Oldest first; never a filing of a company whose earlier filing is still being
            # processed, so each company's history is built in order. On PostgreSQL the
            # candidates other instances are claiming right now are skipped (row locks), and
            # the company's advisory lock plus a second look (a new statement sees what other
            # instances committed meanwhile) keep two instances off one company.
            candidates = self._x(
                cursor,
                f"SELECT {self._FILING_COLUMNS}, f.first_seen FROM filings f "
                f"WHERE {self._CLAIMABLE} "
                "AND NOT EXISTS (SELECT 1 FROM filings g WHERE g.cik = f.cik "
                "   AND g.accession <> f.accession AND g.state = 'processing' "
                "   AND g.lease_until >= ?) "
                f"ORDER BY {self._QUEUE_ORDER} LIMIT {self._CLAIM_CANDIDATES}"
                + self.dialect.skip_locked,
                (at, at, at),
            ).fetchall()
            for candidate in candidates:
                row, first_seen = candidate[:-1], candidate[-1]
                cik = int(row[1])
                if not self.dialect.try_lock_company(cursor, cik):
                    continue
                earlier = self._x(
                    cursor,
                    "SELECT 1 FROM filings f WHERE f.cik = ? AND f.accession <> ? AND ("
                    "(f.state = 'processing' AND f.lease_until >= ?) OR "
                    f"({self._CLAIMABLE} AND "
                    f"({self._QUEUE_ORDER}) < (COALESCE(?, '9999-12-31'), ?, ?))) LIMIT 1",
                    (cik, row[0], at, at, at, row[3], first_seen, row[0]),
                ).fetchone()
                if earlier is not None:
                    continue
                self._x(cursor, "UPDATE filings SET state = 'processing', lease_until = ?, "
                                "claimed_by = ?, attempts = attempts + 1 WHERE accession = ?",
                        (lease_until, holder or None, row[0]))
                claimed = self._filing_row(row)
                return FilingRow(claimed.filing, "processing", claimed.attempts + 1,
                                 claimed.last_error, claimed.notify)
            return None
        return self._run(run)

    def renew_filing_claims(self, holder: str, accessions: Sequence[str], now: datetime,
                            lease_seconds: float) -> int:
        if not accessions:
            return 0
        lease_until = ts(datetime.fromtimestamp(now.timestamp() + lease_seconds, UTC))
        marks = ", ".join("?" for _ in accessions)
        return int(self._run(lambda c: self._x(
            c, "UPDATE filings SET lease_until = ? WHERE claimed_by = ? AND state = 'processing' "
               f"AND accession IN ({marks})", (lease_until, holder, *accessions)).rowcount))

    def release_filing_claims(self, holder: str, now: datetime,
                              reason: str) -> list[tuple[str, int]]:
        def run(cursor: Any) -> list[tuple[str, int]]:
            rows = self._x(cursor, "SELECT accession, cik FROM filings "
                                   "WHERE claimed_by = ? AND state = 'processing' "
                                   "ORDER BY accession", (holder,)).fetchall()
            self._x(cursor,
                    "UPDATE filings SET state = 'pending', lease_until = NULL, claimed_by = NULL, "
                    "next_attempt_at = ?, last_error = ?, "
                    "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END "
                    "WHERE claimed_by = ? AND state = 'processing'", (ts(now), reason, holder))
            return [(str(r[0]), int(r[1])) for r in rows]
        return self._run(run)

    def release_filing(self, accession: str, now: datetime, error: str,
                       retry_at: datetime | None) -> None:
        if retry_at is None:
            self._run(lambda c: self._x(
                c, "UPDATE filings SET state = 'failed', last_error = ?, lease_until = NULL, "
                   "processed_at = ? WHERE accession = ?", (error, ts(now), accession)))
        else:
            self._run(lambda c: self._x(
                c, "UPDATE filings SET state = 'pending', last_error = ?, lease_until = NULL, "
                   "next_attempt_at = ? WHERE accession = ?", (error, ts(retry_at), accession)))

    def filings(self, *, state: FilingState | None = None, limit: int = 100) -> list[FilingRow]:
        where = "WHERE state = ?" if state else ""
        params: tuple[Any, ...] = (state, limit) if state else (limit,)
        rows = self._run(lambda c: self._x(
            c, f"SELECT {self._FILING_COLUMNS} FROM filings {where} "
               "ORDER BY first_seen DESC LIMIT ?", params).fetchall())
        return [self._filing_row(r) for r in rows]

    def update_filing(self, filing: Filing) -> None:
        self._run(lambda c: self._x(
            c, "UPDATE filings SET filed = COALESCE(filed, ?), "
               "items = CASE WHEN items = '' THEN ? ELSE items END, "
               "report_date = COALESCE(report_date, ?), amends = COALESCE(amends, ?), "
               "company_name = CASE WHEN company_name = '' THEN ? ELSE company_name END "
               "WHERE accession = ?",
            (filing.filed.isoformat() if filing.filed else None, ",".join(filing.items),
             filing.report_date.isoformat() if filing.report_date else None, filing.amends,
             filing.company_name, filing.accession)))

    def filing_counts(self, *, source: str | None = None,
                      ciks: Sequence[int] | None = None) -> dict[str, int]:
        clauses: list[str] = []
        params: list[Any] = []
        if source is not None:
            clauses.append("source = ?")
            params.append(source)
        if ciks is not None:
            if not ciks:
                return {}
            clauses.append(f"cik IN ({', '.join('?' for _ in ciks)})")
            params.extend(ciks)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._run(lambda c: self._x(
            c, f"SELECT state, COUNT(*) FROM filings {where} GROUP BY state",
            params).fetchall())
        return {str(r[0]): int(r[1]) for r in rows}

    def unit_of_work(self, cik: int) -> AbstractContextManager[UnitOfWork]:
        return self._unit_of_work(cik)

    @contextmanager
    def _unit_of_work(self, cik: int) -> Iterator[UnitOfWork]:
        try:
            with self._transaction() as cursor:
                self.dialect.lock_company(cursor, cik)
                yield SqlUnitOfWork(self, cursor)
        except self.dialect.errors as exc:
            raise StoreError(f"database error: {exc}", cik=cik) from exc

    # -- reads ------------------------------------------------------------------------
    def ledger(self, cik: int) -> list[LedgerEntry]:
        rows = self._run(lambda c: self._x(
            c, "SELECT body FROM ledger WHERE cik = ? ORDER BY partner, product",
            (cik,)).fetchall())
        return [codec.ledger_from_json(r[0]) for r in rows]

    def aliases(self, cik: int) -> list[AliasLink]:
        rows = self._run(lambda c: self._x(
            c, f"SELECT {_ALIAS_COLUMNS} FROM ledger_aliases WHERE cik = ? "
               "ORDER BY kind, canonical, alias", (cik,)).fetchall())
        return [codec.alias_from_row(*r) for r in rows]

    _RELEASE_COLUMNS = "id, cik, accession, doc_type, filed, body"

    @staticmethod
    def _stored(row: Sequence[Any]) -> StoredRelease:
        return StoredRelease(int(row[0]), int(row[1]), row[2], row[3], _date(row[4]),
                             codec.release_from_json(row[5]))

    def releases(self, cik: int, limit: int = 1000) -> list[StoredRelease]:
        rows = self._run(lambda c: self._x(
            c, f"SELECT {self._RELEASE_COLUMNS} FROM releases WHERE cik = ? "
               "ORDER BY filed DESC NULLS LAST, id DESC LIMIT ?", (cik, limit)).fetchall())
        return [self._stored(r) for r in rows]

    def release(self, ref: str) -> StoredRelease | None:
        if ref.isdigit():
            sql, params = f"SELECT {self._RELEASE_COLUMNS} FROM releases WHERE id = ?", (int(ref),)
        else:
            sql = (f"SELECT {self._RELEASE_COLUMNS} FROM releases WHERE accession = ? "
                   "ORDER BY doc_type LIMIT 1")
            params = (ref,)  # type: ignore[assignment]
        row = self._run(lambda c: self._x(c, sql, params).fetchone())
        return self._stored(row) if row else None

    def analysis(self, release_id: int) -> dict[str, Any] | None:
        row = self._run(lambda c: self._x(
            c, "SELECT comparison, facts, changes, watch FROM analyses WHERE release_id = ?",
            (release_id,)).fetchone())
        if row is None:
            return None
        return {k: json.loads(v) for k, v in zip(("comparison", "facts", "changes", "watch"),
                                                 row, strict=True)}

    # -- outbox -----------------------------------------------------------------------
    @staticmethod
    def _alert(row: Sequence[Any]) -> Alert:
        body = bytes(row[7])
        return Alert(id=row[0], accession=row[1], doc_type=row[2], cik=int(row[3]),
                     severity=row[4], title=row[5], created_at=parse_ts(row[6]) or
                     datetime.now(UTC), payload=json.loads(body), body=body)

    _ALERT_COLUMNS = "a.id, a.accession, a.doc_type, a.cik, a.severity, a.title, " \
                     "a.created_at, a.body"

    _DELIVERY_COLUMNS = (_ALERT_COLUMNS + ", o.notifier, o.state, o.attempts, "
                         "o.next_attempt_at, o.last_error, o.queued_at, o.created_at, "
                         "o.lease_until")

    @classmethod
    def _delivery(cls, row: Sequence[Any]) -> Delivery:
        return Delivery(alert=cls._alert(row), notifier=row[8], state=row[9],
                        attempts=int(row[10]), next_attempt_at=parse_ts(row[11]),
                        last_error=row[12], queued_at=parse_ts(row[13]) or parse_ts(row[14]),
                        lease_until=parse_ts(row[15]))

    def save_operator_alert(self, alert: Alert, notifiers: Sequence[str], now: datetime) -> bool:
        def run(cursor: Any) -> bool:
            self._x(cursor,
                    "INSERT INTO alerts (id, accession, doc_type, cik, severity, title, "
                    "created_at, body, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'operator') "
                    "ON CONFLICT (id) DO NOTHING",
                    (alert.id, alert.accession, alert.doc_type, alert.cik, alert.severity,
                     alert.title, ts(alert.created_at), alert.body))
            if cursor.rowcount != 1:
                return False
            _insert_outbox(self, cursor, alert.id, notifiers, now)
            return True
        return self._run(run)

    def due_deliveries(self, notifier: str, now: datetime, limit: int = 50) -> list[Delivery]:
        rows = self._run(lambda c: self._x(
            c, f"SELECT {self._DELIVERY_COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id "
               "WHERE o.notifier = ? AND o.state = 'pending' AND o.next_attempt_at <= ? "
               "ORDER BY o.created_at, o.alert_id LIMIT ?", (notifier, ts(now), limit)).fetchall())
        return [self._delivery(r) for r in rows]

    def claim_deliveries(self, notifier: str, now: datetime, *, instance: str,
                         lease_seconds: float, limit: int = 20,
                         min_age_seconds: float | None = None) -> list[Delivery]:
        at = ts(now)
        lease_until = now + timedelta(seconds=lease_seconds)

        def run(cursor: Any) -> list[Delivery]:
            # One claimer per notifier at a time (SQLite: the write lock; PostgreSQL: an
            # advisory lock), so two instances never split a queue and send it out of order.
            self.dialect.lock_notifier(cursor, notifier)
            head = self._x(
                cursor,
                f"SELECT {self._DELIVERY_COLUMNS}, o.claimed_by FROM outbox o JOIN alerts a "
                "ON a.id = o.alert_id WHERE o.notifier = ? AND o.state = 'pending' "
                "ORDER BY o.created_at, o.alert_id LIMIT ?", (notifier, limit)).fetchall()
            rows = []
            for row in head:  # the due prefix: up to a row waiting or held by another
                waiting = row[11] > at
                held = row[16] is not None and row[16] != instance and (row[15] or "") >= at
                if waiting or held:
                    break
                rows.append(row)
            if not rows:
                return []
            if min_age_seconds is not None:
                oldest = parse_ts(rows[0][14])
                if oldest is not None and oldest > now - timedelta(seconds=min_age_seconds):
                    return []
            ids = [r[0] for r in rows]
            self._x(cursor,
                    "UPDATE outbox SET claimed_by = ?, lease_until = ? WHERE notifier = ? "
                    f"AND alert_id IN ({', '.join('?' * len(ids))})",
                    [instance, ts(lease_until), notifier, *ids])
            return [replace(self._delivery(r), lease_until=lease_until) for r in rows]
        return self._run(run)

    def renew_claims(self, notifier: str, now: datetime, *, instance: str,
                     lease_seconds: float) -> int:
        lease_until = ts(now + timedelta(seconds=lease_seconds))
        return int(self._run(lambda c: self._x(
            c, "UPDATE outbox SET lease_until = ? WHERE notifier = ? AND claimed_by = ? "
               "AND state = 'pending'", (lease_until, notifier, instance)).rowcount))

    def release_claims(self, notifier: str | None, *, instance: str) -> int:
        which, params = ("notifier = ? AND ", (notifier,)) if notifier is not None else ("", ())
        return int(self._run(lambda c: self._x(
            c, "UPDATE outbox SET claimed_by = NULL, lease_until = NULL WHERE "
               f"{which}claimed_by = ? AND state = 'pending'", (*params, instance)).rowcount))

    def outbox_head(self, notifier: str) -> Delivery | None:
        row = self._run(lambda c: self._x(
            c, f"SELECT {self._DELIVERY_COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id "
               "WHERE o.notifier = ? AND o.state = 'pending' "
               "ORDER BY o.created_at, o.alert_id LIMIT 1", (notifier,)).fetchone())
        return self._delivery(row) if row else None

    def mark_delivered(self, alert_id: str, notifier: str, now: datetime) -> None:
        self._run(lambda c: self._x(
            c, "UPDATE outbox SET state = 'delivered', delivered_at = ?, "
               "attempts = attempts + 1, last_error = NULL, claimed_by = NULL, "
               "lease_until = NULL WHERE alert_id = ? AND notifier = ? AND state <> 'delivered'",
            (ts(now), alert_id, notifier)))

    @staticmethod
    def _fence(instance: str | None) -> tuple[str, tuple[Any, ...]]:
        return ("AND claimed_by = ?", (instance,)) if instance is not None else ("", ())

    def mark_retry(self, alert_id: str, notifier: str, error: str, next_attempt_at: datetime,
                   *, instance: str | None = None) -> bool:
        fence, extra = self._fence(instance)
        return int(self._run(lambda c: self._x(
            c, "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
               "claimed_by = NULL, lease_until = NULL "
               f"WHERE alert_id = ? AND notifier = ? AND state = 'pending' {fence}",
            (error, ts(next_attempt_at), alert_id, notifier, *extra)).rowcount)) == 1

    def mark_dead(self, alert_id: str, notifier: str, error: str, now: datetime,
                  *, instance: str | None = None) -> bool:
        fence, extra = self._fence(instance)
        return int(self._run(lambda c: self._x(
            c, "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, "
               "next_attempt_at = ?, claimed_by = NULL, lease_until = NULL "
               f"WHERE alert_id = ? AND notifier = ? AND state = 'pending' {fence}",
            (error, ts(now), alert_id, notifier, *extra)).rowcount)) == 1

    _STATUS = "CASE WHEN o.state = 'pending' AND o.attempts > 0 THEN 'failed' ELSE o.state END"
    _FILTERS: ClassVar[dict[str, str]] = {
        "pending": "o.state = 'pending' AND o.attempts = 0",
        "failed": "o.state = 'pending' AND o.attempts > 0",
        "delivered": "o.state = 'delivered'",
        "dead": "o.state = 'dead'",
        "undelivered": "o.state IN ('pending', 'dead')",
    }

    def deliveries(self, *, state: DeliveryFilter | None = None, limit: int = 100,
                   notifier: str | None = None) -> list[DeliveryRow]:
        clauses = [self._FILTERS[state]] if state else []
        params: list[Any] = []
        if notifier:
            clauses.append("o.notifier = ?")
            params.append(notifier)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._run(lambda c: self._x(
            c, f"SELECT o.alert_id, o.notifier, {self._STATUS}, o.attempts, a.title, "
               "a.accession, a.created_at, o.next_attempt_at, o.last_error, o.delivered_at, "
               "a.kind, o.claimed_by "
               f"FROM outbox o JOIN alerts a ON a.id = o.alert_id {where} "
               "ORDER BY o.created_at DESC, o.alert_id, o.notifier LIMIT ?",
            [*params, limit]).fetchall())
        return [DeliveryRow(r[0], r[1], r[2], int(r[3]), r[4], r[5],
                            parse_ts(r[6]) or datetime.now(UTC), parse_ts(r[7]), r[8],
                            parse_ts(r[9]), r[10], r[11]) for r in rows]

    def outbox_counts(self) -> dict[tuple[str, str], int]:
        rows = self._run(lambda c: self._x(
            c, f"SELECT o.notifier, {self._STATUS}, COUNT(*) FROM outbox o "
               "GROUP BY o.notifier, " + self._STATUS).fetchall())
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def requeue(self, alert_id: str | None, now: datetime, notifier: str | None = None) -> int:
        clauses, params = [], []
        if alert_id:
            clauses.append("alert_id = ?")
            params.append(alert_id)
        if notifier:
            clauses.append("notifier = ?")
            params.append(notifier)
        where = "".join(f" AND {c}" for c in clauses)

        def run(cursor: Any) -> int:
            # Dead rows start over; pending ones become due now but keep any live claim, so a
            # delivery in flight elsewhere is not sent twice.
            pending = self._x(cursor,
                              "UPDATE outbox SET next_attempt_at = ?, queued_at = ?, "
                              f"attempts = 0 WHERE state = 'pending'{where}",
                              [ts(now), ts(now), *params]).rowcount
            dead = self._x(cursor,
                           "UPDATE outbox SET state = 'pending', next_attempt_at = ?, "
                           "queued_at = ?, attempts = 0, claimed_by = NULL, lease_until = NULL "
                           f"WHERE state = 'dead'{where}", [ts(now), ts(now), *params]).rowcount
            return int(dead) + int(pending)
        return self._run(run)

    def alert(self, alert_id: str) -> Alert | None:
        row = self._run(lambda c: self._x(
            c, f"SELECT {self._ALERT_COLUMNS} FROM alerts a WHERE a.id = ?",
            (alert_id,)).fetchone())
        return self._alert(row) if row else None

    # -- source state -----------------------------------------------------------------
    def source_state(self, name: str) -> dict[str, Any]:
        row = self._run(lambda c: self._x(
            c, "SELECT body FROM source_state WHERE name = ?", (name,)).fetchone())
        return dict(json.loads(row[0])) if row else {}

    def save_source_state(self, name: str, state: dict[str, Any], now: datetime) -> None:
        self._run(lambda c: self._x(
            c, "INSERT INTO source_state (name, body, updated_at) VALUES (?, ?, ?) "
               "ON CONFLICT (name) DO UPDATE SET body = excluded.body, "
               "updated_at = excluded.updated_at", (name, codec.dumps(state), ts(now))))

    # -- source leases ----------------------------------------------------------------
    def acquire_source_lease(self, name: str, holder: str, now: datetime,
                             lease_seconds: float) -> bool:
        lease_until = ts(datetime.fromtimestamp(now.timestamp() + lease_seconds, UTC))
        # One statement, so two instances racing for an expired lease cannot both win: the
        # conflicting row is locked and the WHERE re-checked against the winner's write.
        return bool(self._run(lambda c: self._x(
            c, "INSERT INTO source_leases (name, holder, lease_until) VALUES (?, ?, ?) "
               "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
               "lease_until = excluded.lease_until "
               "WHERE source_leases.holder = excluded.holder OR source_leases.holder IS NULL "
               "OR source_leases.lease_until IS NULL OR source_leases.lease_until < ?",
            (name, holder, lease_until, ts(now))).rowcount == 1))

    def record_poll(self, name: str, now: datetime, error: str | None = None) -> None:
        if error is None:
            statement = (
                "INSERT INTO source_leases (name, last_attempt_at, last_success_at) "
                "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "last_attempt_at = excluded.last_attempt_at, last_error = NULL, "
                "last_success_at = CASE WHEN source_leases.last_success_at > "
                "excluded.last_success_at THEN source_leases.last_success_at "
                "ELSE excluded.last_success_at END")
            params: tuple[Any, ...] = (name, ts(now), ts(now))
        else:
            statement = (
                "INSERT INTO source_leases (name, last_attempt_at, last_error) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET last_attempt_at = excluded.last_attempt_at, "
                "last_error = excluded.last_error")
            params = (name, ts(now), error[:1000])
        self._run(lambda c: self._x(c, statement, params))

    def release_source_leases(self, holder: str, now: datetime) -> None:
        self._run(lambda c: self._x(
            c, "UPDATE source_leases SET holder = NULL, lease_until = NULL WHERE holder = ?",
            (holder,)))

    def source_leases(self) -> list[SourceLease]:
        rows = self._run(lambda c: self._x(
            c, "SELECT name, holder, lease_until, last_attempt_at, last_success_at, last_error "
               "FROM source_leases ORDER BY name").fetchall())
        return [SourceLease(r[0], r[1], parse_ts(r[2]), parse_ts(r[3]), parse_ts(r[4]), r[5])
                for r in rows]

    def queue_stats(self) -> QueueStats:
        def run(cursor: Any) -> QueueStats:
            filings = self._x(cursor, "SELECT state, COUNT(*) FROM filings "
                                      "GROUP BY state").fetchall()
            outbox = self._x(cursor, "SELECT notifier, state, COUNT(*) FROM outbox "
                                     "GROUP BY notifier, state").fetchall()
            oldest = self._x(cursor, "SELECT MIN(created_at) FROM outbox "
                                     "WHERE state = 'pending'").fetchone()
            return QueueStats({str(r[0]): int(r[1]) for r in filings},
                              {(str(r[0]), str(r[1])): int(r[2]) for r in outbox},
                              parse_ts(oldest[0]) if oldest else None)
        return self._run(run)


    # -- backfill progress ------------------------------------------------------------
    def backfill_progress(self, cik: int) -> BackfillProgress | None:
        row = self._run(lambda c: self._x(
            c, "SELECT cik, since, queued, complete FROM backfill_progress WHERE cik = ?",
            (cik,)).fetchone())
        if row is None:
            return None
        return BackfillProgress(int(row[0]), _date(row[1]), int(row[2]), bool(row[3]))

    def save_backfill_progress(self, progress: BackfillProgress, now: datetime) -> None:
        self._run(lambda c: self._x(
            c, "INSERT INTO backfill_progress (cik, since, queued, complete, updated_at) "
               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (cik) DO UPDATE SET since = excluded.since, "
               "queued = excluded.queued, complete = excluded.complete, "
               "updated_at = excluded.updated_at",
            (progress.cik, progress.since.isoformat() if progress.since else None,
             progress.queued, int(progress.complete), ts(now))))


_ALIAS_COLUMNS = "kind, alias, canonical, evidence, rule, accession"


class SqlUnitOfWork(UnitOfWork):
    def __init__(self, store: SqlStore, cursor: Any) -> None:
        self._store = store
        self._cursor = cursor

    def _x(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self._store._x(self._cursor, statement, params)

    def history(self, cik: int, *, before: date | None, exclude_accession: str,
                limit: int) -> list[StoredRelease]:
        if before is None:
            rows = self._x(
                f"SELECT {SqlStore._RELEASE_COLUMNS} FROM releases "
                "WHERE cik = ? AND accession <> ? ORDER BY filed DESC NULLS LAST, id DESC LIMIT ?",
                (cik, exclude_accession, limit)).fetchall()
        else:
            rows = self._x(
                f"SELECT {SqlStore._RELEASE_COLUMNS} FROM releases "
                "WHERE cik = ? AND accession <> ? AND (filed IS NULL OR filed <= ?) "
                "ORDER BY filed DESC NULLS LAST, id DESC LIMIT ?",
                (cik, exclude_accession, before.isoformat(), limit)).fetchall()
        return [SqlStore._stored(r) for r in rows]

    def paragraph_index(self, cik: int, options: CompareOptions, *, before: date | None,
                        exclude_accession: str) -> HistoryIndex:
        return SqlParagraphIndex(
            self._x, lambda statement, rows: self._store._many(self._cursor, statement, rows),
            cik, options, before=before, exclude_accession=exclude_accession)

    def ledger(self, cik: int) -> dict[tuple[str, str], LedgerEntry]:
        rows = self._x("SELECT body FROM ledger WHERE cik = ?", (cik,)).fetchall()
        entries = (codec.ledger_from_json(r[0]) for r in rows)
        return {(e.partner, e.product): e for e in entries}

    def aliases(self, cik: int) -> list[AliasLink]:
        rows = self._x(f"SELECT {_ALIAS_COLUMNS} FROM ledger_aliases WHERE cik = ? "
                       "ORDER BY created_at, alias", (cik,)).fetchall()
        return [codec.alias_from_row(*r) for r in rows]

    def save_aliases(self, cik: int, aliases: Sequence[AliasLink], now: datetime) -> None:
        for link in aliases:
            self._x(
                "INSERT INTO ledger_aliases (cik, kind, alias, canonical, evidence, rule, "
                "accession, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (cik, kind, alias) DO NOTHING",
                (cik, link.kind, link.alias, link.canonical, link.evidence[:2000], link.rule,
                 link.accession, ts(now)))

    def release_exists(self, accession: str, doc_type: str) -> bool:
        return self._x("SELECT 1 FROM releases WHERE accession = ? AND doc_type = ?",
                       (accession, doc_type)).fetchone() is not None

    def save_exhibit(self, exhibit: Exhibit, fetched_at: datetime) -> None:
        self._x(
            "INSERT INTO documents (accession, doc_type, filename, url, sequence, description, "
            "sha256, content, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (accession, doc_type, filename) DO NOTHING",
            (exhibit.accession, exhibit.doc_type, exhibit.filename, exhibit.url,
             exhibit.sequence, exhibit.description, exhibit.sha256, exhibit.content,
             ts(fetched_at)))

    def save_release(self, cik: int, filing: Filing, doc_type: str, release: Release,
                     now: datetime) -> int:
        self._x(
            "INSERT INTO releases (cik, accession, doc_type, filed, headline, content_hash, "
            "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (accession, doc_type) DO NOTHING",
            (cik, filing.accession, doc_type, filing.filed.isoformat() if filing.filed else None,
             release.headline, release.content_hash, codec.release_to_json(release), ts(now)))
        row = self._x("SELECT id FROM releases WHERE accession = ? AND doc_type = ?",
                      (filing.accession, doc_type)).fetchone()
        return int(row[0])

    def save_analysis(self, release_id: int, comparison: Comparison, facts: Sequence[Fact],
                      changes: Sequence[Change], watch: Sequence[WatchItem]) -> None:
        self._x(
            "INSERT INTO analyses (release_id, comparison, facts, changes, watch) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (release_id) DO NOTHING",
            (release_id, codec.comparison_to_json(comparison), codec.facts_to_json(list(facts)),
             codec.changes_to_json(list(changes)), codec.watch_to_json(list(watch))))

    def save_ledger(self, cik: int, entries: Sequence[LedgerEntry], now: datetime) -> None:
        for entry in entries:
            self._x(
                "INSERT INTO ledger (cik, partner, product, body, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (cik, partner, product) DO UPDATE SET "
                "body = excluded.body, updated_at = excluded.updated_at",
                (cik, entry.partner, entry.product, codec.ledger_to_json(entry), ts(now)))

    def save_alert(self, alert: Alert, notifiers: Sequence[str], now: datetime) -> bool:
        self._x(
            "INSERT INTO alerts (id, accession, doc_type, cik, severity, title, created_at, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (alert.id, alert.accession, alert.doc_type, alert.cik, alert.severity, alert.title,
             ts(alert.created_at), alert.body))
        if self._cursor.rowcount != 1:
            return False
        _insert_outbox(self._store, self._cursor, alert.id, notifiers, now)
        return True

    def finish_filing(self, accession: str, state: FilingState, now: datetime,
                      error: str | None = None) -> None:
        self._x("UPDATE filings SET state = ?, processed_at = ?, last_error = ?, "
                "lease_until = NULL WHERE accession = ?", (state, ts(now), error, accession))


def _insert_outbox(store: SqlStore, cursor: Any, alert_id: str, notifiers: Sequence[str],
                   now: datetime) -> None:
    for name in notifiers:
        store._x(cursor,
                 "INSERT INTO outbox (alert_id, notifier, state, created_at, next_attempt_at, "
                 "queued_at) VALUES (?, ?, 'pending', ?, ?, ?) "
                 "ON CONFLICT (alert_id, notifier) DO NOTHING",
                 (alert_id, name, ts(now), ts(now), ts(now)))
