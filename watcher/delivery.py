"""The outbox delivery loop of one notifier: oldest alert first, retries with exponential
backoff and jitter, dead-letter after the retry budget (attempts or age).

A worker claims the due head of its notifier's queue for a lease (``store.lease_seconds``),
renewed every third of it while the worker delivers, so several instances sharing one
database deliver each alert once per notifier; the claims of an instance that died expire and
another instance takes over (an instance restarted under the same name takes them back at
once). An alert can arrive twice only when the process died during its very delivery:
receivers deduplicate on the alert id.

A retryable failure pauses the whole notifier until the backoff elapses (the head of the queue
waits for its retry and holds back the rest, in every instance), then delivery resumes from the
oldest pending alert: a receiver that was down gets every alert, in order. A permanent refusal
dead-letters the alert at once with the receiver's reason. In digest mode the worker waits until
the oldest alert is ``every_minutes`` old and sends everything waiting as one message.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from watcher import metrics
from watcher.clock import Clock
from watcher.config import DeliverySettings
from watcher.errors import PermanentDeliveryError, RetryableDeliveryError, WatcherError
from watcher.models import Delivery
from watcher.notifiers.base import Notifier
from watcher.store.base import Store

logger = logging.getLogger(__name__)

Outcome = Literal["delivered", "retry", "dead", "lost"]
DeadLetterHook = Callable[[Delivery, str], None]
MIN_WAIT = 0.05  # never spin: the shortest wait between two looks at the outbox


def backoff_delay(attempts: int, settings: DeliverySettings, rand: float) -> float:
    """Seconds before attempt ``attempts + 1``: ``backoff_initial`` doubling per failed
    attempt up to ``backoff_max``, scaled by a random factor in [1 - jitter, 1 + jitter]."""
    base = min(settings.backoff_max, settings.backoff_initial * 2.0 ** max(0, attempts - 1))
    return float(base * (1.0 + settings.jitter * (2.0 * rand - 1.0)))


@dataclass(slots=True)
class RoundResult:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    lost: int = 0  # claims another instance took over (this one was too slow)
    paused_for: float = 0.0  # > 0: the notifier waits this long for its next retry


@dataclass(slots=True)
class DeliveryStats:
    """Totals since start, for logs and metrics."""

    delivered: int = 0
    failed_attempts: int = 0
    dead: int = 0


class DeliveryWorker:
    def __init__(self, store: Store, notifier: Notifier, settings: DeliverySettings,
                 clock: Clock, *, instance: str, lease_seconds: float = 30.0,
                 rng: random.Random | None = None,
                 on_dead: DeadLetterHook | None = None) -> None:
        self.store = store
        self.notifier = notifier
        self.settings = settings
        self.clock = clock
        self.instance = instance
        self.lease_seconds = lease_seconds
        self.on_dead = on_dead
        self.wakeup = asyncio.Event()
        self.stats = DeliveryStats()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        digest = notifier.settings.digest
        self._digest_seconds = digest.every_minutes * 60.0 if digest else None
        self._batch = digest.max_alerts if digest else settings.batch

    @property
    def name(self) -> str:
        return self.notifier.name

    # -- one round --------------------------------------------------------------------
    async def deliver_due(self, stop: asyncio.Event | None = None) -> RoundResult:
        """Deliver every due alert once, stopping at the first retryable failure."""
        result = RoundResult()
        heartbeat = asyncio.create_task(self._keep_claims(), name=f"claims-{self.name}")
        try:
            while stop is None or not stop.is_set():
                batch = await asyncio.to_thread(
                    self.store.claim_deliveries, self.name, self.clock.now(),
                    instance=self.instance, lease_seconds=self.lease_seconds,
                    limit=self._batch, min_age_seconds=self._digest_seconds)
                if not batch:
                    return result
                if self._digest_seconds is not None:
                    keep_going = await self._deliver_digest(batch, result)
                else:
                    keep_going = await self._deliver_batch(batch, result, stop)
                if not keep_going:
                    break
            await asyncio.to_thread(self.store.release_claims, self.name,
                                    instance=self.instance)
            return result
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)

    async def _keep_claims(self) -> None:
        """Renew this worker's claims every third of the lease while it delivers, however
        long one attempt takes; if this process dies, they run out and another takes over."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await asyncio.to_thread(self.store.renew_claims, self.name, self.clock.now(),
                                        instance=self.instance,
                                        lease_seconds=self.lease_seconds)
            except WatcherError as exc:
                logger.error("cannot renew the outbox claims of %s: %s", self.name, exc,
                             extra={"notifier": self.name})

    async def _deliver_batch(self, batch: Sequence[Delivery], result: RoundResult,
                             stop: asyncio.Event | None) -> bool:
        for delivery in batch:
            if stop is not None and stop.is_set():
                return False
            outcome = await self._deliver(delivery, result)
            if outcome != "delivered" and outcome != "dead":
                return False
        return True

    def _log(self, delivery: Delivery) -> dict[str, object]:
        alert = delivery.alert
        return {"alert_id": alert.id, "accession": alert.accession or None,
                "cik": alert.cik or None, "notifier": self.name}

    async def _attempt(self, send: Callable[[], Awaitable[None]]
                       ) -> tuple[str, str, float | None]:
        """Run one send: ("ok"|"retry"|"dead", reason, retry_after)."""
        try:
            await asyncio.wait_for(send(), timeout=self.settings.send_timeout)
        except PermanentDeliveryError as exc:
            return "dead", str(exc), None
        except RetryableDeliveryError as exc:
            return "retry", str(exc), exc.retry_after
        except TimeoutError:
            return "retry", f"no answer within {self.settings.send_timeout:g}s", None
        except OSError as exc:
            return "retry", f"{type(exc).__name__}: {exc.strerror or exc}", None
        except Exception as exc:  # a notifier bug must not kill the loop
            logger.error("notifier %s failed unexpectedly: %s", self.name,
                         type(exc).__name__, exc_info=True, extra={"notifier": self.name})
            return "retry", f"unexpected {type(exc).__name__} in the notifier", None
        return "ok", "", None

    async def _deliver(self, delivery: Delivery, result: RoundResult) -> Outcome:
        alert = delivery.alert
        status, reason, retry_after = await self._attempt(lambda: self.notifier.send(alert))
        if status == "ok":
            await asyncio.to_thread(self.store.mark_delivered, alert.id, self.name,
                                    self.clock.now())
            self.stats.delivered += 1
            result.delivered += 1
            metrics.ALERT_DELIVERIES.labels(notifier=self.name, outcome="sent").inc()
            logger.info("alert %s delivered to %s", alert.id, self.name,
                        extra=self._log(delivery))
            return "delivered"
        self.stats.failed_attempts += 1
        if status == "dead":
            return await self._dead(delivery, f"refused: {reason}", result)
        return await self._retry_or_dead(delivery, reason, retry_after, result)

    async def _deliver_digest(self, batch: Sequence[Delivery], result: RoundResult) -> bool:
        alerts = [d.alert for d in batch]
        status, reason, retry_after = await self._attempt(
            lambda: self.notifier.send_digest(alerts))
        if status == "ok":
            now = self.clock.now()
            for delivery in batch:
                await asyncio.to_thread(self.store.mark_delivered, delivery.alert.id,
                                        self.name, now)
            self.stats.delivered += len(batch)
            result.delivered += len(batch)
            metrics.ALERT_DELIVERIES.labels(notifier=self.name, outcome="sent").inc(len(batch))
            logger.info("digest of %d alert(s) delivered to %s", len(batch), self.name,
                        extra={"notifier": self.name})
            return True
        self.stats.failed_attempts += 1
        if status == "dead":
            for delivery in batch:
                await self._dead(delivery, f"digest refused: {reason}", result)
            return True
        delay = self._delay(max(d.attempts for d in batch) + 1, retry_after)
        outcomes = [await self._retry_or_dead(d, reason, retry_after, result, delay=delay)
                    for d in batch]
        return all(o == "dead" for o in outcomes)

    def _delay(self, attempts: int, retry_after: float | None) -> float:
        delay = backoff_delay(attempts, self.settings, self._rng.random())
        return max(delay, retry_after or 0.0)

    async def _dead(self, delivery: Delivery, reason: str, result: RoundResult) -> Outcome:
        alert = delivery.alert
        now = self.clock.now()
        if not await asyncio.to_thread(self.store.mark_dead, alert.id, self.name, reason, now,
                                       instance=self.instance):
            result.lost += 1
            return "lost"
        self.stats.dead += 1
        result.dead += 1
        metrics.ALERT_DELIVERIES.labels(notifier=self.name, outcome="dead").inc()
        logger.error("alert %s dead-lettered for %s: %s", alert.id, self.name, reason,
                     extra=self._log(delivery))
        if self.on_dead is not None:
            try:
                self.on_dead(delivery, reason)
            except Exception:
                logger.exception("dead-letter hook failed", extra=self._log(delivery))
        return "dead"

    async def _retry_or_dead(self, delivery: Delivery, error: str, retry_after: float | None,
                             result: RoundResult, *, delay: float | None = None) -> Outcome:
        now = self.clock.now()
        attempts = delivery.attempts + 1
        since = delivery.queued_at or delivery.alert.created_at
        if attempts >= self.settings.max_attempts:
            return await self._dead(delivery, f"retry budget spent after {attempts} attempts: "
                                              f"{error}", result)
        if now - since > timedelta(hours=self.settings.max_age_hours):
            return await self._dead(delivery, f"retry budget spent after "
                                              f"{self.settings.max_age_hours:g}h: {error}", result)
        wait = delay if delay is not None else self._delay(attempts, retry_after)
        if not await asyncio.to_thread(self.store.mark_retry, delivery.alert.id, self.name,
                                       error, now + timedelta(seconds=wait),
                                       instance=self.instance):
            result.lost += 1
            return "lost"
        result.retried += 1
        result.paused_for = max(result.paused_for, wait)
        metrics.ALERT_DELIVERIES.labels(notifier=self.name, outcome="failed").inc()
        logger.warning("alert %s not delivered to %s (attempt %d): %s; retry in %.1fs",
                       delivery.alert.id, self.name, attempts, error, wait,
                       extra=self._log(delivery))
        return "retry"

    # -- the loop ---------------------------------------------------------------------
    async def seconds_until_due(self, now: datetime | None = None) -> float:
        """How long until the head of the queue can be claimed (``idle_poll`` at most)."""
        head = await asyncio.to_thread(self.store.outbox_head, self.name)
        if head is None:
            return self.settings.idle_poll
        now = now or self.clock.now()
        due = head.next_attempt_at or now
        if self._digest_seconds is not None:
            due = max(due, head.alert.created_at + timedelta(seconds=self._digest_seconds))
        if head.lease_until is not None and head.lease_until > due:
            due = head.lease_until  # another instance holds it: look again when that ends
        wait = (due - now).total_seconds()
        return min(self.settings.idle_poll, max(MIN_WAIT, wait))

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; wakes on new alerts, when the head of the queue is
        due, and every ``idle_poll`` seconds (alerts another instance wrote)."""
        try:
            while not stop.is_set():
                self.wakeup.clear()
                try:
                    await self.deliver_due(stop)
                    wait = await self.seconds_until_due()
                except Exception:
                    logger.exception("delivery round of %s failed", self.name,
                                     extra={"notifier": self.name})
                    wait = self.settings.idle_poll
                stopper = asyncio.ensure_future(stop.wait())
                waker = asyncio.ensure_future(self.wakeup.wait())
                try:
                    await asyncio.wait({stopper, waker}, timeout=wait,
                                       return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stopper.cancel()
                    waker.cancel()
        finally:
            try:
                await asyncio.to_thread(self.store.release_claims, self.name,
                                        instance=self.instance)
            except Exception:
                logger.warning("could not give back the claims of %s", self.name,
                               exc_info=True, extra={"notifier": self.name})
