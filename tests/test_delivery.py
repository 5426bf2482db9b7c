"""The delivery loop against a real local HTTP receiver, with a clock the test moves: retries
with exponential backoff and jitter, the retry budget, dead letters, order, digests."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from watcher.config import DeliverySettings
from watcher.delivery import DeliveryWorker, backoff_delay
from watcher.models import Alert, Delivery
from watcher.notifiers.base import Notifier
from watcher.store import Store, open_store

from tests.support.clock import FakeClock
from tests.support.outbox import build_notifier, queue_alerts
from tests.support.receiver import WebhookReceiver
from tests.support.smtp import free_port

SECRET = "delivery-test-secret"
SETTINGS = DeliverySettings(backoff_initial=10, backoff_max=80, max_attempts=6, jitter=0.5,
                            send_timeout=5)


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    opened = open_store(sqlite_url)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def webhook(url: str, clock: FakeClock, **extra: object) -> Notifier:
    return build_notifier({"name": "desk", "kind": "webhook", "url": url,
                           "secret_env": "HOOK_SECRET", **extra}, clock,
                          environ={"HOOK_SECRET": SECRET})


def worker(store: Store, notifier: Notifier, clock: FakeClock,
           settings: DeliverySettings = SETTINGS,
           dead: list[tuple[str, str]] | None = None) -> DeliveryWorker:
    def on_dead(delivery: Delivery, reason: str) -> None:
        if dead is not None:
            dead.append((delivery.alert.id, reason))

    return DeliveryWorker(store, notifier, settings, clock, instance="test-instance",
                          rng=random.Random(7), on_dead=on_dead)


def test_backoff_doubles_per_attempt_up_to_the_cap_with_bounded_jitter() -> None:
    assert [backoff_delay(n, SETTINGS, 0.5) for n in range(1, 6)] == [10, 20, 40, 80, 80]
    assert backoff_delay(3, SETTINGS, 0.0) == 20.0  # 40 x (1 - 0.5)
    assert backoff_delay(3, SETTINGS, 1.0) == 60.0  # 40 x (1 + 0.5)


async def test_a_receiver_that_fails_the_first_requests_gets_the_alert_after_retries(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    receiver.fail_first = 3
    deliver = worker(store, webhook(receiver.url, clock), clock)
    [alert] = queue_alerts(store, 1, ["desk"], clock.now())
    waits = []
    for _ in range(3):
        result = await deliver.deliver_due()
        assert (result.retried, result.delivered) == (1, 0)
        attempts = receiver.attempts
        assert (await deliver.deliver_due()).retried == 0  # nothing is due before the backoff
        assert receiver.attempts == attempts
        waits.append(result.paused_for)
        clock.advance(result.paused_for)
    result = await deliver.deliver_due()
    assert result.delivered == 1
    assert receiver.attempts == 4
    assert [r.alert_id for r in receiver.received] == [alert.id]
    for number, wait in enumerate(waits):  # 10, 20, 40 seconds, each within ±50% jitter
        assert 10 * 2 ** number * 0.5 <= wait <= 10 * 2 ** number * 1.5
    [row] = store.deliveries(state="delivered")
    assert (row.alert_id, row.attempts, row.last_error) == (alert.id, 4, None)


async def test_a_receiver_down_for_a_while_gets_every_alert_once_back_in_order(
    store: Store, clock: FakeClock
) -> None:
    port = free_port()  # nothing listens here yet: connections are refused
    deliver = worker(store, webhook(f"http://127.0.0.1:{port}/hook", clock), clock)
    alerts = queue_alerts(store, 5, ["desk"], clock.now())
    for _ in range(3):
        result = await deliver.deliver_due()
        assert result.retried == 1 and result.delivered == 0
        clock.advance(result.paused_for)
    alerts += queue_alerts(store, 3, ["desk"], clock.now(), first=6)  # more while it is down
    [failing] = store.deliveries(state="failed")
    assert failing.alert_id == alerts[0].id and "unreachable" in (failing.last_error or "")
    with WebhookReceiver(port=port) as back:
        result = await deliver.deliver_due()
        assert result.delivered == 8
        assert [r.alert_id for r in back.received] == [a.id for a in alerts]
        assert back.attempts == 8
    assert store.deliveries(state="undelivered") == []


async def test_a_400_answer_is_dead_lettered_at_once_with_its_reason(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    receiver.status = 400
    dead: list[tuple[str, str]] = []
    deliver = worker(store, webhook(receiver.url, clock), clock, dead=dead)
    alerts = queue_alerts(store, 2, ["desk"], clock.now())
    result = await deliver.deliver_due()
    assert (result.dead, result.retried, result.paused_for) == (2, 0, 0.0)
    rows = store.deliveries(state="dead")
    assert sorted(r.alert_id for r in rows) == sorted(a.id for a in alerts)
    for row in rows:
        assert row.attempts == 1
        assert row.last_error is not None
        assert "HTTP 400" in row.last_error and "refused" in row.last_error
    assert [d[0] for d in dead] == [a.id for a in alerts]


async def test_the_retry_budget_by_attempts_ends_in_a_dead_letter(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    receiver.status = 503
    settings = SETTINGS.model_copy(update={"max_attempts": 3})
    dead: list[tuple[str, str]] = []
    deliver = worker(store, webhook(receiver.url, clock), clock, settings, dead)
    [alert] = queue_alerts(store, 1, ["desk"], clock.now())
    for _ in range(2):
        clock.advance((await deliver.deliver_due()).paused_for)
    result = await deliver.deliver_due()
    assert result.dead == 1
    assert receiver.attempts == 3
    [row] = store.deliveries(state="dead")
    assert row.last_error is not None and \
        row.last_error.startswith("retry budget spent after 3 attempts: webhook answered HTTP 503")
    assert dead == [(alert.id, row.last_error)]


async def test_the_retry_budget_by_age_ends_in_a_dead_letter(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    receiver.status = 503
    settings = SETTINGS.model_copy(update={"max_age_hours": 1.0})
    deliver = worker(store, webhook(receiver.url, clock), clock, settings)
    queue_alerts(store, 1, ["desk"], clock.now())
    assert (await deliver.deliver_due()).retried == 1
    clock.advance(3601)
    assert (await deliver.deliver_due()).dead == 1
    [row] = store.deliveries(state="dead")
    assert row.attempts == 2 and "after 1h" in (row.last_error or "")


async def test_a_failing_oldest_alert_holds_back_the_newer_ones(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    receiver.fail_first = 1
    settings = SETTINGS.model_copy(update={"idle_poll": 3600.0})
    deliver = worker(store, webhook(receiver.url, clock), clock, settings)
    alerts = queue_alerts(store, 3, ["desk"], clock.now())
    result = await deliver.deliver_due()
    assert (result.retried, result.delivered) == (1, 0)
    assert receiver.received == [] and receiver.attempts == 1
    assert await deliver.seconds_until_due() == pytest.approx(result.paused_for)
    clock.advance(result.paused_for)
    assert (await deliver.deliver_due()).delivered == 3
    assert [r.alert_id for r in receiver.received] == [a.id for a in alerts]


async def test_retry_after_from_the_receiver_is_respected(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    receiver.fail_first, receiver.fail_status = 1, 429
    receiver.reply_headers = {"Retry-After": "600"}
    deliver = worker(store, webhook(receiver.url, clock), clock)
    queue_alerts(store, 1, ["desk"], clock.now())
    result = await deliver.deliver_due()
    assert result.paused_for == 600.0
    clock.advance(599)
    assert (await deliver.deliver_due()).delivered == 0
    clock.advance(1)
    assert (await deliver.deliver_due()).delivered == 1


async def test_a_receiver_that_does_not_answer_in_time_is_retried(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    receiver.hold.clear()  # the receiver keeps the request open
    settings = SETTINGS.model_copy(update={"send_timeout": 0.3})
    deliver = worker(store, webhook(receiver.url, clock), clock, settings)
    queue_alerts(store, 1, ["desk"], clock.now())
    result = await deliver.deliver_due()
    receiver.hold.set()
    assert result.retried == 1
    [row] = store.deliveries(state="failed")
    assert row.last_error == "no answer within 0.3s"


async def test_a_dead_alert_retried_by_hand_gets_a_fresh_budget(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    receiver.status = 400
    deliver = worker(store, webhook(receiver.url, clock), clock)
    [alert] = queue_alerts(store, 1, ["desk"], clock.now())
    assert (await deliver.deliver_due()).dead == 1
    clock.advance(7 * 24 * 3600)  # long after the age budget
    receiver.status = 200
    assert store.requeue(alert.id, clock.now()) == 1
    assert (await deliver.deliver_due()).delivered == 1
    assert [r.alert_id for r in receiver.received] == [alert.id]


async def test_a_notifier_bug_is_retried_and_the_loop_goes_on(
    store: Store, clock: FakeClock
) -> None:
    class Broken(Notifier):
        calls = 0

        async def send(self, alert: Alert) -> None:
            Broken.calls += 1
            if Broken.calls == 1:
                raise ValueError("a bug")

    template = webhook("http://127.0.0.1:9/unused", clock)
    deliver = worker(store, Broken(template.settings, template.context), clock)
    queue_alerts(store, 2, ["desk"], clock.now())
    result = await deliver.deliver_due()
    assert result.retried == 1
    [row] = store.deliveries(state="failed")
    assert row.last_error == "unexpected ValueError in the notifier"
    clock.advance(result.paused_for)
    assert (await deliver.deliver_due()).delivered == 2


async def test_a_digest_waits_for_the_oldest_alert_then_sends_everything_in_one_message(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    notifier = webhook(receiver.url, clock, digest={"every_minutes": 10})
    deliver = worker(store, notifier, clock)
    alerts = queue_alerts(store, 2, ["desk"], clock.now())
    assert (await deliver.deliver_due()).delivered == 0
    assert await deliver.seconds_until_due() == SETTINGS.idle_poll  # 10 minutes away
    clock.advance(8 * 60)
    alerts += queue_alerts(store, 1, ["desk"], clock.now(), first=3)
    clock.advance(2 * 60)
    assert (await deliver.deliver_due()).delivered == 3
    [digest] = receiver.received
    body = digest.json
    assert body["schema"] == "watcher.digest.v1" and body["count"] == 3
    assert [a["id"] for a in body["alerts"]] == [a.id for a in alerts]
    assert body["alerts"][0] == alerts[0].payload
    assert digest.headers["x-watcher-digest-id"] == body["id"]
    expected = "sha256=" + hmac.new(SECRET.encode(), digest.body, hashlib.sha256).hexdigest()
    assert digest.headers["x-watcher-signature"] == expected
    assert store.deliveries(state="undelivered") == []


async def test_a_failed_digest_is_retried_whole(
    store: Store, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    receiver.fail_first = 1
    deliver = worker(store, webhook(receiver.url, clock, digest={"every_minutes": 1}), clock)
    alerts = queue_alerts(store, 2, ["desk"], clock.now())
    clock.advance(60)
    result = await deliver.deliver_due()
    assert result.retried == 2 and result.paused_for > 0
    clock.advance(result.paused_for)
    assert (await deliver.deliver_due()).delivered == 2
    [digest] = receiver.received
    assert [a["id"] for a in digest.json["alerts"]] == [a.id for a in alerts]


async def test_the_loop_wakes_on_a_new_alert_and_stops_on_request(
    store: Store, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    from watcher.clock import SYSTEM_CLOCK

    notifier = build_notifier({"name": "desk", "kind": "webhook", "url": receiver.url},
                              SYSTEM_CLOCK)
    settings = SETTINGS.model_copy(update={"idle_poll": 3600.0})  # only a wakeup can help
    deliver = DeliveryWorker(store, notifier, settings, SYSTEM_CLOCK, instance="loop")
    stop = asyncio.Event()
    task = asyncio.create_task(deliver.run(stop))
    [alert] = queue_alerts(store, 1, ["desk"], SYSTEM_CLOCK.now() - timedelta(seconds=1))
    deliver.wakeup.set()
    got = await asyncio.to_thread(receiver.wait_for, 1)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert [r.alert_id for r in got] == [alert.id]
    assert json.loads(got[0].body)["id"] == alert.id
