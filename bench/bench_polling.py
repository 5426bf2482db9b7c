"""Polling EDGAR, measured against the fake EDGAR (no network):

1. requests per idle poll of the latest-filings source (target: 1, answered 304);
2. backfill throughput in filings/s at the configured request rate (default 8/s);
3. alert latency: a filing appearing in the fake feed -> its webhook received, with the
   feed polled every second (DESIGN section 7: p95 under poll interval + 2 s).

Run: .venv/bin/python bench/bench_polling.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.support.receiver import WebhookReceiver  # noqa: E402
from watcher.app import App  # noqa: E402
from watcher.config import Config, parse_config  # noqa: E402
from watcher.demo import fixture_bytes  # noqa: E402
from watcher.demo.fake_edgar import FakeDocument, FakeEdgar, FakeFiling  # noqa: E402
from watcher.logs import configure_logging  # noqa: E402

CIK = 9900901
COMPANY = "Halvard Biotherapeutics, Inc."
USER_AGENT = "watcher bench bench@example.invalid"
PARTNERS = ["Arbelis", "Brevant", "Cindra", "Dovaris", "Elmora", "Fenwick", "Galdren",
            "Hestia", "Irvane", "Jorvik", "Kestrel", "Lumara", "Morvant", "Nerith", "Ostrel",
            "Pavena", "Quorin", "Ravella", "Solvane", "Tarvik", "Umbria", "Velcor", "Wendal",
            "Xavora", "Yselle", "Zephra"]


def release(n: int) -> bytes:
    """A fictional release licensing a new product to a new partner: always an alert."""
    text = fixture_bytes("halvard-2024-03-04-ex99-1.txt").decode()
    partner = PARTNERS[n % len(PARTNERS)] + ("" if n < len(PARTNERS) else str(n))
    text = text.replace("CORVANE", partner.upper()).replace("Corvane", partner)
    return text.replace("HLV-101", f"HLV-{200 + n}").encode()


def filing(n: int, filed: date, *, exhibit: bool = True) -> FakeFiling:
    documents = [FakeDocument("8-K", f"hlvd-{n}.htm", b"<html><body><p>Form 8-K.</p></body>"
                                                      b"</html>", "8-K")]
    if exhibit:
        documents.append(FakeDocument("EX-99.1", f"ex99-{n}.txt", release(n), "PRESS RELEASE"))
    return FakeFiling(cik=CIK, company=COMPANY, accession=f"{CIK:010d}-25-{n:06d}",
                      filed=filed, documents=tuple(documents))


def config(edgar: FakeEdgar, workdir: Path, notifiers: list[dict[str, Any]] | None = None,
           **extra: Any) -> Config:
    return parse_config({
        "edgar": {"user_agent": USER_AGENT, "base_url": edgar.base_url,
                  "data_url": edgar.base_url, "cache_dir": None, **extra},
        "companies": [{"cik": CIK, "name": COMPANY}],
        "sources": [{"kind": "edgar_current", "every": 1, "every_off_hours": 1}],
        "store": {"url": f"sqlite:///{workdir / 'bench.db'}"},
        "notifiers": notifiers or [{"name": "log", "kind": "log"}],
        "server": {"enabled": False},
        "logging": {"level": "ERROR"},
    }, environ={})


async def idle_polls(workdir: Path, polls: int) -> tuple[float, float]:
    """Requests per idle poll, and the share answered 304."""
    with FakeEdgar() as edgar:
        edgar.publish(filing(1, date(2025, 3, 4)))
        app = App(config(edgar, workdir))
        async with AsyncExitStack() as stack:
            await app._open(stack)
            await app.poll_source("edgar_current")  # sees the filing
            before = len(edgar.requests)
            for _ in range(polls):
                await app.poll_source("edgar_current")
        idle = edgar.requests[before:]
    not_modified = sum(1 for r in idle if r.headers.get("if-none-match"))
    return len(idle) / polls, not_modified / max(1, len(idle))


async def backfill_rate(workdir: Path, filings: int) -> tuple[float, float, float]:
    """Filings/s of one backfill at the default rate, requests per filing, busiest second."""
    with FakeEdgar(recent_limit=20) as edgar:
        start = date(2024, 1, 2)
        for n in range(filings):
            edgar.publish(filing(n, start + timedelta(days=n), exhibit=n % 3 != 2))
        app = App(config(edgar, workdir))
        report = await app.backfill([CIK])
        arrivals = sorted(r.at for r in edgar.requests)
    busiest = max(sum(1 for t in arrivals if s <= t < s + 1.0) for s in arrivals)
    return report.rate, len(arrivals) / report.processed, busiest


class TimedReceiver(WebhookReceiver):
    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def _on_post(self, handler: Any, body: bytes) -> None:
        self.times.append(time.monotonic())
        super()._on_post(handler, body)


async def latency(workdir: Path, samples: int) -> list[float]:
    """Seconds from a filing's appearance in the feed to its webhook, per filing."""
    rng = random.Random(7)
    with FakeEdgar() as edgar, TimedReceiver() as hook:
        app = App(config(edgar, workdir, [{"name": "hook", "kind": "webhook",
                                           "url": hook.url}]), grace_seconds=5)
        delays: list[float] = []

        async def publish(app: App) -> None:
            await asyncio.sleep(1.5)  # let the first poll pass
            for n in range(samples):
                await asyncio.sleep(rng.uniform(0.0, 1.0))  # any phase of the poll cycle
                published = time.monotonic()
                edgar.publish(filing(1000 + n, date(2025, 3, 4)))
                await asyncio.to_thread(hook.wait_for, n + 1, 30.0)
                delays.append(hook.times[n] - published)
            app.request_stop()

        tasks: list[asyncio.Task[None]] = []

        async def ready(app: App) -> None:
            tasks.append(asyncio.create_task(publish(app)))

        await app.run_forever(ready=ready)
        await asyncio.gather(*tasks)
    return delays


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    args = parser.parse_args()
    configure_logging("ERROR", "text")
    runs, filings, samples = (1, 12, 6) if args.quick else (3, 30, 20)
    with tempfile.TemporaryDirectory(prefix="watcher-bench-") as tmp:
        root = Path(tmp)
        per_poll, share_304 = asyncio.run(idle_polls(root / "idle", 20))
        rates = []
        for run in range(runs):
            rates.append(asyncio.run(backfill_rate(root / f"backfill{run}", filings)))
        delays = asyncio.run(latency(root / "latency", samples))
    rate = statistics.median(r[0] for r in rates)
    per_filing = statistics.median(r[1] for r in rates)
    busiest = max(r[2] for r in rates)
    p95 = statistics.quantiles(delays, n=20)[-1] if len(delays) >= 2 else delays[0]
    rows = [
        ("requests per idle poll (edgar_current)", f"{per_poll:.2f}", "target 1"),
        ("  sent as conditional GET (If-None-Match)", f"{share_304:.0%}", "answered 304"),
        (f"backfill throughput, median of {runs} x {filings} filings", f"{rate:.2f} filings/s",
         "at 8 requests/s"),
        ("  requests per filing (index + EX-99; 1 in 3 without)", f"{per_filing:.2f}", ""),
        ("  busiest one-second window at the server", f"{busiest} requests", "limit 8"),
        (f"alert latency, median of {len(delays)} (poll every 1 s)",
         f"{statistics.median(delays):.2f} s", ""),
        ("  p95", f"{p95:.2f} s", "target < 3.00 s"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>16}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>16}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
