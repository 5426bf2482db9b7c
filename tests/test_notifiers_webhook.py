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
