"""SQLite, the default store: one file, WAL journal, no server."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from watcher.errors import StoreError
from watcher.store.sql import Dialect, SqlStore


def sqlite_path(url: str) -> str:
    """``sqlite:///watcher.db`` -> ``watcher.db``; ``sqlite:////abs/path.db`` -> ``/abs/...``;
    ``sqlite://`` or ``sqlite:///:memory:`` -> ``:memory:``."""
    if not url.startswith("sqlite://"):
        raise StoreError(f"not a SQLite URL: {url}")
    path = url[len("sqlite://"):]
    if path in ("", "/", "/:memory:"):
        return ":memory:"
    return path[1:] if path.startswith("/") else path


class SqliteDialect(Dialect):
    name = "sqlite"
    errors = (sqlite3.Error,)

    def __init__(self, path: str) -> None:
        self.path = path

    def connect(self) -> Any:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=30.0)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        if self.path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def begin(self, cursor: Any) -> None:
        # IMMEDIATE takes the write lock up front: no deadlock between two writers that
        # both started as readers (another process sharing the file, say).
        cursor.execute("BEGIN IMMEDIATE")


class SqliteStore(SqlStore):
    def __init__(self, url: str) -> None:
        super().__init__(url, SqliteDialect(sqlite_path(url)))
