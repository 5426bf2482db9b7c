"""Stores: SQLite (default, embedded) and PostgreSQL (shared by several instances)."""

from __future__ import annotations

from watcher.store.base import Store


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the store a URL names and bring its schema up to date."""
    store: Store
    if url.startswith("sqlite://"):
        from watcher.store.sqlite import SqliteStore

        store = SqliteStore(url)
    elif url.startswith(("postgresql://", "postgres://")):
        from watcher.store.postgres import PostgresStore

        store = PostgresStore(url)
    else:
        raise ValueError(f"unsupported store URL: {url}")
    if migrate:
        store.migrate()
    return store


__all__ = ["Store", "open_store"]
