"""``watcher demo``: a fake EDGAR publishes three releases of a fictional company, one by one;
the real daemon polls it and shows the alerts in the terminal. No SEC account, no network."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from datetime import date
from importlib.resources import files
from pathlib import Path

from watcher.config import parse_config
from watcher.demo.fake_edgar import FakeDocument, FakeEdgar, FakeFiling
from watcher.logs import configure_logging

DEMO_CIK = 9900901
DEMO_COMPANY = "Halvard Biotherapeutics, Inc."
DEMO_TICKER = "HLVD"
_RELEASES = (
    ("0009900901-24-000007", date(2024, 3, 4), "halvard-2024-03-04-ex99-1.txt", ("1.01", "9.01")),
    ("0009900901-24-000031", date(2024, 9, 16), "halvard-2024-09-16-ex99-1.htm", ("8.01", "9.01")),
    ("0009900901-25-000012", date(2025, 5, 12), "halvard-2025-05-12-ex99-1.htm", ("8.01", "9.01")),
)


def fixture_bytes(name: str) -> bytes:
    return files("watcher.demo").joinpath("fixtures", name).read_bytes()


def demo_filings() -> list[FakeFiling]:
    """The fictional company's three 8-Ks, oldest first, each with one EX-99.1."""
    filings = []
    for accession, filed, name, items in _RELEASES:
        primary = FakeDocument("8-K", f"hlvd-{filed:%Y%m%d}.htm",
                               b"<html><body><p>Current report (Form 8-K). See Exhibit 99.1."
                               b"</p></body></html>", "8-K")
        exhibit = FakeDocument("EX-99.1", name.replace("halvard-", "ex99-1-"),
                               fixture_bytes(name), "PRESS RELEASE")
        filings.append(FakeFiling(cik=DEMO_CIK, company=DEMO_COMPANY, accession=accession,
                                  filed=filed, items=items, documents=(primary, exhibit),
                                  ticker=DEMO_TICKER))
    return filings


def run_demo(interval: float = 4.0, keep: bool = False) -> int:
    from watcher.app import App
    from watcher.render import render_ledger

    workdir = Path(tempfile.mkdtemp(prefix="watcher-demo-"))
    configure_logging("WARNING", "text")
    with FakeEdgar() as edgar:
        config = parse_config({
            "edgar": {"user_agent": "watcher demo demo@example.invalid",
                      "base_url": edgar.base_url, "data_url": edgar.base_url,
                      "cache_dir": str(workdir / "cache")},
            "companies": [{"cik": DEMO_CIK, "name": DEMO_COMPANY, "ticker": DEMO_TICKER}],
            "sources": [{"kind": "edgar_current", "every": 1, "every_off_hours": 1}],
            "store": {"url": f"sqlite:///{workdir / 'demo.db'}"},
            "notifiers": [{"name": "terminal", "kind": "log"}],
            "server": {"enabled": False},
        }, environ={})
        app = App(config, grace_seconds=5)
        print(f"watcher demo: a fake EDGAR is serving at {edgar.base_url}; the daemon polls it "
              f"every second.\nFollowing {DEMO_COMPANY} (CIK {DEMO_CIK}). Its releases appear "
              f"one by one:\n", flush=True)

        async def publish(app: App) -> None:
            assert app.store is not None
            store = app.store
            for number, filing in enumerate(demo_filings(), start=1):
                print(f"--- EDGAR publishes {filing.form} {filing.accession} "
                      f"(filed {filing.filed}) with its press release", flush=True)
                edgar.publish(filing)
                for _ in range(300):  # up to 30 s for the alert to be delivered
                    done = await asyncio.to_thread(store.deliveries, state="delivered")
                    if len(done) >= number:
                        break
                    await asyncio.sleep(0.1)
                sys.stderr.flush()
                await asyncio.sleep(interval)
            app.request_stop()

        publisher: list[asyncio.Task[None]] = []

        async def start_publishing(app: App) -> None:
            publisher.append(asyncio.create_task(publish(app)))  # runs beside the daemon

        asyncio.run(app.run_forever(ready=start_publishing))
        from watcher.store import open_store

        store = open_store(config.store.url)
        try:
            print("\nThe partner ledger watcher keeps (`watcher partners CIK`):\n")
            print(render_ledger(DEMO_COMPANY, store.ledger(DEMO_CIK)))
        finally:
            store.close()
    print(f"\nfake EDGAR answered {len(edgar.requests)} requests.")
    if keep:
        print(f"demo files kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0

