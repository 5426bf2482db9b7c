"""The one HTTP client of the process: SEC's User-Agent, a sliding-window rate limit shared
by every request to SEC's hosts, retries with exponential backoff and jitter for transient
failures, throttle pauses with operator events, bounded bodies (decompression included),
conditional GET for feeds, a disk cache for Archives documents and a host allow-list."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import os
import re
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from watcher import metrics
from watcher.clock import SYSTEM_CLOCK, Clock
from watcher.config import EdgarSettings
from watcher.errors import (
    FetchError,
    ForbiddenHostError,
    NotFoundError,
    ResponseTooLargeError,
    ThrottledError,
    TransientFetchError,
)
from watcher.events import EventKind, OperatorEvent

logger = logging.getLogger(__name__)

THROTTLE_MARKERS = (b"Request Rate Threshold Exceeded", b"Traffic Limit",
                    b"exceeded the SEC", b"maximum allowable requests")
S3_NOT_FOUND = re.compile(rb"<Code>\s*(AccessDenied|NoSuchKey)\s*</Code>")
FOREVER_PATHS = ("/Archives/edgar/data/",)  # filings never change once disseminated
CHUNK = 64 * 1024
_ERROR_BODY_LIMIT = 256 * 1024  # enough to recognise an error page, never more
_CACHE_ENTRY_LIMIT = 8 * 1024 * 1024

# Content types a caller may expect, by family.
XML_TYPES = ("xml", "atom", "rss")
JSON_TYPES = ("json",)
HTML_TYPES = ("html",)
TEXT_TYPES = ("text/plain",)


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET sends back: the ETag and Last-Modified of the last 200."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)

    def to_json(self) -> list[str | None]:
        return [self.etag, self.last_modified]

    @classmethod
    def from_json(cls, value: Any) -> Validators:
        if isinstance(value, list | tuple) and len(value) == 2:
            etag, modified = value
            return cls(etag if isinstance(etag, str) else None,
                       modified if isinstance(modified, str) else None)
        return cls()


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    from_cache: bool = False

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def validators(self) -> Validators:
        return Validators(self.headers.get("etag"), self.headers.get("last-modified"))


class Permit:
    """One request's place in the limiter window: held from the moment it is sent until its
    answer starts to arrive (``release``), then for one more window."""

    __slots__ = ("_limiter", "end")

    def __init__(self, limiter: SlidingWindowLimiter) -> None:
        self._limiter = limiter
        self.end: float | None = None

    def release(self) -> None:
        if self.end is None:
            self.end = self._limiter.clock.monotonic()
            self._limiter.changed.set()


class SlidingWindowLimiter:
    """At most ``limit`` requests in any window of ``window`` seconds, as the server counts
    them, across all tasks.

    A request counts from when it is sent until one window after its answer began: the
    server saw it at some moment in between, however late the network delivered it. So no
    window of the server's clock ever holds more than ``limit`` arrivals, even when
    connections are slow to open. A rate below one per second becomes one request per
    ``1/rate`` seconds."""

    def __init__(self, rate: float, clock: Clock) -> None:
        if rate >= 1:
            self._limit, self._window = math.floor(rate), 1.0
        else:
            self._limit, self._window = 1, 1.0 / rate
        self.clock = clock
        self._permits: list[Permit] = []
        self._lock = asyncio.Lock()
        self.changed = asyncio.Event()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def window(self) -> float:
        return self._window

    async def acquire(self) -> Permit:
        """A permit for one request; the caller releases it once the answer starts."""
        async with self._lock:
            while True:
                now = self.clock.monotonic()
                self._permits = [p for p in self._permits
                                 if p.end is None or now - p.end < self._window]
                if len(self._permits) < self._limit:
                    permit = Permit(self)
                    self._permits.append(permit)
                    return permit
                ended = [p.end for p in self._permits if p.end is not None]
                if ended:
                    await self.clock.sleep(self._window - (now - min(ended)))
                else:  # every place is taken by a request still in flight
                    self.changed.clear()
                    await self.changed.wait()


class ResponseCache:
    """Responses on disk, one file each, keyed by URL; the least recently used are evicted
    once the total passes ``max_bytes``. Entries carry the time they were stored, so callers
    can also keep things for a while (``max_age``) instead of forever."""

    _MAGIC = b"WATCHER-CACHE-1\n"

    def __init__(self, root: Path, max_bytes: int, clock: Clock) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._clock = clock
        self._total: int | None = None
        self._broken = False

    def _path(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode()).hexdigest()
        return self.root / digest[:2] / digest

    def get(self, url: str, max_age: float | None = None) -> FetchResult | None:
        if self._broken:
            return None
        path = self._path(url)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not data.startswith(self._MAGIC):
            return None
        head_end = data.find(b"\n", len(self._MAGIC))
        try:
            meta = json.loads(data[len(self._MAGIC):head_end])
        except ValueError:
            return None
        if max_age is not None and self._clock.now().timestamp() - meta["stored"] > max_age:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        return FetchResult(url=url, status=200, content=data[head_end + 1:],
                           headers=dict(meta["headers"]), from_cache=True)

    def put(self, result: FetchResult) -> None:
        if self._broken or self.max_bytes <= 0 or len(result.content) > _CACHE_ENTRY_LIMIT:
            return
        path = self._path(result.url)
        headers = {k: v for k, v in result.headers.items()
                   if k in ("content-type", "etag", "last-modified")}
        meta = json.dumps({"url": result.url, "stored": self._clock.now().timestamp(),
                           "headers": headers}).encode()
        try:
            if self._total is None:
                self._total = self._scan()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(self._MAGIC + meta + b"\n" + result.content)
            old = path.stat().st_size if path.exists() else 0
            tmp.replace(path)  # atomic: a reader never sees half an entry
            self._total += path.stat().st_size - old
            if self._total > self.max_bytes:
                self._evict()
        except OSError as exc:
            logger.warning("disk cache at %s is not usable (%s); caching is off", self.root,
                           exc)
            self._broken = True

    def _files(self) -> list[tuple[float, int, Path]]:
        found = []
        for path in self.root.glob("??/*"):
            with contextlib.suppress(OSError):
                st = path.stat()
                found.append((st.st_mtime, st.st_size, path))
        return found

    def _scan(self) -> int:
        return sum(size for _, size, _ in self._files())

    def _evict(self) -> None:
        files = sorted(self._files())
        total = sum(size for _, size, _ in files)
        target = int(self.max_bytes * 0.9)
        for _, size, path in files:
            if total <= target:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
        self._total = total


class _Decoder:
    """Content-Encoding, decoded in bounded steps: a gzip bomb never inflates more than one
    step past the caller's limit."""

    def __init__(self, encoding: str, url: str) -> None:
        self._url = url
        encodings = [e.strip().lower() for e in encoding.split(",") if e.strip()]
        encodings = [e for e in encodings if e != "identity"]
        if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip",
                                                                     "deflate")):
            raise FetchError(f"unsupported content encoding {encoding!r}", url=url)
        self._kind = encodings[0] if encodings else None
        self._zlib: Any = None
        if self._kind in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._kind == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        self._first = True

    def decode(self, data: bytes) -> Iterable[bytes]:
        if self._zlib is None:
            if data:
                yield data
            return
        buffer = data
        while buffer:
            try:
                out = self._zlib.decompress(buffer, CHUNK)
            except zlib.error as exc:
                if self._first and self._kind == "deflate":  # raw deflate, no zlib header
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._first = False
                    continue
                raise TransientFetchError(f"corrupt {self._kind} body: {exc}",
                                          url=self._url) from exc
            self._first = False
            if out:
                yield out
            if self._zlib.eof:
                rest = self._zlib.unused_data
                if not rest:
                    return
                self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)  # next gzip member
                buffer = rest
            else:
                buffer = self._zlib.unconsumed_tail

    def finish(self) -> None:
        if self._zlib is not None and not self._zlib.eof and self._kind != "deflate":
            raise TransientFetchError(f"truncated {self._kind} body", url=self._url)


