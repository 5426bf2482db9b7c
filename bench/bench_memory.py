"""Memory (RSS) and idle CPU of the real daemon (DESIGN §7: under 200 MB RSS with 10,000
watched companies and 100,000 stored releases), on SQLite, against the fake EDGAR.

For each scenario: build the store (synthetic companies, filings and releases, written
straight into SQLite in the store's own formats), start ``python -m watcher run`` with the
service endpoint on, wait for the first poll, then sample RSS and CPU time from /proc while
the daemon idles (polling every ``--every`` seconds, scraped like Prometheus would every
15 s), then publish three filings of a watched company and measure again after processing.

    .venv/bin/python bench/bench_memory.py                 # both scenarios, 60 s idle each
    .venv/bin/python bench/bench_memory.py --window 120    # a longer idle window

Linux only (/proc). Prints a table; the medians are over the samples of the idle window.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from watcher.demo import demo_filings
from watcher.demo.fake_edgar import FakeEdgar
from watcher.models import Paragraph, Release
from watcher.store import codec, open_store
from watcher.store.sql import ts

BUDGET_MB = 200.0
WORDS = ("collaboration license agreement milestone payment clinical trial phase program "
         "antibody conjugate oncology partner rights development regulatory approval product "
         "candidate royalties research preclinical option exercise territory worldwide").split()
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Scenario:
    name: str
    companies: int
    releases: int


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _release(rng: random.Random, cik: int, n: int) -> Release:
    paragraphs = tuple(
        Paragraph(" ".join(sentences), section, "text", tuple(sentences))
        for section, sentences in (
            *(("body", [_sentence(rng, 18) for _ in range(3)]) for _ in range(4)),
            ("about", [f"Company {cik} is a biotechnology company.", _sentence(rng, 24)]),
        )
    )
    text = "\n".join(p.text for p in paragraphs)
    return Release(headline=f"Company {cik} announces update {n}", paragraphs=paragraphs,
                   content_hash=hashlib.sha256(text.encode()).hexdigest(),
                   dateline_date=date(2005, 1, 1) + timedelta(days=n * 37 % 7000))


def build_store(path: Path, scenario: Scenario, ciks: list[int]) -> float:
    """Create the store with synthetic history; returns its size in MB."""
    open_store(f"sqlite:///{path}").close()  # the schema, by the store's own migrations
    rng = random.Random(8)
    now = ts(datetime.now(UTC))
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO companies (cik, name, tickers, updated_at) VALUES (?, ?, '[]', ?)",
            [(cik, f"Company {cik}", now) for cik in ciks])
        for start in range(0, scenario.releases, 5000):
            filings, releases = [], []
            for n in range(start, min(start + 5000, scenario.releases)):
                cik = ciks[n % len(ciks)]
                accession = f"{cik:010d}-{n // 100000:02d}-{n % 100000:06d}"
                release = _release(rng, cik, n)
                filed = release.dateline_date.isoformat() if release.dateline_date else None
                filings.append((accession, cik, "8-K", filed, f"Company {cik}", "8.01",
                                "done", now, now, now))
                releases.append((cik, accession, "EX-99.1", filed, release.headline,
                                 release.content_hash, codec.release_to_json(release), now))
            conn.executemany(
                "INSERT INTO filings (accession, cik, form, filed, company_name, items, state, "
                "first_seen, next_attempt_at, processed_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                filings)
            conn.executemany(
                "INSERT INTO releases (cik, accession, doc_type, filed, headline, content_hash, "
                "body, created_at) VALUES (?,?,?,?,?,?,?,?)", releases)
    conn.close()
    return path.stat().st_size / 1e6


def _proc(pid: int) -> tuple[float, float, float]:
    """(RSS MB, peak RSS MB, CPU seconds) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES / 1e6
    status = Path(f"/proc/{pid}/status").read_text()
    peak = next(int(line.split()[1]) for line in status.splitlines()
                if line.startswith("VmHWM:")) / 1e3
    return rss, peak, cpu


def _get(url: str) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), time.perf_counter() - started
    except OSError:
        return 0, b"", time.perf_counter() - started


