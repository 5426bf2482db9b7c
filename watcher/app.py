"""The daemon's lifecycle: one AsyncExitStack owns every resource; the scheduler enqueues
polls; our own tasks poll sources, process filings and deliver alerts; SIGINT/SIGTERM stop
polling, let in-flight work finish within a grace period, and close everything."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from watcher.backfill import BackfillOptions, BackfillReport, Progress, parse_ciks, run_backfill
from watcher.clock import SYSTEM_CLOCK, Clock
from watcher.config import Config
from watcher.delivery import DeliveryWorker
from watcher.errors import WatcherError
from watcher.events import OperatorEvent, OperatorEvents, OperatorHook
from watcher.http import EdgarClient
from watcher.models import Alert, Company
from watcher.notifiers.base import Notifier, NotifierContext
from watcher.pipeline import FilingOutcome, Pipeline
from watcher.plugins import NOTIFIER_GROUP, SOURCE_GROUP, load_plugin_class
from watcher.scheduling import Cadence, FilingHours, PollScheduler
from watcher.sources.base import Source, SourceContext, Watchlist
from watcher.store import Store, open_store
from watcher.watchlist import resolve_watchlist

logger = logging.getLogger(__name__)

FILING_LEASE_SECONDS = 600.0
IDLE_WAIT_SECONDS = 2.0


@dataclass(slots=True)
class CycleReport:
    """What one ``--once`` cycle did, for the exit code and the summary line."""

    polls_failed: list[str] = field(default_factory=list)
    new_filings: int = 0
    outcomes: list[FilingOutcome] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.polls_failed) or any(o.state in ("failed", "retry")
                                              for o in self.outcomes)


class App:
    def __init__(self, config: Config, *, clock: Clock = SYSTEM_CLOCK,
                 transport: httpx.AsyncBaseTransport | None = None,
                 grace_seconds: float = 30.0,
                 on_event: OperatorHook | None = None) -> None:
        self.config = config
        # Operator events (throttling, failing sources, recoveries): logged, then handed to
        # every hook; ``events.subscribe`` adds one (operator notifiers plug in there).
        self.events = OperatorEvents()
        if on_event is not None:
            self.events.subscribe(on_event)
        self.failures: dict[str, int] = {}
        self.watchlist = Watchlist(None)
        self.clock = clock
        self.transport = transport
        self.grace_seconds = grace_seconds
        self.stop = asyncio.Event()
        self.store: Store | None = None
        self.http: EdgarClient | None = None
        self.sources: dict[str, Source] = {}
        self.notifiers: dict[str, Notifier] = {}
        self.deliverers: dict[str, DeliveryWorker] = {}
        self.pipeline: Pipeline | None = None
        self._poll_queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()
        self._work_available = asyncio.Event()

    # -- setup ------------------------------------------------------------------------
    async def _open(self, stack: AsyncExitStack) -> None:
        store = await asyncio.to_thread(open_store, self.config.store.url)
        stack.callback(store.close)
        self.store = store
        self.http = EdgarClient(self.config.edgar, clock=self.clock, transport=self.transport,
                                on_event=self.events.emit)
        stack.push_async_callback(self.http.aclose)
        companies = await resolve_watchlist(self.config.companies, self.http)
        for company in companies:
            if company.name or company.tickers:
                await asyncio.to_thread(store.upsert_company, company, self.clock.now())
        watchlist = Watchlist(frozenset(c.cik for c in companies)
                              if self.config.companies else None)
        self.watchlist = watchlist
        context = SourceContext(http=self.http, watchlist=watchlist, clock=self.clock,
                                is_known=self._is_known)
        for source_settings in self.config.sources:
            cls = load_plugin_class(SOURCE_GROUP, source_settings.kind)
            source: Source = cls(source_settings, context)
            saved = await asyncio.to_thread(store.source_state, source_settings.name)
            source.restore(saved.get("source", {}))
            self.failures[source_settings.name] = int(saved.get("failures", 0))
            self.sources[source_settings.name] = source
        notifier_context = NotifierContext(config=self.config, clock=self.clock)
        for settings in self.config.notifiers:
            cls = load_plugin_class(NOTIFIER_GROUP, settings.kind)
            notifier: Notifier = cls(settings, notifier_context)
            stack.push_async_callback(notifier.aclose)
            self.notifiers[settings.name] = notifier
            self.deliverers[settings.name] = DeliveryWorker(store, notifier,
                                                            self.config.delivery, self.clock)
        self.pipeline = Pipeline(self.config, store, self.http, self.clock, self.route)
        logger.info("watching %s with %d source(s) and %d notifier(s); store %s",
                    "every filer" if watchlist.ciks is None else f"{len(watchlist.ciks)} companies",
                    len(self.sources), len(self.notifiers), self.config.store.url)

    async def _is_known(self, accession: str) -> bool:
        assert self.store is not None
        return await asyncio.to_thread(self.store.is_known, accession)

    def cadence(self, source: Source) -> Cadence:
        edgar = self.config.edgar
        return Cadence(source.settings.every, source.settings.off_hours_interval,
                       FilingHours.parse(edgar.filing_hours, edgar.filing_days,
                                         edgar.holidays))

    async def _save_source(self, name: str) -> None:
        assert self.store is not None
        state = {"source": self.sources[name].snapshot(), "failures": self.failures[name]}
        await asyncio.to_thread(self.store.save_source_state, name, state, self.clock.now())

    async def _poll_failed(self, name: str, exc: WatcherError) -> None:
        self.failures[name] = self.failures.get(name, 0) + 1
        threshold = self.sources[name].settings.alert_after_failures
        if self.failures[name] == threshold:
            self.events.emit(OperatorEvent(
                "source_failing", f"source {name} failed {threshold} times in a row: {exc}",
                self.clock.now(), source=name,
                details={"failures": threshold, "error": str(exc)}))
        with contextlib.suppress(WatcherError):
            await self._save_source(name)

    def _poll_succeeded(self, name: str) -> None:
        failures = self.failures.get(name, 0)
        self.failures[name] = 0
        if failures >= self.sources[name].settings.alert_after_failures:
            self.events.emit(OperatorEvent(
                "source_recovered", f"source {name} works again after {failures} failures",
                self.clock.now(), source=name, details={"failures": failures}))

    def route(self, alert: Alert) -> list[str]:
        """The notifiers an alert goes to: every notifier that is not for operators only."""
        return [name for name, n in self.notifiers.items() if not n.settings.operators] or \
            list(self.notifiers)

    # -- work -------------------------------------------------------------------------
    async def poll_source(self, name: str) -> int:
        """Poll one source and queue the filings never seen; returns how many were new."""
        assert self.store is not None
        source = self.sources[name]
        before = source.snapshot()
        try:
            filings = await source.poll()
            new = await asyncio.to_thread(self.store.add_filings, filings, self.clock.now())
        except Exception as exc:
            # The filings were not stored: forget what the poll saw so the next one sees it.
            source.restore(before)
            error = exc if isinstance(exc, WatcherError) else \
                WatcherError(f"{type(exc).__name__}: {exc}", source=name)
            if isinstance(exc, WatcherError):
                logger.error("polling %s failed: %s", name, exc, extra={"source": name})
            else:  # a bug in a source must not stop the poll worker
                logger.exception("polling %s crashed", name, extra={"source": name})
            await self._poll_failed(name, error)
            if error is exc:
                raise
            raise error from exc
        self._poll_succeeded(name)
        await self._save_source(name)
        for filing in new:
            logger.info("new filing %s %s by %s", filing.form, filing.accession,
                        filing.company_name or filing.cik,
                        extra={"accession": filing.accession, "cik": filing.cik,
                               "source": name})
        if new:
            self._work_available.set()
        return len(new)

    async def process_next(self) -> FilingOutcome | None:
        """Claim and process one pending filing; None when there is none."""
        assert self.store is not None and self.pipeline is not None
        row = await asyncio.to_thread(self.store.claim_filing, self.clock.now(),
                                      FILING_LEASE_SECONDS)
        if row is None:
            return None
        outcome = await self.pipeline.process(row)
        if outcome.alerts:
            for deliverer in self.deliverers.values():
                deliverer.wakeup.set()
        return outcome

    def enqueue_poll(self, name: str) -> None:
        """The scheduler's job: thin, coalescing (a source is queued at most once)."""
        if name not in self._queued and not self.stop.is_set():
            self._queued.add(name)
            self._poll_queue.put_nowait(name)

    async def _poll_worker(self) -> None:
        while not self.stop.is_set():
            name = await self._poll_queue.get()
            if not name:  # the stop sentinel
                return
            self._queued.discard(name)
            with contextlib.suppress(WatcherError):
                await self.poll_source(name)

    async def _filing_worker(self) -> None:
        while not self.stop.is_set():
            outcome = await self.process_next()
            if outcome is None:
                self._work_available.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._work_available.wait(), IDLE_WAIT_SECONDS)

    # -- entry points -----------------------------------------------------------------
    async def run_once(self) -> CycleReport:
        """One poll cycle: poll every source, process every pending filing, deliver once."""
        report = CycleReport()
        async with AsyncExitStack() as stack:
            await self._open(stack)
            for name in self.sources:
                try:
                    report.new_filings += await self.poll_source(name)
                except WatcherError:
                    report.polls_failed.append(name)
            while (outcome := await self.process_next()) is not None:
                report.outcomes.append(outcome)
            for deliverer in self.deliverers.values():
                await deliverer.deliver_due()
        return report

    async def backfill(self, ciks: Sequence[int] | None = None, *, since: date | None = None,
                       limit: int | None = None, alerts: bool = False,
                       progress: Progress | None = None) -> BackfillReport:
        """``watcher backfill``: the named companies (default: the watchlist) since a date."""
        async with AsyncExitStack() as stack:
            await self._open(stack)
            assert self.store is not None and self.http is not None
            assert self.pipeline is not None
            watched = sorted(self.watchlist.ciks or ())
            options = BackfillOptions(ciks=parse_ciks(ciks, watched), since=since,
                                      limit=limit, alerts=alerts)
            report = await run_backfill(store=self.store, http=self.http,
                                        pipeline=self.pipeline, clock=self.clock,
                                        options=options, progress=progress)
            if alerts:
                for deliverer in self.deliverers.values():
                    await deliverer.deliver_due()
            return report

    async def run_forever(self, *, ready: Callable[[App], Awaitable[None]] | None = None) -> None:
        """The daemon: runs until SIGINT/SIGTERM (or ``self.stop`` is set)."""
        loop = asyncio.get_running_loop()
        async with AsyncExitStack() as stack:
            await self._open(stack)
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, self._request_stop, sig)
                    stack.callback(loop.remove_signal_handler, sig)
            scheduler = PollScheduler(self.enqueue_poll)
            for name, source in self.sources.items():
                scheduler.add_source(name, self.cadence(source), start=self.clock.now())
            tasks: list[asyncio.Task[Any]] = [
                asyncio.create_task(self._poll_worker(), name="poll"),
                *(asyncio.create_task(self._filing_worker(), name=f"filings-{i}")
                  for i in range(self.config.pipeline.workers)),
                *(asyncio.create_task(d.run(self.stop), name=f"deliver-{d.name}")
                  for d in self.deliverers.values()),
            ]
            scheduler.start()
            stack.callback(scheduler.shutdown)
            if ready is not None:
                await ready(self)
            await self.stop.wait()
            self.request_stop()
            logger.info("stopping: no new polls; letting in-flight work finish (%.0fs grace)",
                        self.grace_seconds)
            scheduler.shutdown()
            _, pending = await asyncio.wait(tasks, timeout=self.grace_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            logger.info("stopped")

    def _request_stop(self, sig: signal.Signals) -> None:
        logger.info("received %s", sig.name)
        self.request_stop()

    def request_stop(self) -> None:
        """Stop polling and let the workers finish what they hold."""
        if not self.stop.is_set():
            self.stop.set()
        self._work_available.set()
        self._poll_queue.put_nowait("")


def company_label(company: Company) -> str:
    return company.name or f"CIK {company.cik}"
