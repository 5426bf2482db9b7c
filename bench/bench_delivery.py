"""Delivery benchmark: alerts delivered per second from the outbox to a local webhook receiver,
and the delivery latency after commit (the alert's transaction committed -> the receiver has
it), with the real DeliveryWorker, webhook notifier (signed) and store.

    .venv/bin/python bench/bench_delivery.py [--alerts 500] [--latency-alerts 200] [--runs 3]

PostgreSQL is measured too when WATCHER_BENCH_POSTGRES (default: the test server's database
``postgresql://postgres@127.0.0.1:5432/test``) is reachable; a scratch database is created and
dropped. Prints one table; quote the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from watcher.clock import SYSTEM_CLOCK
from watcher.config import DeliverySettings, parse_config
from watcher.delivery import DeliveryWorker
from watcher.models import Alert
from watcher.notifiers.base import NotifierContext
from watcher.notifiers.webhook import WebhookNotifier, WebhookSettings
from watcher.store import Store, open_store

POSTGRES = os.environ.get("WATCHER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


class Receiver:
    """Records the arrival time (perf_counter) of each alert id; answers 200 at once."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.count = 0
        self.done = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each small answer waits for a delayed ACK

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                at = time.perf_counter()
                with receiver.done:
                    receiver.arrivals.setdefault(self.headers["X-Watcher-Alert-Id"], at)
                    receiver.count += 1
                    receiver.done.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_alert(number: int, created: datetime) -> Alert:
    ident = str(uuid.uuid4())
    payload = {"schema": "watcher.alert.v1", "id": ident, "title": f"bench alert {number}",
               "severity": "high", "changes": [{"kind": "status_changed",
                                                "evidence": "x" * 400}]}
    body = json.dumps(payload).encode()
    return Alert(id=ident, accession=f"bench-{ident}", doc_type="EX-99.1", cik=9900000,
                 severity="high", title=payload["title"], created_at=created,
                 payload=payload, body=body)


def commit(store: Store, alert: Alert) -> float:
    """Write one alert and its outbox row in a transaction; the perf_counter after commit."""
    with store.unit_of_work(alert.cik) as uow:
        uow.save_alert(alert, ["desk"], alert.created_at)
    return time.perf_counter()


def worker(store: Store, url: str) -> DeliveryWorker:
    config = parse_config({"notifiers": [{"name": "desk", "kind": "webhook", "url": url,
                                          "secret_env": "BENCH_SECRET"}]},
                          environ={"BENCH_SECRET": "bench"})
    settings = config.notifiers[0]
    assert isinstance(settings, WebhookSettings)
    notifier = WebhookNotifier(settings, NotifierContext(config=config, clock=SYSTEM_CLOCK))
    return DeliveryWorker(store, notifier, DeliverySettings(batch=50, idle_poll=1.0),
                          SYSTEM_CLOCK, instance="bench")


async def throughput(store: Store, count: int) -> float:
    """Alerts per second for a backlog of ``count`` committed alerts."""
    receiver = Receiver()
    start = datetime.now(UTC) - timedelta(seconds=count)
    for number in range(count):
        commit(store, make_alert(number, start + timedelta(milliseconds=number)))
    deliver = worker(store, receiver.url)
    began = time.perf_counter()
    result = await deliver.deliver_due()
    elapsed = time.perf_counter() - began
    await deliver.notifier.aclose()
    receiver.close()
    assert result.delivered == count == len(receiver.arrivals), result
    return count / elapsed


async def latency(store: Store, count: int, interval: float) -> list[float]:
    """Milliseconds from commit to arrival, alerts committed one by one while the loop runs
    (woken after each commit, as the daemon does)."""
    receiver = Receiver()
    deliver = worker(store, receiver.url)
    stop = asyncio.Event()
    task = asyncio.create_task(deliver.run(stop))
    committed: dict[str, float] = {}
    for number in range(count):
        alert = make_alert(number, datetime.now(UTC))
        committed[alert.id] = await asyncio.to_thread(commit, store, alert)
        deliver.wakeup.set()
        await asyncio.sleep(interval)

    def all_arrived() -> bool:
        with receiver.done:
            return receiver.done.wait_for(lambda: len(receiver.arrivals) >= count, 60)

    assert await asyncio.to_thread(all_arrived), "not every alert arrived within 60 s"
    stop.set()
    await task
    await deliver.notifier.aclose()
    receiver.close()
    return [(receiver.arrivals[i] - at) * 1000 for i, at in committed.items()]


@contextmanager
def scratch_store(backend: str) -> Iterator[Store | None]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                yield store
            finally:
                store.close()
        return
    import psycopg

    name = f"watcher_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        yield None
        return
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    store = open_store(f"{POSTGRES.rsplit('/', 1)[0]}/{name}")
    try:
        yield store
    finally:
        store.close()
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=500, help="backlog for throughput")
    parser.add_argument("--latency-alerts", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.01,
                        help="seconds between commits in the latency run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"delivery to a local webhook receiver: throughput = backlog of {args.alerts} "
          f"alerts, median of {args.runs} runs; latency = {args.latency_alerts} alerts "
          f"committed {args.interval * 1000:g} ms apart, commit -> received")
    print(f"{'store':10} {'alerts/s':>10} {'(runs)':>24} {'latency p50 ms':>15} "
          f"{'p95 ms':>8} {'max ms':>8}")
    for backend in ("sqlite", "postgresql"):
        rates: list[float] = []
        delays: list[float] = []
        skipped = False
        for _ in range(args.runs):
            with scratch_store(backend) as store:
                if store is None:
                    skipped = True
                    break
                rates.append(asyncio.run(throughput(store, args.alerts)))
            with scratch_store(backend) as store:
                assert store is not None
                delays += asyncio.run(latency(store, args.latency_alerts, args.interval))
        if skipped:
            print(f"{backend:10} (not reachable: {POSTGRES}; skipped)")
            continue
        delays.sort()
        p95 = delays[min(len(delays) - 1, int(len(delays) * 0.95))]
        runs = ", ".join(f"{r:.0f}" for r in rates)
        print(f"{backend:10} {statistics.median(rates):10.0f} {runs:>24} "
              f"{statistics.median(delays):15.1f} {p95:8.1f} {delays[-1]:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
