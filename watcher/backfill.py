"""``watcher backfill``: fill the companies' history from their submissions pages before
going live. Every stage of the pipeline runs (releases, comparison index, ledger), alerts
only when asked. Company by company: list the 8-Ks since a date (the main JSON and the
older pages it names), queue them, then process the queue oldest first.

Resumable: the queue is the store's filing queue, and a company whose listing finished is
recorded (``backfill_progress``), so a restart lists only the companies not done yet and
goes on processing what is still pending. Every request goes through the shared client,
so the configured rate holds during a backfill too.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from watcher.clock import Clock
from watcher.errors import FetchError, NotFoundError, ParseError, ThrottledError
from watcher.http import EdgarClient
from watcher.models import Filing
from watcher.pipeline import Pipeline
from watcher.resolve import link_amendments
from watcher.sources.edgar_submissions import fetch_older_page, fetch_submissions, select
from watcher.store.base import BackfillProgress, Store

logger = logging.getLogger(__name__)

BACKFILL_SOURCE = "backfill"
LEASE_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class BackfillOptions:
    ciks: tuple[int, ...]
    since: date | None = None
    limit: int | None = None
    alerts: bool = False
    forms: tuple[str, ...] = ("8-K", "8-K/A")


@dataclass(slots=True)
class BackfillReport:
    companies: int = 0
    companies_failed: list[int] = field(default_factory=list)
    queued: int = 0
    processed: int = 0
    failed: int = 0
    alerts: int = 0
    left_pending: int = 0
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.processed / self.elapsed if self.elapsed > 0 else 0.0


class Progress:
    """A progress bar on stderr when it is a terminal; plain lines every ``every`` seconds
    (and at the end) when it is not, so logs and CI output stay readable."""

    def __init__(self, stream: TextIO | None = None, *, every: float = 5.0,
                 timer: Callable[[], float] = time.monotonic, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every
        self.timer = timer
        self.width = width
        self.started = timer()
        self._last = -1e9

    def update(self, *, company: int, companies: int, done: int, total: int,
               final: bool = False) -> None:
        now = self.timer()
        if not final and not self.tty and now - self._last < self.every:
            return
        self._last = now
        elapsed = max(1e-9, now - self.started)
        rate = done / elapsed
        line = (f"companies {company}/{companies}  filings {done}/{total}  "
                f"{rate:.1f} filings/s")
        if self.tty:
            filled = int(self.width * done / total) if total else self.width
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r[{bar}] {line}\x1b[K" + ("\n" if final else ""))
        else:
            self.stream.write(f"backfill: {line}\n")
        self.stream.flush()


async def list_company(http: EdgarClient, cik: int, options: BackfillOptions) -> list[Filing]:
    """The company's filings of the wanted forms since ``options.since``, oldest first,
    amendments linked to their originals."""
    page = await fetch_submissions(http, cik, source=BACKFILL_SOURCE)
    everything = list(page.filings)
    for older in page.older:
        if options.since is not None and older.filing_to is not None and \
                older.filing_to < options.since:
            continue  # a page entirely before the start date
        everything.extend(await fetch_older_page(http, page, older, source=BACKFILL_SOURCE))
    chosen = select(everything, options.forms, options.since)
    chosen.sort(key=lambda f: (f.filed or date.min, f.accession))
    return link_amendments(chosen, everything)


async def run_backfill(*, store: Store, http: EdgarClient, pipeline: Pipeline, clock: Clock,
                       options: BackfillOptions, progress: Progress | None = None,
                       timer: Callable[[], float] = time.monotonic) -> BackfillReport:
    report = BackfillReport(companies=len(options.ciks))
    started = timer()
    counts = await asyncio.to_thread(store.filing_counts, source=BACKFILL_SOURCE,
                                     ciks=list(options.ciks))
    total = sum(counts.values())
    done = total - counts.get("pending", 0) - counts.get("processing", 0)
    for number, cik in enumerate(options.ciks, start=1):
        if options.limit is not None and report.processed >= options.limit:
            break
        saved = await asyncio.to_thread(store.backfill_progress, cik)
        if saved is None or not saved.complete or not _covers(saved.since, options.since):
            try:
                filings = await _list_patiently(http, cik, options)
            except (FetchError, ParseError) as exc:
                level = logging.WARNING if isinstance(exc, NotFoundError) else logging.ERROR
                logger.log(level, "backfill cannot list CIK %d: %s", cik, exc,
                           extra={"cik": cik, "source": BACKFILL_SOURCE})
                report.companies_failed.append(cik)
                continue
            added = await asyncio.to_thread(store.add_filings, filings, clock.now(),
                                            notify=options.alerts)
            await asyncio.to_thread(store.save_backfill_progress,
                                    BackfillProgress(cik, options.since, len(filings), True),
                                    clock.now())
            report.queued += len(added)
            total += len(added)
            logger.info("backfill: CIK %d has %d filing(s) to fetch, %d new", cik,
                        len(filings), len(added), extra={"cik": cik})
        if progress is not None:
            progress.update(company=number, companies=len(options.ciks), done=done,
                            total=total)
        while options.limit is None or report.processed < options.limit:
            row = await asyncio.to_thread(store.claim_filing, clock.now(), LEASE_SECONDS)
            if row is None:
                break
            outcome = await pipeline.process(row)
            report.processed += 1
            done += 1
            report.alerts += len(outcome.alerts)
            if outcome.state in ("failed", "retry"):
                report.failed += 1
            if progress is not None:
                progress.update(company=number, companies=len(options.ciks), done=done,
                                total=total)
    report.elapsed = timer() - started
    counts = await asyncio.to_thread(store.filing_counts, source=BACKFILL_SOURCE,
                                     ciks=list(options.ciks))
    report.left_pending = counts.get("pending", 0) + counts.get("processing", 0)
    if progress is not None:
        progress.update(company=len(options.ciks), companies=len(options.ciks), done=done,
                        total=total, final=True)
    return report


async def _list_patiently(http: EdgarClient, cik: int, options: BackfillOptions,
                          attempts: int = 3) -> list[Filing]:
    """List a company; after a throttle the client waits out the pause, then we ask again."""
    for attempt in range(1, attempts + 1):
        try:
            return await list_company(http, cik, options)
        except ThrottledError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _covers(done_since: date | None, wanted: date | None) -> bool:
    """A finished listing since ``done_since`` covers a request since ``wanted``."""
    return done_since is None or (wanted is not None and wanted >= done_since)


def summary(report: BackfillReport) -> str:
    parts = [f"{report.companies} compan{'y' if report.companies == 1 else 'ies'}",
             f"{report.queued} filing(s) queued", f"{report.processed} processed",
             f"{report.failed} failed", f"{report.alerts} alert(s)",
             f"{report.rate:.1f} filings/s"]
    if report.companies_failed:
        parts.append(f"not listed: CIK {', '.join(map(str, report.companies_failed))}")
    if report.left_pending:
        parts.append(f"{report.left_pending} left pending (run again to continue)")
    return "backfill: " + ", ".join(parts)


def parse_ciks(values: Sequence[int] | None, watched: Sequence[int]) -> tuple[int, ...]:
    """The companies to backfill: those named, else the whole watchlist."""
    return tuple(dict.fromkeys(values)) if values else tuple(watched)
