"""PostgreSQL: the store several instances share (row locks, advisory locks)."""

from __future__ import annotations

import zlib
from typing import Any, ClassVar

import psycopg

from watcher.store.sql import Dialect, SqlStore

_MIGRATION_LOCK = 0x57A7C4E5  # any constant: the advisory lock id for migrations
# Outbox claims lock (class, crc32 of the notifier name): the two-int4 key space of advisory
# locks never overlaps the bigint one used for companies and migrations.
_OUTBOX_LOCK_CLASS = 0x0B0C


def _int4(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


class PostgresDialect(Dialect):
    name = "postgresql"
    placeholder = "%s"
    types: ClassVar[dict[str, str]] = {
        "blob": "BYTEA", "serial_pk": "BIGSERIAL PRIMARY KEY", "bigint": "BIGINT"}
    skip_locked = " FOR UPDATE OF f SKIP LOCKED"
    errors = (psycopg.Error,)

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgres://", "postgresql://", 1)

    def connect(self) -> Any:
        # Keepalives: a connection to a server that vanished fails within a minute instead of
        # hanging until the kernel gives up.
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10, keepalives=1,
                               keepalives_idle=30, keepalives_interval=10, keepalives_count=3)

    def begin(self, cursor: Any) -> None:
        cursor.execute("BEGIN")

    def lock_company(self, cursor: Any, cik: int) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (cik,))

    def lock_migrations(self, cursor: Any) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    def lock_notifier(self, cursor: Any, notifier: str) -> None:
        key = _int4(zlib.crc32(notifier.encode("utf-8")))
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_OUTBOX_LOCK_CLASS, key))

    def try_lock_company(self, cursor: Any, cik: int) -> bool:
        # The same key as ``lock_company``: a claim never races a unit of work of the company.
        row = cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", (cik,)).fetchone()
        return bool(row[0])

    def usable(self, conn: Any) -> bool:
        return not (conn.closed or conn.broken)


class PostgresStore(SqlStore):
    def __init__(self, url: str) -> None:
        super().__init__(url, PostgresDialect(url))