def _metric(body: bytes, name: str) -> float:
    for line in body.decode().splitlines():
        if line.startswith((name + " ", name + "{")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def run(scenario: Scenario, workdir: Path, window: float, every: float) -> dict[str, float]:
    ciks = [9_000_000 + i for i in range(scenario.companies)]
    db = workdir / f"{scenario.companies}-{scenario.releases}.db"
    built = time.perf_counter()
    size_mb = build_store(db, scenario, ciks)
    print(f"  {scenario.name}: store built in {time.perf_counter() - built:.0f}s "
          f"({size_mb:.0f} MB)", file=sys.stderr)
    with FakeEdgar() as edgar:
        port = _free_port()
        config = workdir / "config.yaml"
        config.write_text(yaml.safe_dump({
            "edgar": {"user_agent": "watcher bench bench@example.invalid",
                      "base_url": edgar.base_url, "data_url": edgar.base_url},
            "companies": [{"cik": cik} for cik in ciks],
            "sources": [{"kind": "edgar_current", "every": every}],
            "store": {"url": f"sqlite:///{db}"},
            "notifiers": [{"name": "log", "kind": "log"}],
            "server": {"listen": f"127.0.0.1:{port}"},
            "logging": {"level": "WARNING", "format": "json"},
        }), encoding="utf-8")
        base = f"http://127.0.0.1:{port}"
        with (workdir / "daemon.log").open("ab") as log:
            daemon = subprocess.Popen([sys.executable, "-m", "watcher", "run", "--config",
                                       str(config)], stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 120
                while _metric(_get(f"{base}/metrics")[1], "watcher_polls_total") < 1:
                    if time.monotonic() > deadline or daemon.poll() is not None:
                        raise RuntimeError(f"the daemon did not start; see {workdir}/daemon.log")
                    time.sleep(0.2)
                return _measure(daemon.pid, base, edgar, ciks[0], window)
            finally:
                daemon.terminate()
                daemon.wait(60)


def _measure(pid: int, base: str, edgar: FakeEdgar, cik: int,
             window: float) -> dict[str, float]:
    rss_samples: list[float] = []
    health_ms: list[float] = []
    metrics_ms: list[float] = []
    _, _, cpu_start = _proc(pid)
    started = time.monotonic()
    next_scrape = started
    while (now := time.monotonic()) - started < window:
        if now >= next_scrape:  # what a monitoring system adds: /healthz and /metrics
            health_ms.append(_get(f"{base}/healthz")[2] * 1000)
            metrics_ms.append(_get(f"{base}/metrics")[2] * 1000)
            next_scrape += 15.0
        rss_samples.append(_proc(pid)[0])
        time.sleep(1.0)
    elapsed = time.monotonic() - started
    _, _, cpu_end = _proc(pid)
    idle_rss = statistics.median(rss_samples)
    for filing in demo_filings():  # then some work: three filings of a watched company
        edgar.publish(replace(filing, cik=cik, accession=f"{cik:010d}{filing.accession[10:]}"))
    deadline = time.monotonic() + 120
    while _metric(_get(f"{base}/metrics")[1], "watcher_filings_processed_total") < 3:
        if time.monotonic() > deadline:
            raise RuntimeError("the three filings were not processed in 120 s")
        time.sleep(0.5)
    busy_rss, peak, _ = _proc(pid)
    peak = max(peak, busy_rss, *rss_samples)  # the kernel updates VmHWM lazily
    return {"idle_rss": idle_rss, "busy_rss": busy_rss, "peak": peak,
            "cpu": 100.0 * (cpu_end - cpu_start) / elapsed,
            "healthz": statistics.median(health_ms), "metrics": statistics.median(metrics_ms)}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--window", type=float, default=60.0, help="idle seconds measured")
    parser.add_argument("--every", type=float, default=60.0, help="poll interval (s)")
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--releases", type=int, default=100_000)
    args = parser.parse_args()
    scenarios = [Scenario("baseline: 1 company, empty store", 1, 0),
                 Scenario(f"{args.companies:,} companies, {args.releases:,} releases",
                          args.companies, args.releases)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="watcher-bench-memory-") as tmp:
        for scenario in scenarios:
            workdir = Path(tmp) / str(len(rows))
            workdir.mkdir()
            rows.append((scenario, run(scenario, workdir, args.window, args.every)))
    print(f"\nwatcher daemon on SQLite, idle {args.window:g}s polling every {args.every:g}s "
          f"(fake EDGAR), scraped every 15 s; budget {BUDGET_MB:g} MB RSS\n")
    header = (f"{'scenario':42} {'idle RSS':>9} {'after 3 filings':>16} {'peak':>7} "
              f"{'idle CPU':>9} {'/healthz':>9} {'/metrics':>9}")
    print(header)
    print("-" * len(header))
    for scenario, r in rows:
        print(f"{scenario.name:42} {r['idle_rss']:>6.1f} MB {r['busy_rss']:>13.1f} MB "
              f"{r['peak']:>4.0f} MB {r['cpu']:>8.2f}% {r['healthz']:>6.1f} ms "
              f"{r['metrics']:>6.1f} ms")
    worst = max(r["peak"] for _, r in rows)
    print(f"\npeak RSS {worst:.0f} MB: {'within' if worst < BUDGET_MB else 'OVER'} the "
          f"{BUDGET_MB:g} MB budget")
    print(json.dumps({s.name: r for s, r in rows}), file=sys.stderr)
    return 0 if worst < BUDGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
