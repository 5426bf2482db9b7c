"""The outbox delivery loop of one notifier: oldest alert first, retries with exponential
backoff and jitter, dead-letter after the retry budget (attempts or age).

A retryable failure pauses the whole notifier until the backoff elapses, then delivery
resumes from the oldest pending alert: a receiver that was down gets every alert, in order.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from watcher import metrics
from watcher.clock import Clock
from watcher.config import DeliverySettings
from watcher.errors import PermanentDeliveryError, RetryableDeliveryError
from watcher.models import Delivery
from watcher.notifiers.base import Notifier
from watcher.store.base import Store

logger = logging.getLogger(__name__)


def backoff_delay(attempts: int, settings: DeliverySettings, rand: float) -> float:
    """Seconds before attempt ``attempts + 1``: exponential, capped, with ±50% jitter."""
    base = min(settings.backoff_max, settings.backoff_initial * 2.0 ** max(0, attempts - 1))
    return float(base * (0.5 + rand))


@dataclass(slots=True)
class RoundResult:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    paused_for: float = 0.0


class DeliveryWorker:
    def __init__(self, store: Store, notifier: Notifier, settings: DeliverySettings,
                 clock: Clock, *, rng: random.Random | None = None) -> None:
        self.store = store
        self.notifier = notifier
        self.settings = settings
        self.clock = clock
        self.wakeup = asyncio.Event()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security

    @property
    def name(self) -> str:
        return self.notifier.name

    async def deliver_due(self) -> RoundResult:
        """Deliver every due alert once, stopping at the first retryable failure."""
        result = RoundResult()
        while True:
            due = await asyncio.to_thread(self.store.due_deliveries, self.name, self.clock.now())
            if not due:
                return result
            for delivery in due:
                outcome = await self._deliver(delivery)
                if outcome == "delivered":
                    result.delivered += 1
                elif outcome == "dead":
                    result.dead += 1
                else:
                    result.retried += 1
                    result.paused_for = float(outcome)
                    return result

    async def _deliver(self, delivery: Delivery) -> str | float:
        alert = delivery.alert
        log = {"alert_id": alert.id, "accession": alert.accession, "cik": alert.cik,
               "notifier": self.name}
        attempts = delivery.attempts + 1
        try:
            await self.notifier.send(alert)
        except PermanentDeliveryError as exc:
            await asyncio.to_thread(self.store.mark_dead, alert.id, self.name, str(exc),
                                    self.clock.now())
            metrics.ALERT_DELIVERIES.labels(notifier=self.name, outcome="dead").inc()
            logger.error("alert %s refused by %s, dead-lettered: %s", alert.id, self.name, exc,
                         extra=log)
            return "dead"
        except (RetryableDeliveryError, OSError, TimeoutError) as exc:
            return await self._retry_or_dead(delivery, attempts, f"{exc}", log)
        except Exception as exc:  # a notifier bug must not kill the loop
            logger.exception("notifier %s failed unexpectedly", self.name, extra=log)
            return await self._retry_or_dead(delivery, attempts,
                                              f"{type(exc).__name__}: {exc}", log)
        await asyncio.to_thread(self.store.mark_delivered, alert.id, self.name,
                                self.clock.now())
        metrics.ALERT_DELIVERIES.labels(notifier=self.name, outcome="sent").inc()
        logger.info("alert %s delivered to %s", alert.id, self.name, extra=log)
        return "delivered"

    async def _retry_or_dead(self, delivery: Delivery, attempts: int, error: str,
                             log: dict[str, object]) -> str | float:
        now = self.clock.now()
        alert = delivery.alert
        age = now - alert.created_at
        if attempts >= self.settings.max_attempts or \
                age > timedelta(hours=self.settings.max_age_hours):
            reason = f"retry budget spent after {attempts} attempts: {error}"
            await asyncio.to_thread(self.store.mark_dead, alert.id, self.name, reason, now)
            metrics.ALERT_DELIVERIES.labels(notifier=self.name, outcome="dead").inc()
            logger.error("alert %s dead-lettered for %s: %s", alert.id, self.name, reason,
                         extra=log)
            return "dead"
        delay = backoff_delay(attempts, self.settings, self._rng.random())
        await asyncio.to_thread(self.store.mark_retry, alert.id, self.name, error,
                                now + timedelta(seconds=delay))
        metrics.ALERT_DELIVERIES.labels(notifier=self.name, outcome="failed").inc()
        logger.warning("alert %s not delivered to %s (attempt %d): %s; retry in %.0fs",
                       alert.id, self.name, attempts, error, delay, extra=log)
        return delay

    async def run(self, stop: asyncio.Event, idle_poll: float = 5.0) -> None:
        """Deliver until ``stop`` is set; wakes on new alerts or every ``idle_poll`` s."""
        while not stop.is_set():
            self.wakeup.clear()
            try:
                result = await self.deliver_due()
            except Exception:
                logger.exception("delivery round of %s failed", self.name)
                result = RoundResult(paused_for=idle_poll)
            wait = result.paused_for or idle_poll
            stopper = asyncio.ensure_future(stop.wait())
            waker = asyncio.ensure_future(self.wakeup.wait())
            try:
                if result.paused_for:
                    # while paused, new alerts must not jump the queue: ignore wakeups
                    await asyncio.wait({stopper}, timeout=wait)
                else:
                    await asyncio.wait({stopper, waker}, timeout=wait,
                                       return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopper.cancel()
                waker.cancel()
