"""The service endpoint: ``/healthz`` (JSON, 200 healthy / 503 unhealthy) and ``/metrics``
(Prometheus text), on ``server.listen``, with a bearer token when one is configured.

A small asyncio server on h11 (the HTTP/1.1 parser httpx already brings): one request per
connection, GET and HEAD only, a deadline per request and a cap on connections, so a
monitoring scraper or a stuck client can never hold the daemon up.

Health is judged from the shared store, so every instance tells the same story: the store
answers; every source was polled successfully (by whichever instance holds its lease)
within its ``stalled_after``; the outbox backlog is reported with the oldest waiting alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any, Protocol

import h11

from watcher import metrics
from watcher.clock import Clock
from watcher.errors import WatcherError
from watcher.store.base import QueueStats, SourceLease, Store

logger = logging.getLogger(__name__)

STORE_CHECK_TIMEOUT = 5.0  # seconds: a store slower than this counts as unreachable
REQUEST_TIMEOUT = 10.0     # seconds to read a request and answer it
MAX_CONNECTIONS = 16
MAX_REQUEST_BYTES = 64 * 1024


# ------------------------------------------------------------------------------ health

@dataclass(frozen=True, slots=True)
class SourceExpectation:
    """A source and how long it may go without a successful poll before it is stalled."""

    name: str
    every: float
    stalled_after: float


def default_stalled_after(every: float) -> float:
    """Three missed polls and a minute of slack."""
    return 3.0 * every + 60.0


@dataclass(frozen=True, slots=True)
class StoreSnapshot:
    """What one look at the store found (``error`` set when it could not be read)."""

    error: str | None = None
    latency: float = 0.0
    leases: tuple[SourceLease, ...] = ()
    stats: QueueStats | None = None


def take_snapshot(store: Store) -> StoreSnapshot:
    """Ping the store and read leases and queue counts (blocking: run it in a thread)."""
    started = time.monotonic()
    try:
        store.ping()
        leases = tuple(store.source_leases())
        stats = store.queue_stats()
    except WatcherError as exc:
        return StoreSnapshot(error=str(exc), latency=time.monotonic() - started)
    return StoreSnapshot(None, time.monotonic() - started, leases, stats)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def evaluate_health(*, now: datetime, started_at: datetime, snapshot: StoreSnapshot,
                    sources: Sequence[SourceExpectation],
                    polled_here: Mapping[str, datetime], instance: str,
                    stopping: bool = False) -> tuple[bool, dict[str, Any]]:
    """(healthy, details). Pure: every input is passed in, so tests need no clock."""
    store: dict[str, Any] = {"ok": snapshot.error is None,
                             "latency_ms": round(snapshot.latency * 1000, 1)}
    if snapshot.error:
        store["error"] = snapshot.error
    leases = {lease.name: lease for lease in snapshot.leases}
    checks: dict[str, Any] = {"store": store, "sources": {}}
    healthy = snapshot.error is None and not stopping
    for source in sources:
        lease = leases.get(source.name)
        candidates = [t for t in (lease.last_success_at if lease else None,
                                  polled_here.get(source.name)) if t is not None]
        last = max(candidates) if candidates else None
        # A fresh start gets the full allowance before it is judged (its first poll may
        # still be coming), whatever the store remembers from before.
        reference = max(last, started_at) if last else started_at
        age = max(0.0, (now - reference).total_seconds())
        stalled = age > source.stalled_after
        healthy = healthy and not stalled
        entry: dict[str, Any] = {
            "ok": not stalled,
            "last_success": _iso(last),
            "seconds_since": round(age, 1),
            "stalled_after": source.stalled_after,
        }
        if lease is not None:
            entry["polled_by"] = lease.holder
            if lease.last_error:
                entry["last_error"] = lease.last_error
        checks["sources"][source.name] = entry
    if snapshot.stats is not None:
        stats = snapshot.stats
        oldest = stats.oldest_pending_alert
        by_notifier: dict[str, dict[str, int]] = {}
        for (notifier, state), count in sorted(stats.outbox.items()):
            by_notifier.setdefault(notifier, {})[state] = count
        checks["outbox"] = {
            "backlog": stats.outbox_backlog,
            "oldest_pending_seconds": round((now - oldest).total_seconds(), 1) if oldest
            else None,
            "notifiers": by_notifier,
        }
        checks["filings"] = {state: stats.filings.get(state, 0)
                             for state in ("pending", "processing", "failed")}
    status = "stopping" if stopping else ("healthy" if healthy else "unhealthy")
    return healthy, {"status": status, "instance": instance, "checked_at": _iso(now),
                     "checks": checks}


# ------------------------------------------------------------------------------ HTTP

@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = field(default=())


Handler = Callable[[], Awaitable[Response]]


def json_response(status: int, value: Any,
                  headers: tuple[tuple[str, str], ...] = ()) -> Response:
    return Response(status, json.dumps(value, indent=2).encode() + b"\n", headers=headers)


def error_response(status: int, message: str,
                   headers: tuple[tuple[str, str], ...] = ()) -> Response:
    return json_response(status, {"error": message}, headers)


class HttpEndpoint:
    """GET/HEAD on fixed paths; every request must carry ``Bearer <token>`` when set."""

    def __init__(self, host: str, port: int, routes: Mapping[str, Handler],
                 token: str | None = None) -> None:
        self.host = host
        self.port = port
        self.routes = dict(routes)
        self._token = f"Bearer {token}".encode() if token else None
        self._server: asyncio.Server | None = None
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._slots.locked():  # over the cap: drop, a scraper retries
            writer.close()
            return
        async with self._slots:
            conn = h11.Connection(h11.SERVER)
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    request = await self._read_request(conn, reader)
                    if request is not None:
                        response = await self._answer(request)
                        self._write(conn, writer, request, response)
                        await writer.drain()
            except (TimeoutError, ConnectionError):
                pass
            except h11.ProtocolError as exc:
                if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    with contextlib.suppress(h11.ProtocolError, ConnectionError):
                        self._write(conn, writer, None,
                                    error_response(exc.error_status_hint, "bad request"))
                        await writer.drain()
                logger.debug("bad request on the service endpoint: %s", exc)
            finally:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()

    @staticmethod
    async def _read_request(conn: h11.Connection,
                            reader: asyncio.StreamReader) -> h11.Request | None:
        request: h11.Request | None = None
        received = 0
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(8192)
                received += len(data)
                if received > MAX_REQUEST_BYTES:
                    raise h11.RemoteProtocolError("request too large", 413)
                conn.receive_data(data)
            elif isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.EndOfMessage):
                return request
            elif isinstance(event, h11.ConnectionClosed):
                return None
            # h11.Data: a body on a GET, ignored

    async def _answer(self, request: h11.Request) -> Response:
        path = request.target.split(b"?", 1)[0].decode("ascii", "replace")
        if request.method not in (b"GET", b"HEAD"):
            return error_response(405, "method not allowed", (("allow", "GET, HEAD"),))
        if self._token is not None:
            given = dict(request.headers).get(b"authorization", b"")
            if not hmac.compare_digest(given, self._token):
                return error_response(401, "a bearer token is required",
                                      (("www-authenticate", 'Bearer realm="watcher"'),))
        handler = self.routes.get(path)
        if handler is None:
            return error_response(404, f"no such path; try {', '.join(sorted(self.routes))}")
        try:
            return await handler()
        except Exception:
            logger.exception("the service endpoint failed answering %s", path)
            return error_response(500, "internal error (see the daemon's log)")

    @staticmethod
    def _write(conn: h11.Connection, writer: asyncio.StreamWriter,
               request: h11.Request | None, response: Response) -> None:
        headers = [("content-type", response.content_type),
                   ("content-length", str(len(response.body))),
                   ("cache-control", "no-store"), ("connection", "close"),
                   *response.headers]
        writer.write(conn.send(h11.Response(status_code=response.status, headers=headers,
                                            reason=HTTPStatus(response.status).phrase)))
        if request is None or request.method != b"HEAD":
            writer.write(conn.send(h11.Data(data=response.body)))
        writer.write(conn.send(h11.EndOfMessage()))


# ------------------------------------------------------------------------------ wiring

class ServiceState(Protocol):
    """What the endpoint reads from the running daemon (``watcher.app.App``)."""

    store: Store | None
    clock: Clock
    instance: str
    started_at: datetime
    last_success: dict[str, datetime]
    stop: asyncio.Event

    def source_expectations(self) -> list[SourceExpectation]: ...


class ServiceEndpoint:
    """/healthz and /metrics for one daemon."""

    def __init__(self, state: ServiceState, host: str, port: int,
                 token: str | None = None) -> None:
        self.state = state
        self.http = HttpEndpoint(host, port, {"/healthz": self.healthz,
                                              "/metrics": self.metrics}, token)

    async def snapshot(self) -> StoreSnapshot:
        store = self.state.store
        if store is None:
            return StoreSnapshot(error="the store is not open")
        try:
            snapshot = await asyncio.wait_for(asyncio.to_thread(take_snapshot, store),
                                              STORE_CHECK_TIMEOUT)
        except TimeoutError:
            snapshot = StoreSnapshot(error=f"no answer within {STORE_CHECK_TIMEOUT:g}s",
                                     latency=STORE_CHECK_TIMEOUT)
        metrics.STORE_UP.set(snapshot.error is None)
        if snapshot.stats is not None:
            metrics.set_queue_gauges(snapshot.stats.filings, snapshot.stats.outbox)
        for lease in snapshot.leases:
            if lease.last_success_at is not None:
                metrics.LAST_SUCCESSFUL_POLL.labels(source=lease.name).set(
                    lease.last_success_at.timestamp())
        return snapshot

    async def health(self) -> tuple[bool, dict[str, Any]]:
        snapshot = await self.snapshot()
        return evaluate_health(now=self.state.clock.now(), started_at=self.state.started_at,
                               snapshot=snapshot, sources=self.state.source_expectations(),
                               polled_here=dict(self.state.last_success),
                               instance=self.state.instance,
                               stopping=self.state.stop.is_set())

    async def healthz(self) -> Response:
        healthy, details = await self.health()
        return json_response(200 if healthy else 503, details)

    async def metrics(self) -> Response:
        await self.snapshot()
        return Response(200, metrics.render(), metrics.CONTENT_TYPE)

    async def start(self) -> None:
        await self.http.start()
        logger.info("service endpoint listening on %s (/healthz, /metrics)", self.http.url)

    async def close(self) -> None:
        await self.http.close()


# ------------------------------------------------------------------------------ client

def probe_health(host: str, port: int, token: str | None = None,
                 timeout: float = 5.0) -> tuple[int, bytes]:
    """GET /healthz the way ``watcher health`` (and the Docker HEALTHCHECK) does: a wildcard
    listen address is reached on loopback. Raises OSError when nothing answers."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - a listen address, mapped to loopback
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        connection.request("GET", "/healthz", headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
