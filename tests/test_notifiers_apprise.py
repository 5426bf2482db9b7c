"""The optional apprise notifier, through apprise's own ``json://`` service to a real local
HTTP receiver (skipped when the apprise extra is not installed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from watcher.clock import SYSTEM_CLOCK
from watcher.errors import ConfigError, RetryableDeliveryError
from watcher.notifiers.base import Notifier
from watcher.notifiers.sample import sample_alert

from tests.support.outbox import build_notifier
from tests.support.receiver import WebhookReceiver

pytest.importorskip("apprise", reason="the apprise extra is not installed")
NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)


def _apprise(urls: str) -> Notifier:
    return build_notifier({"name": "many", "kind": "apprise", "urls_env": "APPRISE_URLS"},
                          SYSTEM_CLOCK, environ={"APPRISE_URLS": urls})


def _json_url(receiver: WebhookReceiver) -> str:
    return receiver.url.replace("http://", "json://")


async def test_an_alert_reaches_an_apprise_service_with_title_and_body(
    receiver: WebhookReceiver,
) -> None:
    alert = sample_alert(NOW)
    await _apprise(_json_url(receiver)).send(alert)
    [got] = receiver.wait_for(1)
    assert got.json["title"] == f"[watcher] {alert.title}"
    assert alert.payload["changes"][0]["evidence"] in got.json["message"]


async def test_a_service_that_fails_is_retried(receiver: WebhookReceiver) -> None:
    receiver.status = 500
    with pytest.raises(RetryableDeliveryError, match="apprise"):
        await _apprise(_json_url(receiver)).send(sample_alert(NOW))


def test_an_invalid_url_is_named_by_position_not_shown() -> None:
    with pytest.raises(ConfigError) as caught:
        _apprise("json://127.0.0.1:9/ok nonsense-scheme://tok3n")
    assert "number 2" in str(caught.value) and "tok3n" not in str(caught.value)
