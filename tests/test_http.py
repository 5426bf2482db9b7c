"""The shared EDGAR client against the fake EDGAR: classification, retries, throttling,
bounded bodies, conditional GET, the disk cache and the host allow-list."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from watcher.demo.fake_edgar import FakeEdgar, Reply, gzip_bomb, zeros
from watcher.errors import (
    FetchError,
    ForbiddenHostError,
    NotFoundError,
    ResponseTooLargeError,
    ThrottledError,
    TransientFetchError,
)
from watcher.events import OperatorEvent
from watcher.http import JSON_TYPES, XML_TYPES, SlidingWindowLimiter, Validators

from tests.support.clock import FakeClock
from tests.support.edgar import edgar_client, samples

DOC = "/Archives/edgar/data/1/000000000125000001/doc.htm"


def serve(edgar: FakeEdgar, path: str, reply: Reply) -> None:
    edgar.routes[path] = reply


def failing_first(times: int, reply: Reply, then: Reply):  # type: ignore[no-untyped-def]
    """A fault answering ``reply`` to the first ``times`` requests of DOC, then ``then``."""
    calls = {"n": 0}

    def fault(path: str) -> Reply | None:
        if path != DOC:
            return None
        calls["n"] += 1
        return reply if calls["n"] <= times else then
    return fault


# -- the rate limit -------------------------------------------------------------------

async def test_limiter_never_allows_more_than_the_rate_in_any_one_second_window() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(8, clock)
    times = []
    for _ in range(50):
        (await limiter.acquire()).release()
        times.append(clock.monotonic())
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) == 8
    assert times[-1] - times[0] >= 5.0  # 50 requests at 8/s need more than 5 seconds


async def test_limiter_below_one_request_per_second_spaces_requests_out() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(0.5, clock)
    (await limiter.acquire()).release()
    (await limiter.acquire()).release()
    assert clock.monotonic() - 1000.0 == pytest.approx(2.0)


async def test_a_request_still_in_flight_keeps_its_place_in_the_window() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(1, clock)
    first = await limiter.acquire()
    waiting = asyncio.ensure_future(limiter.acquire())
    for _ in range(5):
        await asyncio.sleep(0)  # let the waiter run: it must still be waiting
    assert not waiting.done()
    clock.advance(30)  # however long the first answer takes...
    first.release()  # ...its place is free one window after it arrived
    (await waiting).release()
    assert clock.monotonic() - 1000.0 == pytest.approx(31.0)


# -- answers and their meaning ----------------------------------------------------------

async def test_a_plain_get_sends_the_declared_user_agent_and_accepts_gzip(
        fake_edgar: FakeEdgar) -> None:
    serve(fake_edgar, DOC, Reply(200, b"<html>" + b"x" * 5000 + b"</html>"))
    async with edgar_client(fake_edgar) as client:
        result = await client.get(fake_edgar.base_url + DOC)
    assert result.content.endswith(b"x</html>") and len(result.content) == 5013
    sent = fake_edgar.requests_to(DOC)[0].headers
    assert sent["user-agent"] == "Watcher Tests tests@example.invalid"
    assert "gzip" in sent["accept-encoding"]


async def test_404_with_s3_xml_is_not_found(fake_edgar: FakeEdgar) -> None:
    body = (samples() / "errors" / "submissions_CIK-000000001.json.404.xml").read_bytes()
    serve(fake_edgar, DOC, Reply(404, body, "application/xml"))
    async with edgar_client(fake_edgar) as client:
        with pytest.raises(NotFoundError):
            await client.get(fake_edgar.base_url + DOC)
    assert len(fake_edgar.requests_to(DOC)) == 1  # not retried


async def test_403_with_s3_access_denied_xml_is_not_found_not_throttling(
        fake_edgar: FakeEdgar) -> None:
    body = (samples() / "errors" / "full-index_2099_QTR1_form.gz.403.xml").read_bytes()
    serve(fake_edgar, DOC, Reply(403, body, "application/xml"))
    events: list[OperatorEvent] = []
    async with edgar_client(fake_edgar, events=events) as client:
        with pytest.raises(NotFoundError):
            await client.get(fake_edgar.base_url + DOC)
        assert client.paused_for == 0
    assert events == []


async def test_5xx_is_retried_with_exponential_backoff_and_jitter(fake_edgar: FakeEdgar) -> None:
    clock = FakeClock()
    fake_edgar.faults.append(failing_first(3, Reply(502, b"bad gateway"), Reply(200, b"ok")))
    async with edgar_client(fake_edgar, clock=clock, backoff_initial=1.0,
                            backoff_max=60.0) as client:
        result = await client.get(fake_edgar.base_url + DOC)
    assert result.content == b"ok"
    assert len(fake_edgar.requests_to(DOC)) == 4
    waits = [s for s in clock.slept if s > 0.01]
    assert len(waits) == 3
    for n, wait in enumerate(waits):  # 1, 2, 4 seconds, each plus up to 1 s of jitter
        assert 2 ** n <= wait <= 2 ** n + 1.0


async def test_retries_give_up_after_the_configured_number(fake_edgar: FakeEdgar) -> None:
    fake_edgar.faults.append(failing_first(100, Reply(503, b"down"), Reply(200, b"ok")))
    async with edgar_client(fake_edgar, retries=2) as client:
        with pytest.raises(TransientFetchError) as caught:
            await client.get(fake_edgar.base_url + DOC)
    assert caught.value.status == 503
    assert len(fake_edgar.requests_to(DOC)) == 3


async def test_an_unexpected_4xx_is_an_error_without_retry(fake_edgar: FakeEdgar) -> None:
    serve(fake_edgar, DOC, Reply(400, b"bad request"))
    async with edgar_client(fake_edgar) as client:
        with pytest.raises(FetchError) as caught:
            await client.get(fake_edgar.base_url + DOC)
    assert caught.value.status == 400 and not isinstance(caught.value, TransientFetchError)
    assert len(fake_edgar.requests_to(DOC)) == 1


# -- throttling ---------------------------------------------------------------------------

async def test_429_with_retry_after_pauses_the_whole_client_for_that_long(
        fake_edgar: FakeEdgar) -> None:
    clock = FakeClock()
    fake_edgar.timer = clock.monotonic
    events: list[OperatorEvent] = []
    fake_edgar.faults.append(failing_first(1, Reply(429, b"", headers={"Retry-After": "120"}),
                                           Reply(200, b"ok")))
    other = "/Archives/edgar/data/2/000000000225000001/other.htm"
    serve(fake_edgar, other, Reply(200, b"other"))
    async with edgar_client(fake_edgar, clock=clock, events=events) as client:
        with pytest.raises(ThrottledError) as caught:
            await client.get(fake_edgar.base_url + DOC)
        throttled_at = clock.monotonic()
        assert caught.value.retry_after == 120
        assert client.paused_for == pytest.approx(120)
        # Any request, to any URL, waits for the pause to end.
        assert (await client.get(fake_edgar.base_url + other)).content == b"other"
        assert (await client.get(fake_edgar.base_url + DOC)).content == b"ok"
    arrivals = [r.at for r in fake_edgar.requests]
    assert arrivals[0] == throttled_at
    assert all(at >= throttled_at + 120 for at in arrivals[1:])
    assert [e.kind for e in events] == ["throttled", "throttle_lifted"]
    assert events[0].details["pause_seconds"] == 120


async def test_sec_throttle_page_with_403_pauses_ten_minutes_on_a_fake_clock(
        fake_edgar: FakeEdgar) -> None:
    page = (samples() / "errors" / "rate-exceeded.html").read_bytes()
    clock = FakeClock()
    fake_edgar.timer = clock.monotonic
    events: list[OperatorEvent] = []
    fake_edgar.faults.append(failing_first(1, Reply(403, page), Reply(200, b"ok")))
    async with edgar_client(fake_edgar, clock=clock, events=events) as client:
        with pytest.raises(ThrottledError) as caught:
            await client.get(fake_edgar.base_url + DOC)
        assert caught.value.retry_after == 600
        assert (await client.get(fake_edgar.base_url + DOC)).content == b"ok"
    first, second = (r.at for r in fake_edgar.requests_to(DOC))
    assert second - first >= 600
    assert events[0].kind == "throttled" and events[0].details["status"] == 403


async def test_retry_after_as_an_http_date_is_honoured(fake_edgar: FakeEdgar) -> None:
    clock = FakeClock()
    fake_edgar.faults.append(failing_first(
        1, Reply(429, b"", headers={"Retry-After": "Tue, 04 Mar 2025 15:05:00 GMT"}),
        Reply(200, b"ok")))
    async with edgar_client(fake_edgar, clock=clock) as client:
        with pytest.raises(ThrottledError) as caught:
            await client.get(fake_edgar.base_url + DOC)
    assert caught.value.retry_after == pytest.approx(300)  # the clock says 15:00:00 UTC


# -- broken responses -------------------------------------------------------------------

async def test_a_truncated_body_is_retried_and_the_whole_body_returned(
        fake_edgar: FakeEdgar) -> None:
    body = b"<html>" + bytes(range(256)) * 40 + b"</html>"
    fake_edgar.faults.append(failing_first(2, Reply(200, body, truncate_to=100,
                                                    headers={"Content-Encoding": "identity"}),
                                           Reply(200, body)))
    async with edgar_client(fake_edgar) as client:
        result = await client.get(fake_edgar.base_url + DOC)
    assert result.content == body
    assert len(fake_edgar.requests_to(DOC)) == 3


async def test_a_slow_response_times_out_and_is_retried(fake_edgar: FakeEdgar) -> None:
    fake_edgar.faults.append(failing_first(1, Reply(200, b"late", delay=1.0),
                                           Reply(200, b"on time")))
    async with edgar_client(fake_edgar, timeout=0.2) as client:
        result = await client.get(fake_edgar.base_url + DOC)
    assert result.content == b"on time"
    assert len(fake_edgar.requests_to(DOC)) == 2


async def test_a_connection_reset_is_retried(fake_edgar: FakeEdgar) -> None:
    fake_edgar.faults.append(failing_first(2, Reply(200, b"", reset=True), Reply(200, b"ok")))
    async with edgar_client(fake_edgar) as client:
        result = await client.get(fake_edgar.base_url + DOC)
    assert result.content == b"ok"
    assert len(fake_edgar.requests_to(DOC)) == 3


async def test_a_wrong_content_type_is_refused_without_retry(fake_edgar: FakeEdgar) -> None:
    serve(fake_edgar, DOC, Reply(200, b"<html>We are down for maintenance</html>",
                                 "text/html"))
    async with edgar_client(fake_edgar) as client:
        with pytest.raises(FetchError, match="unexpected content type 'text/html'"):
            await client.get(fake_edgar.base_url + DOC, expect=XML_TYPES)
        with pytest.raises(FetchError, match="unexpected content type"):
            await client.get(fake_edgar.base_url + DOC, expect=JSON_TYPES)
    assert len(fake_edgar.requests_to(DOC)) == 2


async def test_a_gzip_bomb_is_stopped_at_the_size_limit(fake_edgar: FakeEdgar) -> None:
    bomb = gzip_bomb(64 * 1024 * 1024)
    assert len(bomb) < 200_000
    serve(fake_edgar, DOC, Reply(200, bomb, headers={"Content-Encoding": "gzip"}))
    async with edgar_client(fake_edgar, max_document_bytes=1024 * 1024) as client:
        with pytest.raises(ResponseTooLargeError, match="once decompressed"):
            await client.get(fake_edgar.base_url + DOC)
    assert len(fake_edgar.requests_to(DOC)) == 1


async def test_a_100_mb_document_is_refused_from_its_declared_length(
        fake_edgar: FakeEdgar) -> None:
    produced: list[int] = []
    size = 100 * 1024 * 1024

    def counted() -> object:
        for chunk in zeros(size)():
            produced.append(len(chunk))
            yield chunk

    serve(fake_edgar, DOC, Reply(200, b"", "text/html", stream=counted,  # type: ignore[arg-type]
                                 length=size))
    async with edgar_client(fake_edgar) as client:
        with pytest.raises(ResponseTooLargeError, match="104857600 bytes exceeds"):
            await client.get(fake_edgar.base_url + DOC)
    assert len(fake_edgar.requests_to(DOC)) == 1


async def test_a_100_mb_document_without_a_length_is_cut_at_the_limit(
        fake_edgar: FakeEdgar) -> None:
    produced: list[int] = []
    size = 100 * 1024 * 1024

    def counted() -> object:
        for chunk in zeros(size)():
            produced.append(len(chunk))
            yield chunk

    serve(fake_edgar, DOC, Reply(200, b"", "text/html", stream=counted))  # type: ignore[arg-type]
    async with edgar_client(fake_edgar, max_document_bytes=2 * 1024 * 1024) as client:
        with pytest.raises(ResponseTooLargeError):
            await client.get(fake_edgar.base_url + DOC)
    assert sum(produced) < size  # the server was cut off, not read to the end


# -- conditional GET, cache, hosts -------------------------------------------------------

async def test_conditional_get_sends_validators_and_returns_304(fake_edgar: FakeEdgar) -> None:
    serve(fake_edgar, DOC, Reply(200, b"feed", "application/atom+xml", {"ETag": '"v1"'}))
    async with edgar_client(fake_edgar) as client:
        first = await client.get(fake_edgar.base_url + DOC, conditional=True)
        assert first.validators == Validators('"v1"', None)
        serve(fake_edgar, DOC, Reply(304, b"", "application/atom+xml", {"ETag": '"v1"'}))
        second = await client.get(fake_edgar.base_url + DOC, conditional=True,
                                  validators=first.validators)
    assert second.not_modified
    assert fake_edgar.requests_to(DOC)[1].headers["if-none-match"] == '"v1"'
    assert "if-none-match" not in fake_edgar.requests_to(DOC)[0].headers


async def test_archives_documents_come_from_the_disk_cache_after_the_first_fetch(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    serve(fake_edgar, DOC, Reply(200, b"<html>exhibit</html>"))
    async with edgar_client(fake_edgar, tmp_path / "cache") as client:
        first = await client.get(fake_edgar.base_url + DOC)
    async with edgar_client(fake_edgar, tmp_path / "cache") as client:  # a restart
        again = await client.get(fake_edgar.base_url + DOC)
    assert not first.from_cache and again.from_cache
    assert again.content == b"<html>exhibit</html>"
    assert len(fake_edgar.requests_to(DOC)) == 1


async def test_feeds_are_never_cached_forever(fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    feed = "/cgi-bin/browse-edgar?action=getcurrent"
    serve(fake_edgar, feed, Reply(200, b"<feed/>", "application/atom+xml"))
    async with edgar_client(fake_edgar, tmp_path / "cache") as client:
        await client.get(fake_edgar.base_url + feed)
        await client.get(fake_edgar.base_url + feed)
    assert len(fake_edgar.requests_to(feed)) == 2


async def test_the_disk_cache_evicts_the_least_recently_used_past_its_bound(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    paths = [f"/Archives/edgar/data/1/000000000125000001/doc{n}.htm" for n in range(6)]
    for path in paths:
        serve(fake_edgar, path, Reply(200, b"x" * 10_000))
    async with edgar_client(fake_edgar, tmp_path / "cache", cache_max_bytes=35_000) as client:
        for path in paths:
            await client.get(fake_edgar.base_url + path)
        assert client.cache is not None
        stored = sum(p.stat().st_size for p in (tmp_path / "cache").glob("??/*"))
        assert stored <= 35_000
        assert (await client.get(fake_edgar.base_url + paths[-1])).from_cache
        assert not (await client.get(fake_edgar.base_url + paths[0])).from_cache


async def test_a_cache_ttl_keeps_a_non_archives_file_for_that_long(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    path = "/files/company_tickers.json"
    serve(fake_edgar, path, Reply(200, b"{}", "application/json"))
    clock = FakeClock()
    async with edgar_client(fake_edgar, tmp_path / "cache", clock=clock) as client:
        await client.get(fake_edgar.base_url + path, cache_ttl=3600)
        assert (await client.get(fake_edgar.base_url + path, cache_ttl=3600)).from_cache
        clock.advance(3601)
        assert not (await client.get(fake_edgar.base_url + path, cache_ttl=3600)).from_cache
    assert len(fake_edgar.requests_to(path)) == 2


async def test_hosts_that_are_not_configured_are_never_fetched(fake_edgar: FakeEdgar) -> None:
    async with edgar_client(fake_edgar) as client:
        with pytest.raises(ForbiddenHostError):
            await client.get("https://attacker.example/Archives/edgar/data/1/x.htm")
        with pytest.raises(ForbiddenHostError):
            await client.get("file:///etc/passwd")
    assert fake_edgar.requests == []


async def test_a_stream_can_stop_early_and_closes_the_connection(fake_edgar: FakeEdgar) -> None:
    produced: list[int] = []

    def counted() -> object:
        for chunk in zeros(64 * 1024 * 1024, chunk=64 * 1024)():
            produced.append(len(chunk))
            yield chunk

    serve(fake_edgar, DOC, Reply(200, b"", "text/plain", stream=counted))  # type: ignore[arg-type]
    async with edgar_client(fake_edgar) as client:
        received = 0
        async with client.stream(fake_edgar.base_url + DOC,
                                 max_bytes=128 * 1024 * 1024) as body:
            async for chunk in body:
                received += len(chunk)
                if received > 256 * 1024:
                    break
    assert received > 256 * 1024
    assert sum(produced) < 64 * 1024 * 1024
