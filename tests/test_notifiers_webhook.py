"""The webhook notifier against a real local HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from watcher.clock import SYSTEM_CLOCK
from watcher.config import parse_config
from watcher.errors import PermanentDeliveryError, RetryableDeliveryError
from watcher.notifiers.base import NotifierContext
from watcher.notifiers.sample import sample_alert
from watcher.notifiers.webhook import WebhookNotifier, WebhookSettings, sign, verify

from tests.support.receiver import WebhookReceiver

SECRET = "webhook-test-secret"


def _notifier(url: str) -> WebhookNotifier:
    config = parse_config({"notifiers": [{"name": "desk", "kind": "webhook", "url": url,
                                          "secret_env": "HOOK_SECRET"}]},
                          environ={"HOOK_SECRET": SECRET})
    settings = config.notifiers[0]
    assert isinstance(settings, WebhookSettings)
    return WebhookNotifier(settings, NotifierContext(config=config, clock=SYSTEM_CLOCK))


async def test_the_alert_is_posted_with_a_verifiable_signature(receiver: WebhookReceiver) -> None:
    notifier = _notifier(receiver.url)
    alert = sample_alert(datetime(2026, 1, 5, tzinfo=UTC))
    await notifier.send(alert)
    await notifier.aclose()
    got = receiver.wait_for(1)[0]
    assert got.body == alert.body
    assert got.json["schema"] == "watcher.alert.v1"
    expected = "sha256=" + hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["x-watcher-signature"] == expected
    assert verify(got.body, SECRET, got.headers["x-watcher-signature"])
    assert not verify(got.body + b" ", SECRET, got.headers["x-watcher-signature"])
    assert got.headers["x-watcher-alert-id"] == alert.id


async def test_a_5xx_answer_is_worth_retrying(receiver: WebhookReceiver) -> None:
    receiver.status = 503
    notifier = _notifier(receiver.url)
    with pytest.raises(RetryableDeliveryError, match="503"):
        await notifier.send(sample_alert(datetime(2026, 1, 5, tzinfo=UTC)))
    await notifier.aclose()


async def test_a_400_answer_is_permanent(receiver: WebhookReceiver) -> None:
    receiver.status = 400
    notifier = _notifier(receiver.url)
    with pytest.raises(PermanentDeliveryError, match="400"):
        await notifier.send(sample_alert(datetime(2026, 1, 5, tzinfo=UTC)))
    await notifier.aclose()


async def test_an_unreachable_receiver_is_worth_retrying() -> None:
    notifier = _notifier("http://127.0.0.1:9/hook")
    with pytest.raises(RetryableDeliveryError, match="unreachable"):
        await notifier.send(sample_alert(datetime(2026, 1, 5, tzinfo=UTC)))
    await notifier.aclose()


def test_describe_names_the_secret_variable_but_never_its_value() -> None:
    shown = str(_notifier("https://hooks.example/x").describe())
    assert "HOOK_SECRET" in shown and SECRET not in shown


def test_the_signature_is_the_hex_hmac_sha256_of_the_body() -> None:
    assert sign(b"{}", "k") == "sha256=" + hmac.new(b"k", b"{}", hashlib.sha256).hexdigest()


async def test_a_429_is_retried_after_the_time_the_receiver_asks_for(
    receiver: WebhookReceiver,
) -> None:
    receiver.status = 429
    receiver.reply_headers = {"Retry-After": "120"}
    notifier = _notifier(receiver.url)
    with pytest.raises(RetryableDeliveryError, match="429") as caught:
        await notifier.send(sample_alert(datetime(2026, 1, 5, tzinfo=UTC)))
    await notifier.aclose()
    assert caught.value.retry_after == 120.0


@pytest.mark.parametrize("status", [401, 403, 404, 410, 422])
async def test_other_4xx_answers_are_permanent_with_the_reason(
    receiver: WebhookReceiver, status: int
) -> None:
    receiver.status = status
    notifier = _notifier(receiver.url)
    with pytest.raises(PermanentDeliveryError, match=f"HTTP {status}: .*refused"):
        await notifier.send(sample_alert(datetime(2026, 1, 5, tzinfo=UTC)))
    await notifier.aclose()


async def test_an_operator_alert_is_posted_and_signed_like_any_alert(
    receiver: WebhookReceiver,
) -> None:
    from watcher.events import OperatorEvent
    from watcher.operator import operator_alert

    alert = operator_alert(OperatorEvent("source_recovered", "edgar_current works again",
                                         datetime(2026, 1, 5, tzinfo=UTC), "edgar_current"))
    notifier = _notifier(receiver.url)
    await notifier.send(alert)
    await notifier.aclose()
    got = receiver.wait_for(1)[0]
    assert got.json["schema"] == "watcher.operator.v1"
    assert got.json["kind"] == "source_recovered" and got.alert_id == alert.id
    assert verify(got.body, SECRET, got.headers["x-watcher-signature"])


def test_retry_after_may_be_seconds_or_an_http_date() -> None:
    from watcher.http import retry_after_seconds

    now = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
    assert retry_after_seconds("30", now) == 30.0
    assert retry_after_seconds("Mon, 05 Jan 2026 14:02:00 GMT", now) == 120.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None