def _expects(content_type: str, expect: Sequence[str] | None) -> bool:
    if not expect:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    return any(e in kind for e in expect)


class EdgarClient:
    """Every request to EDGAR (or another configured host) goes through one instance.

    SEC's hosts (``base_url`` and ``data_url``) share one limiter: SEC counts a user's
    requests across all of its hosts. Other allowed hosts (press-release feeds) get their
    own, politer limiter. ``on_event`` receives throttle events for operators."""

    def __init__(
        self,
        settings: EdgarSettings,
        *,
        clock: Clock = SYSTEM_CLOCK,
        extra_hosts: Iterable[str] = (),
        transport: httpx.AsyncBaseTransport | None = None,
        on_event: Callable[[OperatorEvent], None] | None = None,
    ) -> None:
        if not settings.user_agent:
            raise FetchError("edgar.user_agent is not set")
        self.settings = settings
        self._clock = clock
        self._sec_limiter = SlidingWindowLimiter(settings.max_requests_per_second, clock)
        self._limiters: dict[str, SlidingWindowLimiter] = {}
        self._paused_until = 0.0
        self._throttle_reported = False
        self._on_event = on_event
        self._validators: dict[str, Validators] = {}
        self.requests_sent = 0
        self.sec_hosts = {
            urlsplit(settings.base_url).netloc.lower(),
            urlsplit(settings.data_url).netloc.lower(),
        }
        self.allowed_hosts = set(self.sec_hosts)
        for host in extra_hosts:
            self.allow_host(host)
        self.cache = (ResponseCache(Path(settings.cache_dir).expanduser(),
                                    settings.cache_max_bytes, clock)
                      if settings.cache_dir else None)
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": settings.user_agent,
                "Accept-Encoding": "gzip, deflate",
            },
            timeout=httpx.Timeout(settings.timeout, connect=min(10.0, settings.timeout)),
            follow_redirects=False,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- hosts ------------------------------------------------------------------------
    def allow_host(self, host: str, rate: float = 1.0) -> None:
        """Also fetch from ``host`` (``name`` or ``name:port``), at most ``rate`` req/s."""
        host = host.lower()
        self.allowed_hosts.add(host)
        if host not in self.sec_hosts and host not in self._limiters:
            self._limiters[host] = SlidingWindowLimiter(rate, self._clock)

    def url(self, path: str, *, data: bool = False) -> str:
        """An absolute URL on the configured EDGAR host (or the data host)."""
        base = self.settings.data_url if data else self.settings.base_url
        return urljoin(base + "/", path.lstrip("/"))

    def check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() not in self.allowed_hosts:
            raise ForbiddenHostError(f"refusing to fetch {url}: host is not configured", url=url)

    def _limiter(self, url: str) -> SlidingWindowLimiter:
        host = urlsplit(url).netloc.lower()
        return self._limiters.get(host, self._sec_limiter)

    # -- throttling -------------------------------------------------------------------
    @property
    def paused_for(self) -> float:
        """Seconds left in a throttle pause (0 when requests flow)."""
        return max(0.0, self._paused_until - self._clock.monotonic())

    async def _wait_for_pause(self) -> None:
        remaining = self.paused_for
        if remaining > 0:
            logger.info("EDGAR asked us to slow down; waiting %.0fs", remaining)
            await self._clock.sleep(remaining)

    async def _slot(self, url: str) -> Permit:
        """Wait for any pause, then for the rate limit; a pause that starts while we wait
        in the limiter is honoured too."""
        is_sec = urlsplit(url).netloc.lower() in self.sec_hosts
        while True:
            if is_sec:
                await self._wait_for_pause()
            permit = await self._limiter(url).acquire()
            if not is_sec or self.paused_for <= 0:
                self.requests_sent += 1
                return permit
            permit.release()

    def _emit(self, kind: EventKind, message: str, **details: Any) -> None:
        if self._on_event is not None:
            self._on_event(OperatorEvent(kind, message, self._clock.now(), details=details))

    # -- requests ---------------------------------------------------------------------
    def _retrying(self, attempts: int) -> AsyncRetrying:
        def log_retry(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            delay = state.next_action.sleep if state.next_action else 0.0
            logger.warning("transient failure fetching %s (%s); retry %d/%d in %.1fs",
                           getattr(exc, "url", "?"), exc, state.attempt_number,
                           attempts - 1, delay)

        return AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential_jitter(multiplier=self.settings.backoff_initial,
                                         max=self.settings.backoff_max,
                                         jitter=self.settings.backoff_initial),
            retry=retry_if_exception_type(TransientFetchError),
            sleep=self._clock.sleep,
            before_sleep=log_retry,
            reraise=True,
        )

    async def get(
        self,
        url: str,
        *,
        conditional: bool = False,
        validators: Validators | None = None,
        max_bytes: int | None = None,
        retries: int | None = None,
        expect: Sequence[str] | None = None,
        cache_ttl: float | None = None,
    ) -> FetchResult:
        """GET with the rate limit, retries and classification; 304 is returned, not raised.

        ``conditional`` sends ``validators`` (or those of the last 200 for this URL);
        ``expect`` lists acceptable content-type fragments; Archives documents come from the
        disk cache when there, as does anything younger than ``cache_ttl`` seconds."""
        self.check_host(url)
        cacheable = self.cache is not None and (
            cache_ttl is not None or urlsplit(url).path.startswith(FOREVER_PATHS))
        if cacheable and self.cache is not None:
            hit = await asyncio.to_thread(self.cache.get, url, cache_ttl)
            if hit is not None and _expects(hit.content_type, expect):
                return hit
        attempts = (self.settings.retries if retries is None else retries) + 1
        limit = max_bytes or self.settings.max_document_bytes
        sent = validators if validators is not None else self._validators.get(url)
        result: FetchResult | None = None
        async for attempt in self._retrying(attempts):
            with attempt:
                result = await self._get_once(url, validators=sent if conditional else None,
                                              max_bytes=limit, expect=expect)
        assert result is not None
        if conditional and result.status == 200:
            self._validators[url] = result.validators
        if cacheable and self.cache is not None and result.status == 200:
            await asyncio.to_thread(self.cache.put, result)
        return result

    async def _get_once(self, url: str, *, validators: Validators | None, max_bytes: int,
                        expect: Sequence[str] | None) -> FetchResult:
        headers = {}
        if validators is not None:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        permit = await self._slot(url)
        try:
            async with asyncio.timeout(self.settings.timeout * 3), \
                    self._client.stream("GET", url, headers=headers) as response:
                permit.release()  # the server has seen the request by now
                limit = max_bytes if response.status_code == 200 else \
                    min(max_bytes, _ERROR_BODY_LIMIT)
                body = b"".join([chunk async for chunk in self._body(response, url, limit,
                                                                     truncate=limit != max_bytes)])
        except TimeoutError as exc:
            raise _request_failed("timed out reading the response", url) from exc
        except httpx.TimeoutException as exc:
            raise _request_failed(f"timed out: {type(exc).__name__}", url) from exc
        except httpx.TransportError as exc:
            raise _request_failed(f"connection failed: {exc!r}", url) from exc
        finally:
            permit.release()
        result = FetchResult(url=url, status=response.status_code, content=body,
                             headers={k.lower(): v for k, v in response.headers.items()})
        self._classify(result)
        if result.status == 200 and not _expects(result.content_type, expect):
            raise FetchError(f"unexpected content type {result.content_type!r} "
                             f"(expected {', '.join(expect or ())})", url=url, status=200)
        return result

    async def _body(self, response: httpx.Response, url: str, max_bytes: int, *,
                    truncate: bool = False) -> AsyncIterator[bytes]:
        """The decoded body, refused (or, for error pages, cut) past ``max_bytes``."""
        declared = response.headers.get("content-length", "")
        if not truncate and declared.isdigit() and int(declared) > max_bytes and \
                "content-encoding" not in response.headers:
            raise ResponseTooLargeError(
                f"response of {int(declared)} bytes exceeds the limit of {max_bytes}", url=url)
        decoder = _Decoder(response.headers.get("content-encoding", ""), url)
        size = 0
        async for raw in response.aiter_raw(CHUNK):
            for chunk in decoder.decode(raw):
                size += len(chunk)
                if size > max_bytes:
                    if truncate:
                        yield chunk[:max(0, max_bytes - (size - len(chunk)))]
                        return
                    raise ResponseTooLargeError(
                        f"response exceeds the limit of {max_bytes} bytes"
                        + (" once decompressed" if response.headers.get("content-encoding")
                           else ""), url=url)
                yield chunk
        decoder.finish()

    @asynccontextmanager
    async def stream(self, url: str, *, max_bytes: int | None = None,
                     expect: Sequence[str] | None = None,
                     retries: int | None = None) -> AsyncIterator[AsyncIterator[bytes]]:
        """Stream a large body (a full submission): the caller may stop early, which closes
        the connection. Opening is retried like ``get``; a failure mid-body is raised."""
        self.check_host(url)
        limit = max_bytes or self.settings.max_document_bytes
        attempts = (self.settings.retries if retries is None else retries) + 1
        stack = contextlib.AsyncExitStack()
        response: httpx.Response | None = None
        async for attempt in self._retrying(attempts):
            with attempt:
                await stack.aclose()
                stack = contextlib.AsyncExitStack()
                response = await self._open_stream(stack, url, expect)
        assert response is not None
        try:
            async with contextlib.aclosing(self._stream_body(response, url, limit)) as body:
                yield body
        finally:
            await stack.aclose()

    async def _open_stream(self, stack: contextlib.AsyncExitStack, url: str,
                           expect: Sequence[str] | None) -> httpx.Response:
        permit = await self._slot(url)
        stack.callback(permit.release)
        try:
            response = await stack.enter_async_context(self._client.stream("GET", url))
            permit.release()
            if response.status_code != 200:
                body = b"".join([c async for c in self._body(response, url,
                                                             _ERROR_BODY_LIMIT,
                                                             truncate=True)])
                self._classify(FetchResult(url, response.status_code, body,
                                           {k.lower(): v for k, v in response.headers.items()}))
        except httpx.TimeoutException as exc:
            await stack.aclose()
            raise _request_failed(f"timed out: {type(exc).__name__}", url) from exc
        except httpx.TransportError as exc:
            await stack.aclose()
            raise _request_failed(f"connection failed: {exc!r}", url) from exc
        except BaseException:
            await stack.aclose()
            raise
        content_type = response.headers.get("content-type", "")
        if not _expects(content_type, expect):
            await stack.aclose()
            raise FetchError(f"unexpected content type {content_type!r}", url=url, status=200)
        self._throttle_over()
        return response

    async def _stream_body(self, response: httpx.Response, url: str,
                           max_bytes: int) -> AsyncGenerator[bytes, None]:
        try:
            async for chunk in self._body(response, url, max_bytes):
                yield chunk
        except httpx.TimeoutException as exc:
            raise TransientFetchError(f"timed out: {type(exc).__name__}", url=url) from exc
        except httpx.TransportError as exc:
            raise TransientFetchError(f"connection failed: {exc!r}", url=url) from exc

    def _throttle_over(self) -> None:
        if self._throttle_reported and self.paused_for <= 0:
            self._throttle_reported = False
            self._emit("throttle_lifted", "EDGAR answers again after a throttle pause")

    def _classify(self, result: FetchResult) -> None:
        status = result.status
        metrics.EDGAR_REQUESTS.labels(status=str(status)).inc()
        if status in (200, 304):
            self._throttle_over()
            return
        throttle_page = status == 403 and any(m in result.content for m in THROTTLE_MARKERS)
        if status == 429 or throttle_page:
            pause = retry_after_seconds(result.headers.get("retry-after"), self._clock.now()) \
                or self.settings.throttle_pause
            self._paused_until = max(self._paused_until, self._clock.monotonic() + pause)
            metrics.throttled(pause)
            logger.error("EDGAR throttled us (HTTP %d on %s); pausing all requests for %.0fs",
                         status, result.url, pause)
            self._throttle_reported = True
            self._emit("throttled", f"EDGAR throttled us (HTTP {status}); all requests paused "
                       f"for {pause:.0f}s", url=result.url, status=status,
                       pause_seconds=pause)
            raise ThrottledError(f"throttled by EDGAR (HTTP {status})", url=result.url,
                                 status=status, retry_after=pause)
        if status == 404 or (status == 403 and S3_NOT_FOUND.search(result.content)):
            raise NotFoundError(f"not found (HTTP {status})", url=result.url, status=status)
        if status >= 500 or status == 408:
            raise TransientFetchError(f"server error (HTTP {status})", url=result.url,
                                      status=status)
        if 300 <= status < 400:
            location = result.headers.get("location", "")
            raise FetchError(f"unexpected redirect (HTTP {status}) to {location!r}",
                             url=result.url, status=status)
        raise FetchError(f"unexpected answer (HTTP {status})", url=result.url, status=status)


def _request_failed(message: str, url: str) -> TransientFetchError:
    """A request that got no answer: counted as status "error" and worth retrying."""
    metrics.EDGAR_REQUESTS.labels(status="error").inc()
    return TransientFetchError(message, url=url)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """An HTTP Retry-After header (seconds or an HTTP date) as seconds from ``now``; used for
    EDGAR's throttling and for notifiers' receivers alike."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())
