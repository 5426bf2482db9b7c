"""The service endpoint: /healthz judges store, polling and outbox; the HTTP server answers
GET/HEAD on its two paths, asks for the bearer token when one is set, and refuses the rest;
a real daemon turns unhealthy when polling stalls or the store goes away, and recovers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from watcher import server
from watcher.cli import main
from watcher.demo import DEMO_CIK
from watcher.demo.fake_edgar import FakeEdgar, Reply
from watcher.server import (
    HttpEndpoint,
    Response,
    SourceExpectation,
    StoreSnapshot,
    evaluate_health,
)
from watcher.store.base import QueueStats, SourceLease

from tests.conftest import POSTGRES_URL
from tests.support.daemon import Daemon
from tests.support.service import TcpProxy, free_port, get, health, service_config
from tests.support.wait import wait_until

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
FEED = SourceExpectation("edgar_current", 60.0, 240.0)


def _lease(last_success: datetime | None, error: str | None = None) -> SourceLease:
    return SourceLease("edgar_current", "host-a:7", NOW + timedelta(seconds=60), NOW,
                       last_success, error)


def _health(snapshot: StoreSnapshot, *, started: datetime = NOW - timedelta(hours=1),
            polled_here: dict[str, datetime] | None = None,
            stopping: bool = False) -> tuple[bool, dict[str, object]]:
    return evaluate_health(now=NOW, started_at=started, snapshot=snapshot, sources=[FEED],
                           polled_here=polled_here or {}, instance="host-b:9",
                           stopping=stopping)


# ------------------------------------------------------------------------------ evaluate

def test_health_is_good_when_the_store_answers_and_each_source_was_polled_recently() -> None:
    healthy, details = _health(StoreSnapshot(leases=(_lease(NOW - timedelta(seconds=30)),)))
    assert healthy and details["status"] == "healthy"
    checks = details["checks"]
    assert isinstance(checks, dict)
    feed = checks["sources"]["edgar_current"]
    assert feed["ok"] and feed["seconds_since"] == 30.0 and feed["polled_by"] == "host-a:7"


def test_health_is_bad_when_the_store_cannot_be_reached() -> None:
    healthy, details = _health(StoreSnapshot(error="database error: connection refused"),
                               polled_here={"edgar_current": NOW})
    assert not healthy and details["status"] == "unhealthy"
    checks = details["checks"]
    assert isinstance(checks, dict)
    assert checks["store"] == {"ok": False, "latency_ms": 0.0,
                               "error": "database error: connection refused"}


def test_a_source_not_polled_successfully_within_its_allowance_is_stalled() -> None:
    snapshot = StoreSnapshot(leases=(_lease(NOW - timedelta(seconds=241), "HTTP 503"),))
    healthy, details = _health(snapshot)
    assert not healthy
    checks = details["checks"]
    assert isinstance(checks, dict)
    feed = checks["sources"]["edgar_current"]
    assert not feed["ok"] and feed["last_error"] == "HTTP 503"
    assert feed["last_success"] == "2026-01-05T13:55:59Z"


def test_a_poll_by_another_instance_counts_for_every_instance() -> None:
    recent_elsewhere = StoreSnapshot(leases=(_lease(NOW - timedelta(seconds=5)),))
    healthy, _ = _health(recent_elsewhere, polled_here={"edgar_current": NOW - timedelta(days=1)})
    assert healthy


def test_a_fresh_start_gets_the_whole_allowance_before_polling_is_judged() -> None:
    old = StoreSnapshot(leases=(_lease(NOW - timedelta(days=3)),))
    assert _health(old, started=NOW - timedelta(seconds=10))[0]
    assert not _health(old, started=NOW - timedelta(seconds=300))[0]
    never_polled = StoreSnapshot()
    assert _health(never_polled, started=NOW - timedelta(seconds=10))[0]
    assert not _health(never_polled, started=NOW - timedelta(seconds=300))[0]


def test_the_outbox_backlog_and_the_queue_are_reported() -> None:
    stats = QueueStats({"pending": 2, "done": 40, "failed": 1},
                       {("desk", "pending"): 3, ("desk", "delivered"): 9, ("mail", "dead"): 1},
                       NOW - timedelta(minutes=2))
    healthy, details = _health(StoreSnapshot(leases=(_lease(NOW),), stats=stats))
    assert healthy  # a backlog is reported, not judged: a receiver that is down is not us
    checks = details["checks"]
    assert isinstance(checks, dict)
    assert checks["outbox"] == {"backlog": 3, "oldest_pending_seconds": 120.0,
                                "notifiers": {"desk": {"delivered": 9, "pending": 3},
                                              "mail": {"dead": 1}}}
    assert checks["filings"] == {"pending": 2, "processing": 0, "failed": 1}


def test_a_stopping_daemon_says_so_and_is_not_healthy() -> None:
    healthy, details = _health(StoreSnapshot(leases=(_lease(NOW),)), stopping=True)
    assert not healthy and details["status"] == "stopping"


# ------------------------------------------------------------------------------ HTTP

async def _ok() -> Response:
    return Response(200, b'{"fine": true}')


async def _boom() -> Response:
    raise RuntimeError("a bug in a handler")


@pytest.fixture
async def endpoint() -> AsyncIterator[HttpEndpoint]:
    http = HttpEndpoint("127.0.0.1", 0, {"/healthz": _ok, "/boom": _boom})
    await http.start()
    yield http
    await http.close()


async def _raw(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    return answer


async def test_the_endpoint_answers_get_with_the_handlers_body(endpoint: HttpEndpoint) -> None:
    status, body = await asyncio.to_thread(get, f"{endpoint.url}/healthz?verbose=1")
    assert (status, body) == (200, b'{"fine": true}')


async def test_head_gets_the_headers_without_a_body(endpoint: HttpEndpoint) -> None:
    answer = await _raw(endpoint.port, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"content-length: 14" in head.lower()
    assert body == b""


async def test_unknown_paths_other_methods_and_broken_requests_are_refused(
    endpoint: HttpEndpoint,
) -> None:
    assert (await asyncio.to_thread(get, f"{endpoint.url}/admin"))[0] == 404
    post = await _raw(endpoint.port, b"POST /healthz HTTP/1.1\r\nHost: x\r\n"
                                     b"Content-Length: 2\r\n\r\n{}")
    assert post.startswith(b"HTTP/1.1 405 Method Not Allowed")
    assert b"allow: get, head" in post.lower()
    garbage = await _raw(endpoint.port, b"\x16\x03\x01 not http at all\r\n\r\n")
    assert garbage.startswith(b"HTTP/1.1 400 Bad Request")
    assert garbage.endswith(b'{\n  "error": "bad request"\n}\n')


async def test_a_failing_handler_answers_500_and_the_endpoint_keeps_serving(
    endpoint: HttpEndpoint, caplog: pytest.LogCaptureFixture,
) -> None:
    assert (await asyncio.to_thread(get, f"{endpoint.url}/boom"))[0] == 500
    assert "a bug in a handler" in caplog.text
    assert (await asyncio.to_thread(get, f"{endpoint.url}/healthz"))[0] == 200


async def test_a_client_that_sends_nothing_is_dropped_after_the_deadline(
    endpoint: HttpEndpoint, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server, "REQUEST_TIMEOUT", 0.2)
    reader, writer = await asyncio.open_connection("127.0.0.1", endpoint.port)
    assert await reader.read() == b""  # closed by the server, no answer
    writer.close()


async def test_with_a_token_every_request_must_carry_it() -> None:
    http = HttpEndpoint("127.0.0.1", 0, {"/healthz": _ok}, token="t0ken")
    await http.start()
    try:
        missing = await _raw(http.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert missing.startswith(b"HTTP/1.1 401")
        assert b'www-authenticate: bearer realm="watcher"' in missing.lower()
        assert (await asyncio.to_thread(get, f"{http.url}/healthz", "wrong"))[0] == 401
        assert (await asyncio.to_thread(get, f"{http.url}/healthz", "t0ken"))[0] == 200
    finally:
        await http.close()


# ------------------------------------------------------------------------------ daemon

@pytest.fixture
def port() -> int:
    return free_port()


def test_a_daemon_is_healthy_then_unhealthy_while_polling_fails_then_healthy_again(
    tmp_path: Path, fake_edgar: FakeEdgar, port: int,
) -> None:
    config = service_config(tmp_path / "w.yaml", fake_edgar, port=port, ciks=[DEMO_CIK],
                            store_url=f"sqlite:///{tmp_path / 'w.db'}",
                            server={"stalled_after": 1.5})
    with Daemon(config) as daemon:
        wait_until(lambda: health(port)[0] == 200, what="healthy after start")
        failing = Reply(500, b"<html>Internal Server Error</html>")
        with fake_edgar.fault(lambda p: failing if p.startswith("/cgi-bin/browse-edgar")
                              else None):
            # Unhealthy first for the stall, then with the error once retries are spent.
            wait_until(lambda: health(port)[0] == 503 and "last_error" in
                       health(port)[1]["checks"]["sources"]["edgar_current"],
                       what="unhealthy with the poll error while polls fail")
            _, details = health(port)
            feed = details["checks"]["sources"]["edgar_current"]
            assert not feed["ok"] and "HTTP 500" in feed["last_error"]
            assert details["checks"]["store"]["ok"]
            assert main(["health", "--config", str(config)]) == 1
        wait_until(lambda: health(port)[0] == 200, what="healthy once polls work again")
        assert main(["health", "--config", str(config)]) == 0
        assert daemon.stop() == 0
    assert main(["health", "--config", str(config)]) == 1  # nobody answers


@pytest.mark.postgres
def test_a_daemon_is_unhealthy_while_its_postgresql_is_unreachable_and_recovers(
    tmp_path: Path, fake_edgar: FakeEdgar, postgres_url: str, port: int,
) -> None:
    host_port = POSTGRES_URL.split("@", 1)[1].split("/", 1)[0]
    host, pg_port = host_port.rsplit(":", 1)
    with TcpProxy(host, int(pg_port)) as proxy:
        via_proxy = postgres_url.replace(f"@{host_port}/", f"@127.0.0.1:{proxy.port}/")
        config = service_config(tmp_path / "w.yaml", fake_edgar, port=port, ciks=[DEMO_CIK],
                                store_url=via_proxy)
        with Daemon(config) as daemon:
            wait_until(lambda: health(port)[0] == 200, what="healthy after start")
            proxy.cut()
            wait_until(lambda: health(port)[0] == 503, what="unhealthy without the store")
            store = health(port)[1]["checks"]["store"]
            assert not store["ok"] and "database error" in store["error"]
            proxy.restore()
            wait_until(lambda: health(port)[0] == 200, what="healthy after reconnecting")
            assert daemon.stop() == 0


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("WATCHER_TEST_ENDPOINT_TOKEN", "s3cret-token")
    yield "WATCHER_TEST_ENDPOINT_TOKEN"


def test_the_health_command_sends_the_configured_token(
    tmp_path: Path, fake_edgar: FakeEdgar, port: int, token_env: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    config = service_config(tmp_path / "w.yaml", fake_edgar, port=port, ciks=[DEMO_CIK],
                            store_url=f"sqlite:///{tmp_path / 'w.db'}",
                            server={"token_env": token_env})
    with Daemon(config, {token_env: "s3cret-token"}) as daemon:
        wait_until(lambda: health(port, "s3cret-token")[0] == 200, what="healthy")
        assert health(port)[0] == 401
        assert get(f"http://127.0.0.1:{port}/metrics")[0] == 401
        assert main(["health", "--config", str(config)]) == 0
        assert '"status": "healthy"' in capsys.readouterr().out
        monkeypatch.setenv(token_env, "not-the-token")
        assert main(["health", "--config", str(config)]) == 1
        assert daemon.stop() == 0
