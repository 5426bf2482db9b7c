"""Shared fixtures: the shared data folder (skipped with a reason when absent, required in CI),
the fake EDGAR, a webhook receiver, and stores on SQLite files and on the real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from watcher.demo.fake_edgar import FakeEdgar

from tests.support.receiver import WebhookReceiver

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
POSTGRES_URL = os.environ.get("WATCHER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data; skips the test when the folder is absent, unless CI is set
    (then the absence is an error, because those tests must run in CI)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing, and CI is set: shared-data tests must run in CI")
        pytest.skip(f"{path} is absent (the shared data lives beside the project)")
    return path


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The EDGAR disk cache defaults to $XDG_CACHE_HOME/watcher: per test here, so a test
    never reads what another one's fake server (maybe on the same port) stored."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def shared_data() -> Path:
    return shared_path()


@pytest.fixture
def seed_release() -> bytes:
    return shared_path("seed", "immunogen-2002-06-24-ex99-1.txt").read_bytes()


@pytest.fixture
def fake_edgar() -> Iterator[FakeEdgar]:
    with FakeEdgar() as edgar:
        yield edgar


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as hook:
        yield hook


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'watcher.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema-less database on the real PostgreSQL, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"watcher_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable and CI is set: {exc}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Both backends: every store contract test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'watcher.db'}"
    return str(request.getfixturevalue("postgres_url"))
