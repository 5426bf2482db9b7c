"""The daemon's lifecycle: one AsyncExitStack owns every resource; the scheduler enqueues
polls; our own tasks poll sources, process filings and deliver alerts; SIGINT/SIGTERM stop
polling, let in-flight work finish within a grace period, hand back what was cut short (it is
redone at the next start, by this or another instance) and close everything.

Several instances may share one PostgreSQL store. Each names itself (``instance``): a source
is polled only by the instance holding its lease, and a filing by the instance that claimed
it; a heartbeat renews those claims, so when an instance dies the others take its work over
after ``store.lease_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from watcher import __version__, metrics
from watcher.backfill import BackfillOptions, BackfillReport, Progress, parse_ciks, run_backfill
from watcher.clock import SYSTEM_CLOCK, Clock
from watcher.config import Config
from watcher.delivery import DeliveryWorker
from watcher.errors import WatcherError
from watcher.events import OperatorEvent, OperatorEvents, OperatorHook
from watcher.http import EdgarClient
from watcher.logs import log_context
from watcher.models import Alert, Company, Delivery
from watcher.notifiers.base import Notifier, NotifierContext
from watcher.operator import dead_letter_event, is_operator_alert, operator_alert
from watcher.pipeline import FilingOutcome, Pipeline
from watcher.plugins import NOTIFIER_GROUP, SOURCE_GROUP, load_plugin_class
from watcher.routing import Router
from watcher.scheduling import Cadence, FilingHours, PollScheduler
from watcher.server import ServiceEndpoint, SourceExpectation, default_stalled_after
from watcher.sources.base import Source, SourceContext, Watchlist
from watcher.store import Store, open_store
from watcher.store.base import FilingRow
from watcher.watchlist import resolve_watchlist

logger = logging.getLogger(__name__)

IDLE_WAIT_SECONDS = 2.0
RETRY_AFTER_ERROR = 60.0  # seconds before a filing whose processing raised is tried again
CUT_SHORT = "cut short by shutdown; redone at the next start"
CUT_SHORT_BY_CRASH = "cut short: this instance stopped without handing it back; redone now"


INSTANCE_ENV = "WATCHER_INSTANCE"


def default_instance_id() -> str:
    """``$WATCHER_INSTANCE``, else host name and process id: unique among live instances, and
    stable across restarts of a container (or of a service given a fixed name), so a
    restarted instance takes back at once what its crash left behind."""
    return os.environ.get(INSTANCE_ENV) or f"{socket.gethostname()}:{os.getpid()}"


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
                 grace_seconds: float | None = None, instance: str | None = None,
                 on_event: OperatorHook | None = None) -> None:
        self.config = config
        # Operator events (throttling, failing sources, recoveries): logged, then handed to
        # every hook; ``events.subscribe`` adds one (operator notifiers plug in there).
        self.events = OperatorEvents()
        if on_event is not None:
            self.events.subscribe(on_event)
        # ... and become operator alerts to the notifiers marked ``operators: true``.
        self.router = Router(config.rules, config.notifiers)
        self.events.subscribe(self.raise_operator_event)
        self._operator_tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.failures: dict[str, int] = {}
        self.watchlist = Watchlist(None)
        self.clock = clock
        self.transport = transport
        self.grace_seconds = config.server.shutdown_grace if grace_seconds is None \
            else grace_seconds
        self.instance = instance or default_instance_id()
        self.lease_seconds = config.store.lease_seconds
        self.started_at = clock.now()
        self.last_success: dict[str, datetime] = {}  # polls by this instance, for /healthz
        self.cut_short: list[tuple[str, int]] = []   # filings handed back at the last stop
        self.endpoint: ServiceEndpoint | None = None
        self.stop = asyncio.Event()
        self._force = asyncio.Event()  # a second signal: stop waiting for in-flight work
        self._leading: set[str] = set()  # sources whose poll lease this instance holds
        self._in_flight: set[str] = set()  # accessions being processed here
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
        self._loop = asyncio.get_running_loop()
        store = await asyncio.to_thread(open_store, self.config.store.url)
        stack.callback(store.close)
        self.store = store
        metrics.INFO.labels(version=__version__, instance=self.instance).set(1)
        # Whatever a previous run under this name was processing when it died is pending
        # again now, not after its lease runs out.
        for accession, cik in await asyncio.to_thread(
                store.release_filing_claims, self.instance, self.clock.now(),
                CUT_SHORT_BY_CRASH):
            logger.warning("filing %s was cut short by a crash of this instance; redoing it",
                           accession, extra={"accession": accession, "cik": cik})
        # Likewise the alerts it was delivering: sent again now (at-least-once).
        released = await asyncio.to_thread(store.release_claims, None, instance=self.instance)
        if released:
            logger.warning("%d delivery(ies) claimed by a previous run of this instance are "
                           "sent again", released)
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
            self.deliverers[settings.name] = DeliveryWorker(
                store, notifier, self.config.delivery, self.clock, instance=self.instance,
                lease_seconds=self.lease_seconds, on_dead=self._on_dead)
        stack.push_async_callback(self.drain_operator_events)
        self.pipeline = Pipeline(self.config, store, self.http, self.clock, self.route)
        logger.info("watching %s with %d source(s) and %d notifier(s); store %s",
                    "every filer" if watchlist.ciks is None else f"{len(watchlist.ciks)} companies",
                    len(self.sources), len(self.notifiers), store.describe_url())

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

    def source_expectations(self) -> list[SourceExpectation]:
        """Each source with the time it may go unpolled before /healthz says stalled."""
        configured = self.config.server.stalled_after
        expectations = []
        for name, source in self.sources.items():
            longest = max(source.settings.every, source.settings.off_hours_interval)
            expectations.append(SourceExpectation(
                name, longest, configured or default_stalled_after(longest)))
        return expectations

    def route(self, alert: Alert) -> list[str]:
        """The notifiers an alert goes to, by the config's rules (see ``watcher.routing``)."""
        return self.router.route(alert)

    # -- operator alerts --------------------------------------------------------------
    def raise_operator_event(self, event: OperatorEvent) -> None:
        """Queue an operator alert to the notifiers marked ``operators: true``.

        A hook of ``self.events`` (so every event emitted there arrives here, already
        logged); synchronous and safe from other threads. The alert goes through the outbox
        like any other (retries; several instances raising one event store one alert)."""
        targets = self.router.operator_notifiers
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

    def _queue_operator_alert(self, event: OperatorEvent, targets: list[str]) -> None:
        task = asyncio.get_running_loop().create_task(self._store_operator_alert(event, targets))
        self._operator_tasks.add(task)
        task.add_done_callback(self._operator_tasks.discard)

    async def _store_operator_alert(self, event: OperatorEvent, targets: list[str]) -> None:
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
        self.events.emit(dead_letter_event(delivery.alert, delivery.notifier, reason,
                                           self.clock.now()))

    async def _deliver_all(self) -> None:
        """One delivery round for every notifier (``--once``, backfill), then one more for
        the operators' notifiers if that round raised operator alerts (dead letters)."""
        await self.drain_operator_events()
        for deliverer in self.deliverers.values():
            await deliverer.deliver_due()
        if self._operator_tasks:
            await self.drain_operator_events()
            for name in self.router.operator_notifiers:
                await self.deliverers[name].deliver_due()

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

    async def poll_recorded(self, name: str) -> int:
        """Poll a source and record the outcome (store, metrics); returns how many were new."""
        assert self.store is not None
        started = time.monotonic()
        try:
            new = await self.poll_source(name)
        except WatcherError as exc:
            metrics.POLLS.labels(source=name, outcome="failed").inc()
            with contextlib.suppress(WatcherError):
                await asyncio.to_thread(self.store.record_poll, name, self.clock.now(),
                                        str(exc))
            raise
        finally:
            metrics.POLL_SECONDS.labels(source=name).observe(time.monotonic() - started)
        now = self.clock.now()
        self.last_success[name] = now
        metrics.POLLS.labels(source=name, outcome="ok").inc()
        metrics.FILINGS_DISCOVERED.labels(source=name).inc(new)
        with contextlib.suppress(WatcherError):
            await asyncio.to_thread(self.store.record_poll, name, now)
        return new

    async def poll_leased(self, name: str) -> int | None:
        """Poll a source if this instance holds (or can take) its lease; None on standby."""
        assert self.store is not None
        settings = self.sources[name].settings
        every = max(settings.every, settings.off_hours_interval)  # the longest interval
        # The lease spans two intervals, so the holder keeps it from one poll to the next;
        # when the holder dies, another instance polls within lease + one interval.
        lease = max(self.lease_seconds, 2.0 * every)
        held = await asyncio.to_thread(self.store.acquire_source_lease, name, self.instance,
                                       self.clock.now(), lease)
        metrics.SOURCE_LEASE_HELD.labels(source=name).set(held)
        if held != (name in self._leading):
            logger.info("%s polling %s", "now" if held else "another instance is",
                        name, extra={"source": name})
            (self._leading.add if held else self._leading.discard)(name)
        if not held:
            metrics.POLLS.labels(source=name, outcome="standby").inc()
            return None
        return await self.poll_recorded(name)

    async def process_next(self) -> FilingOutcome | None:
        """Claim and process one pending filing; None when there is none."""
        assert self.store is not None and self.pipeline is not None
        row = await asyncio.to_thread(self.store.claim_filing, self.clock.now(),
                                      self.lease_seconds, self.instance)
        if row is None:
            return None
        filing = row.filing
        started = time.monotonic()
        metrics.FILINGS_IN_FLIGHT.inc()
        self._in_flight.add(filing.accession)
        try:
            with log_context(accession=filing.accession, cik=filing.cik):
                try:
                    outcome = await self.pipeline.process(row)
                except Exception as exc:  # the store failed mid-filing, or a bug
                    outcome = await self._give_back(row, exc)
        finally:
            self._in_flight.discard(filing.accession)
            metrics.FILINGS_IN_FLIGHT.dec()
        metrics.FILING_SECONDS.observe(time.monotonic() - started)
        metrics.FILINGS_PROCESSED.labels(outcome=str(outcome.state)).inc()
        metrics.count_changes(alert.payload for alert in outcome.alerts)
        if outcome.alerts:
            for deliverer in self.deliverers.values():
                deliverer.wakeup.set()
        return outcome

    async def _give_back(self, row: FilingRow, exc: Exception) -> FilingOutcome:
        """A filing whose processing raised goes back to the queue, to be retried later (if
        even that fails, its lease runs out: the heartbeat renews only work in flight)."""
        assert self.store is not None
        message = f"{type(exc).__name__}: {exc}"
        logger.error("processing failed, retrying later: %s", message,
                     exc_info=not isinstance(exc, WatcherError))
        now = self.clock.now()
        with contextlib.suppress(WatcherError):
            await asyncio.to_thread(self.store.release_filing, row.filing.accession, now,
                                    message, now + timedelta(seconds=RETRY_AFTER_ERROR))
        return FilingOutcome(row.filing.accession, row.filing.cik, "retry", errors=[message])

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
                await self.poll_leased(name)

    async def _filing_worker(self) -> None:
        while not self.stop.is_set():
            try:
                outcome = await self.process_next()
            except WatcherError as exc:  # the store is down: wait, then try again
                logger.error("cannot claim filings: %s", exc)
                outcome = None
            if outcome is None:
                self._work_available.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._work_available.wait(), IDLE_WAIT_SECONDS)

    async def _heartbeat(self) -> None:
        """Renew the leases of filings in flight until the workers are done (also while
        draining), so no other instance takes over work that is still going on."""
        assert self.store is not None
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await asyncio.to_thread(self.store.renew_filing_claims, self.instance,
                                        sorted(self._in_flight), self.clock.now(),
                                        self.lease_seconds)
            except WatcherError as exc:
                logger.error("cannot renew filing leases: %s", exc)

    # -- entry points -----------------------------------------------------------------
    async def run_once(self) -> CycleReport:
        """One poll cycle: poll every source, process every pending filing, deliver once."""
        report = CycleReport()
        async with AsyncExitStack() as stack:
            await self._open(stack)
            heartbeat = asyncio.create_task(self._heartbeat(), name="heartbeat")
            try:
                for name in self.sources:
                    try:
                        report.new_filings += await self.poll_recorded(name)
                    except WatcherError:
                        report.polls_failed.append(name)
                while (outcome := await self.process_next()) is not None:
                    report.outcomes.append(outcome)
                await self._deliver_all()
            finally:  # also when interrupted (Ctrl-C cancels this task): hand back the rest
                heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)
                await self._hand_back()
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
                await self._deliver_all()
            return report

    async def run_forever(self, *, ready: Callable[[App], Awaitable[None]] | None = None) -> None:
        """The daemon: runs until SIGINT/SIGTERM (or ``self.stop`` is set)."""
        loop = asyncio.get_running_loop()
        async with AsyncExitStack() as stack:
            # Before opening anything: a stop during startup is graceful too.
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, self._request_stop, sig)
                    stack.callback(loop.remove_signal_handler, sig)
            await self._open(stack)
            if self.config.server.enabled:
                server = self.config.server
                self.endpoint = ServiceEndpoint(self, server.host, server.port,
                                                self.config.secret(server.token_env))
                await self.endpoint.start()
                stack.push_async_callback(self.endpoint.close)
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
            heartbeat = asyncio.create_task(self._heartbeat(), name="heartbeat")
            scheduler.start()
            stack.callback(scheduler.shutdown)
            if ready is not None:
                await ready(self)
            await self.stop.wait()
            self.request_stop()
            logger.info("stopping: no new polls; letting in-flight work finish (%.0fs grace)",
                        self.grace_seconds)
            scheduler.shutdown()
            # A poll in flight (perhaps waiting out retries) is dropped, not drained: nothing
            # it saw is lost, because filings are queued atomically and the source's state is
            # saved only after its filings are, so the next start polls again from there.
            tasks[0].cancel()
            await self._drain(tasks)
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            await self._hand_back()
            logger.info("stopped (%d filing(s) cut short)", len(self.cut_short))

    async def _drain(self, tasks: list[asyncio.Task[Any]]) -> None:
        """Wait for the workers up to the grace period (or a second signal), then cancel."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.grace_seconds
        pending = set(tasks)
        force = asyncio.ensure_future(self._force.wait())
        try:
            while pending and not self._force.is_set():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                done, _ = await asyncio.wait(pending | {force}, timeout=remaining,
                                             return_when=asyncio.FIRST_COMPLETED)
                pending -= done
        finally:
            force.cancel()
        for task in pending:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for task, result in zip(tasks, results, strict=True):
            if isinstance(result, Exception):
                logger.error("task %s ended with an error: %r", task.get_name(), result)

    async def _hand_back(self) -> None:
        """Give back what this instance holds: filings cut short are pending again at once
        (the attempt not counted), and source leases pass to another instance now."""
        if self.store is None:
            return
        now = self.clock.now()
        try:
            self.cut_short = await asyncio.to_thread(self.store.release_filing_claims,
                                                     self.instance, now, CUT_SHORT)
            await asyncio.to_thread(self.store.release_source_leases, self.instance, now)
        except WatcherError as exc:  # their leases run out instead
            logger.error("cannot hand back claims at shutdown: %s", exc)
            return
        for accession, cik in self.cut_short:
            metrics.FILINGS_PROCESSED.labels(outcome="cut_short").inc()
            logger.warning("filing %s cut short by shutdown; it is redone at the next start",
                           accession, extra={"accession": accession, "cik": cik})

    def _request_stop(self, sig: signal.Signals) -> None:
        if self.stop.is_set():
            logger.warning("received %s again: cutting in-flight work short now", sig.name)
            self._force.set()
            return
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
