"""The daemon's lifecycle: one AsyncExitStack owns every resource; the scheduler enqueues
polls; our own tasks poll sources, process filings and deliver alerts; SIGINT/SIGTERM stop
polling, let in-flight work finish within a grace period, and close everything."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx

from watcher.clock import SYSTEM_CLOCK, Clock
from watcher.config import Config, redact_url
from watcher.delivery import DeliveryWorker, InstanceId, release_dead_claims
from watcher.errors import FetchError, WatcherError
from watcher.http import EdgarClient
from watcher.models import Alert, Company, Delivery
from watcher.notifiers.base import Notifier, NotifierContext
from watcher.operator import (
    OperatorEvent,
    OperatorEventLike,
    dead_letter_event,
    is_operator_alert,
    operator_alert,
    operator_title,
)
from watcher.pipeline import FilingOutcome, Pipeline
from watcher.plugins import NOTIFIER_GROUP, SOURCE_GROUP, load_plugin_class
from watcher.routing import Router
from watcher.scheduling import PollScheduler
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
                 grace_seconds: float = 30.0) -> None:
        self.config = config
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
        # Who claims outbox rows: unique per process (see watcher.delivery.InstanceId).
        self.instance_id = InstanceId.current()
        self.instance = str(self.instance_id)
        self.router = Router(config.rules, config.notifiers)
        self._operator_tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- setup ------------------------------------------------------------------------
    async def _open(self, stack: AsyncExitStack) -> None:
        self._loop = asyncio.get_running_loop()
        store = await asyncio.to_thread(open_store, self.config.store.url)
        stack.callback(store.close)
        self.store = store
        released = await asyncio.to_thread(release_dead_claims, store, self.instance_id,
                                           self.clock.now())
        for holder, rows in released.items():
            logger.warning("gave back %d outbox claim(s) of %s, an earlier run on this machine "
                           "that is gone; those alerts are sent again", rows, holder)
        self.http = EdgarClient(self.config.edgar, clock=self.clock, transport=self.transport,
                                on_throttle=self._on_throttle)
        stack.push_async_callback(self.http.aclose)
        companies = await resolve_watchlist(self.config.companies, self.http)
        for company in companies:
            if company.name or company.tickers:
                await asyncio.to_thread(store.upsert_company, company, self.clock.now())
        watchlist = Watchlist(frozenset(c.cik for c in companies)
                              if self.config.companies else None)
        context = SourceContext(http=self.http, watchlist=watchlist, clock=self.clock,
                                is_known=self._is_known)
        for source_settings in self.config.sources:
            cls = load_plugin_class(SOURCE_GROUP, source_settings.kind)
            self.sources[source_settings.name] = cls(source_settings, context)
        notifier_context = NotifierContext(config=self.config, clock=self.clock)
        for settings in self.config.notifiers:
            cls = load_plugin_class(NOTIFIER_GROUP, settings.kind)
            notifier: Notifier = cls(settings, notifier_context)
            stack.push_async_callback(notifier.aclose)
            self.notifiers[settings.name] = notifier
            self.deliverers[settings.name] = DeliveryWorker(
                store, notifier, self.config.delivery, self.clock, instance=self.instance,
                on_dead=self._on_dead)
        stack.push_async_callback(self.drain_operator_events)
        self.pipeline = Pipeline(self.config, store, self.http, self.clock, self.route)
        logger.info("watching %s with %d source(s) and %d notifier(s); store %s",
                    "every filer" if watchlist.ciks is None else f"{len(watchlist.ciks)} companies",
                    len(self.sources), len(self.notifiers), redact_url(self.config.store.url))

    async def _is_known(self, accession: str) -> bool:
        assert self.store is not None
        return await asyncio.to_thread(self.store.is_known, accession)

    def _on_throttle(self, pause: float, url: str) -> None:
        logger.error("EDGAR throttle: all requests paused for %.0fs (last URL %s)", pause, url)
        self.raise_operator_event(OperatorEvent(
            kind="throttled", message=f"all EDGAR requests paused for {pause:.0f}s",
            at=self.clock.now(), source="edgar",
            details={"pause_seconds": pause, "url": url}))

    def route(self, alert: Alert) -> list[str]:
        """The notifiers an alert goes to, by the config's rules (see ``watcher.routing``)."""
        return self.router.route(alert)

    # -- operator alerts --------------------------------------------------------------
    def raise_operator_event(self, event: OperatorEventLike) -> None:
        """Queue an operator alert to the notifiers marked ``operators: true``.

        Synchronous, so hooks of the HTTP client and the sources can call it; safe from
        other threads. The alert goes through the outbox like any other (retries, several
        instances: one alert per event id); without operator notifiers it is only logged."""
        targets = self.router.operator_notifiers
        logger.warning("operator alert: %s", operator_title(event),
                       extra={"source": event.source} if event.source else None)
        if not targets:
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            logger.error("operator alert not queued (the daemon is not running): %s",
                         event.message)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._queue_operator_alert(event, targets)
        else:
            loop.call_soon_threadsafe(self._queue_operator_alert, event, targets)

    def _queue_operator_alert(self, event: OperatorEventLike, targets: list[str]) -> None:
        task = asyncio.get_running_loop().create_task(self._store_operator_alert(event, targets))
        self._operator_tasks.add(task)
        task.add_done_callback(self._operator_tasks.discard)

    async def _store_operator_alert(self, event: OperatorEventLike, targets: list[str]) -> None:
        if self.store is None:
            return
        alert = operator_alert(event)
        try:
            await asyncio.to_thread(self.store.save_operator_alert, alert, targets,
                                    self.clock.now())
        except WatcherError as exc:
            logger.error("operator alert %s not stored: %s", alert.id, exc)
            return
        for name in targets:
            if name in self.deliverers:
                self.deliverers[name].wakeup.set()

    async def drain_operator_events(self) -> None:
        """Wait until every raised operator event is in the outbox."""
        while self._operator_tasks:
            await asyncio.gather(*list(self._operator_tasks), return_exceptions=True)

    def _on_dead(self, delivery: Delivery, reason: str) -> None:
        if is_operator_alert(delivery.alert):
            return  # an operator alert that cannot be delivered is logged, never re-raised
        self.raise_operator_event(dead_letter_event(delivery.alert, delivery.notifier, reason,
                                                    self.clock.now()))

    # -- work -------------------------------------------------------------------------
    async def poll_source(self, name: str) -> int:
        """Poll one source and queue the filings never seen; returns how many were new."""
        assert self.store is not None
        source = self.sources[name]
        try:
            filings = await source.poll()
        except FetchError as exc:
            logger.error("polling %s failed: %s", name, exc, extra={"source": name})
            raise
        new = await asyncio.to_thread(self.store.add_filings, filings, self.clock.now())
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
            await self.drain_operator_events()
            for deliverer in self.deliverers.values():
                await deliverer.deliver_due()
            if self._operator_tasks:  # dead letters of this round tell the operators now
                await self.drain_operator_events()
                for name in self.router.operator_notifiers:
                    await self.deliverers[name].deliver_due()
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
                scheduler.add_source(name, source.settings.every, start=self.clock.now())
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
