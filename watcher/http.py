"""The one HTTP client of the process: SEC's User-Agent, a sliding-window rate limit shared
by every request, retries with backoff for transient failures, throttle pauses, a body-size
limit that also bounds decompression, conditional GET for feeds and a host allow-list."""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

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

logger = logging.getLogger(__name__)

THROTTLE_MARKERS = (b"Request Rate Threshold Exceeded", b"Traffic Limit", b"exceeded the SEC")
S3_NOT_FOUND = re.compile(rb"<Code>\s*(AccessDenied|NoSuchKey)\s*</Code>")
DEFAULT_THROTTLE_PAUSE = 600.0


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class SlidingWindowLimiter:
    """At most ``rate`` requests in any window of ``window`` seconds, across all tasks."""

    def __init__(self, rate: float, clock: Clock, window: float = 1.0) -> None:
        self._limit = max(1, int(rate))
        self._window = window
        self._clock = clock
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock.monotonic()
                while self._sent and now - self._sent[0] >= self._window:
                    self._sent.popleft()
                if len(self._sent) < self._limit:
                    self._sent.append(now)
                    return
                await self._clock.sleep(self._window - (now - self._sent[0]) + 0.001)


class EdgarClient:
    """Every request to EDGAR (or another configured host) goes through one instance."""

    def __init__(
        self,
        settings: EdgarSettings,
        *,
        clock: Clock = SYSTEM_CLOCK,
        extra_hosts: Iterable[str] = (),
        transport: httpx.AsyncBaseTransport | None = None,
        on_throttle: Callable[[float, str], None] | None = None,
    ) -> None:
        if not settings.user_agent:
            raise FetchError("edgar.user_agent is not set")
        self.settings = settings
        self._clock = clock
        self._limiter = SlidingWindowLimiter(settings.max_requests_per_second, clock)
        self._paused_until = 0.0
        self._on_throttle = on_throttle
        self._validators: dict[str, tuple[str | None, str | None]] = {}
        self.allowed_hosts = {
            urlsplit(settings.base_url).netloc.lower(),
            urlsplit(settings.data_url).netloc.lower(),
            *(h.lower() for h in extra_hosts),
        }
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

    def url(self, path: str, *, data: bool = False) -> str:
        """An absolute URL on the configured EDGAR host (or the data host)."""
        base = self.settings.data_url if data else self.settings.base_url
        return urljoin(base + "/", path.lstrip("/"))

    def check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() not in self.allowed_hosts:
            raise ForbiddenHostError(f"refusing to fetch {url}: host is not configured", url=url)

    async def get(
        self,
        url: str,
        *,
        conditional: bool = False,
        max_bytes: int | None = None,
        retries: int | None = None,
    ) -> FetchResult:
        """GET with the rate limit, retries and classification; 304 is returned, not raised."""
        self.check_host(url)
        attempts = (self.settings.retries if retries is None else retries) + 1
        limit = max_bytes or self.settings.max_document_bytes
        for attempt in range(1, attempts + 1):
            try:
                return await self._get_once(url, conditional=conditional, max_bytes=limit)
            except TransientFetchError as exc:
                if attempt >= attempts:
                    raise
                delay = min(60.0, 0.5 * 2 ** (attempt - 1)) * (0.5 + random.random())  # noqa: S311 - jitter, not security
                logger.warning(
                    "transient failure fetching %s (%s); retry %d/%d in %.1fs",
                    url, exc.message, attempt, attempts - 1, delay,
                )
                await self._clock.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _wait_for_pause(self) -> None:
        remaining = self._paused_until - self._clock.monotonic()
        if remaining > 0:
            logger.info("EDGAR asked us to slow down; waiting %.0fs", remaining)
            await self._clock.sleep(remaining)

    async def _get_once(self, url: str, *, conditional: bool, max_bytes: int) -> FetchResult:
        await self._wait_for_pause()
        await self._limiter.acquire()
        headers = {}
        if conditional and url in self._validators:
            etag, modified = self._validators[url]
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                body = await self._read_limited(response, url, max_bytes)
        except httpx.TimeoutException as exc:
            metrics.EDGAR_REQUESTS.labels(status="error").inc()
            raise TransientFetchError(f"timed out: {type(exc).__name__}", url=url) from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            metrics.EDGAR_REQUESTS.labels(status="error").inc()
            raise TransientFetchError(f"connection failed: {exc!r}", url=url) from exc
        result = FetchResult(
            url=url,
            status=response.status_code,
            content=body,
            headers={k.lower(): v for k, v in response.headers.items()},
        )
        self._classify(result)
        if conditional and result.status == 200:
            self._validators[url] = (
                result.headers.get("etag"), result.headers.get("last-modified")
            )
        return result

    async def _read_limited(self, response: httpx.Response, url: str, max_bytes: int) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes and \
                "content-encoding" not in response.headers:
            raise ResponseTooLargeError(
                f"response of {int(declared)} bytes exceeds the limit of {max_bytes}", url=url
            )
        chunks = []
        size = 0
        # aiter_bytes yields decompressed bytes, so this also stops a gzip bomb early.
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise ResponseTooLargeError(
                    f"response exceeds the limit of {max_bytes} bytes", url=url
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _classify(self, result: FetchResult) -> None:
        status = result.status
        metrics.EDGAR_REQUESTS.labels(status=str(status)).inc()
        if status in (200, 304):
            return
        if status == 429 or (status == 403 and any(m in result.content for m in THROTTLE_MARKERS)):
            pause = _retry_after(result.headers.get("retry-after"), self._clock) \
                or DEFAULT_THROTTLE_PAUSE
            self._paused_until = max(self._paused_until, self._clock.monotonic() + pause)
            metrics.throttled(pause)
            logger.error("EDGAR throttled us (HTTP %d on %s); pausing all requests for %.0fs",
                         status, result.url, pause)
            if self._on_throttle is not None:
                self._on_throttle(pause, result.url)
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


def _retry_after(value: str | None, clock: Clock) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - clock.now()).total_seconds())
