"""Several instances sharing one outbox (SQLite file and the real PostgreSQL): each alert is
claimed by one instance at a time, a dead instance's claims expire, a notifier's queue is
delivered once and in order even when workers race for it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from watcher.clock import SYSTEM_CLOCK
from watcher.config import DeliverySettings
from watcher.delivery import DeliveryWorker
from watcher.store import Store, open_store

from tests.support.clock import FakeClock
from tests.support.outbox import build_notifier, queue_alerts
from tests.support.receiver import WebhookReceiver
from tests.support.wait import wait_until

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
LEASE = 60.0


@pytest.fixture
def stores(store_url: str) -> Iterator[tuple[Store, Store]]:
    """Two connections to one database: two instances."""
    first, second = open_store(store_url), open_store(store_url)
    yield first, second
    first.close()
    second.close()


def _claim(store: Store, instance: str, at: datetime = NOW, limit: int = 20) -> list[str]:
    return [d.alert.id for d in store.claim_deliveries("desk", at, instance=instance,
                                                       lease_seconds=LEASE, limit=limit)]


def test_rows_claimed_by_one_instance_are_not_claimed_by_another(
    stores: tuple[Store, Store],
) -> None:
    a, b = stores
    alerts = queue_alerts(a, 3, ["desk"], NOW)
    assert _claim(a, "A", limit=2) == [x.id for x in alerts[:2]]
    # B may not jump the queue: the head is A's, so B gets nothing, not the third alert.
    assert _claim(b, "B") == []
    a.mark_delivered(alerts[0].id, "desk", NOW)
    a.mark_delivered(alerts[1].id, "desk", NOW)
    assert _claim(b, "B") == [alerts[2].id]


def test_the_claims_of_a_dead_instance_expire_and_another_takes_over(
    stores: tuple[Store, Store],
) -> None:
    a, b = stores
    alerts = queue_alerts(a, 2, ["desk"], NOW)
    assert _claim(a, "A") == [x.id for x in alerts]  # then A dies
    assert _claim(b, "B", NOW + timedelta(seconds=LEASE - 1)) == []
    later = NOW + timedelta(seconds=LEASE + 1)
    assert _claim(b, "B", later) == [x.id for x in alerts]
    # A comes back too late: its outcome no longer counts, B's does.
    assert not a.mark_retry(alerts[0].id, "desk", "503", later, instance="A")
    assert not a.mark_dead(alerts[0].id, "desk", "400", later, instance="A")
    assert b.mark_retry(alerts[0].id, "desk", "503", later + timedelta(minutes=1),
                        instance="B")
    [failed] = b.deliveries(state="failed")
    assert (failed.alert_id, failed.attempts, failed.claimed_by) == (alerts[0].id, 1, None)


def test_claims_given_back_are_free_at_once_and_renewed_ones_last(
    stores: tuple[Store, Store],
) -> None:
    a, b = stores
    alerts = queue_alerts(a, 2, ["desk"], NOW)
    _claim(a, "A")
    assert a.renew_claims("desk", NOW + timedelta(seconds=50), instance="A",
                          lease_seconds=LEASE) == 2
    assert _claim(b, "B", NOW + timedelta(seconds=LEASE + 1)) == []  # renewed until 110s
    assert a.release_claims("desk", instance="A") == 2
    assert _claim(b, "B") == [x.id for x in alerts]


def test_a_head_waiting_for_its_retry_holds_back_every_instance(
    stores: tuple[Store, Store],
) -> None:
    a, b = stores
    alerts = queue_alerts(a, 3, ["desk"], NOW)
    _claim(a, "A", limit=1)
    a.mark_retry(alerts[0].id, "desk", "503", NOW + timedelta(seconds=30), instance="A")
    assert _claim(b, "B") == []
    assert _claim(b, "B", NOW + timedelta(seconds=30)) == [x.id for x in alerts]


def test_each_notifier_has_its_own_queue(stores: tuple[Store, Store]) -> None:
    a, b = stores
    alerts = queue_alerts(a, 2, ["desk", "mail"], NOW)
    assert _claim(a, "A") == [x.id for x in alerts]
    mail = b.claim_deliveries("mail", NOW, instance="B", lease_seconds=LEASE)
    assert [d.alert.id for d in mail] == [x.id for x in alerts]


async def test_three_instances_racing_deliver_every_alert_once_and_in_order(
    store_url: str, receiver: WebhookReceiver
) -> None:
    settings = DeliverySettings(batch=4, idle_poll=0.05, send_timeout=5)
    opened = [open_store(store_url) for _ in range(3)]
    try:
        alerts = queue_alerts(opened[0], 30, ["desk"], SYSTEM_CLOCK.now())
        stop = asyncio.Event()
        workers = [
            DeliveryWorker(store, build_notifier({"name": "desk", "kind": "webhook",
                                                  "url": receiver.url}, SYSTEM_CLOCK),
                           settings, SYSTEM_CLOCK, instance=f"instance-{n}", lease_seconds=3)
            for n, store in enumerate(opened)
        ]
        tasks = [asyncio.create_task(w.run(stop)) for w in workers]
        got = await asyncio.to_thread(receiver.wait_for, 30)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        for worker in workers:
            await worker.notifier.aclose()
        assert [r.alert_id for r in got] == [a.id for a in alerts]
        assert receiver.attempts == 30
        assert sum(w.stats.delivered for w in workers) == 30
        assert opened[0].deliveries(state="undelivered") == []
    finally:
        for store in opened:
            store.close()



async def test_a_delivery_slower_than_the_lease_keeps_its_claim(
    store_url: str, receiver: WebhookReceiver
) -> None:
    clock = FakeClock()
    a, b = open_store(store_url), open_store(store_url)
    try:
        [alert] = queue_alerts(a, 1, ["desk"], clock.now())
        receiver.hold.clear()  # the receiver takes its time
        notifier = build_notifier({"name": "desk", "kind": "webhook", "url": receiver.url},
                                  clock)
        worker = DeliveryWorker(a, notifier, DeliverySettings(send_timeout=60), clock,
                                instance="A", lease_seconds=0.3)
        delivering = asyncio.create_task(worker.deliver_due())
        await asyncio.to_thread(wait_until, lambda: receiver.attempts == 1, 10, "the request")
        clock.advance(600)  # far past the lease the claim was taken with

        def renewed() -> bool:
            head = b.outbox_head("desk")
            return head is not None and head.lease_until is not None and \
                head.lease_until > clock.now()

        await asyncio.to_thread(wait_until, renewed, 10, "the claim renewed")
        assert b.claim_deliveries("desk", clock.now(), instance="B", lease_seconds=3) == []
        receiver.hold.set()
        assert (await delivering).delivered == 1
        await notifier.aclose()
        assert [r.alert_id for r in receiver.received] == [alert.id]
    finally:
        a.close()
        b.close()
