"""Operator alerts: events (a source failing, its recovery, a throttle pause) and dead-lettered
alerts reach the notifiers marked ``operators: true``, through the outbox like any alert."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from watcher.app import App
from watcher.config import Config, parse_config
from watcher.demo.fake_edgar import FakeEdgar, Reply
from watcher.events import OperatorEvent
from watcher.operator import operator_alert
from watcher.store import open_store

from tests.support.outbox import queue_alerts
from tests.support.receiver import WebhookReceiver

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)


def _config(tmp_path: Path, desk: str, ops: str | None, **extra: Any) -> Config:
    notifiers = [{"name": "desk", "kind": "webhook", "url": desk}]
    if ops is not None:
        notifiers.append({"name": "ops", "kind": "webhook", "url": ops, "operators": True})
    return parse_config({
        "edgar": {"user_agent": "watcher tests tests@example.invalid",
                  "base_url": "http://127.0.0.1:9", "data_url": "http://127.0.0.1:9"},
        "sources": [],
        "store": {"url": f"sqlite:///{tmp_path / 'watcher.db'}"},
        "notifiers": notifiers,
        "delivery": {"idle_poll": 0.2, "send_timeout": 5},
        "server": {"enabled": False},
        **extra,
    }, environ={})


async def test_a_raised_event_reaches_only_the_operators_notifier(tmp_path: Path) -> None:
    with WebhookReceiver() as desk, WebhookReceiver() as ops:
        app = App(_config(tmp_path, desk.url, ops.url), grace_seconds=5)
        event = OperatorEvent("source_failing", "edgar_current failed 3 times in a row",
                              NOW, "edgar_current", {"failures": 3, "error": "HTTP 503"})

        async def ready(app: App) -> None:
            app.events.emit(event)  # as the HTTP client and the pollers do
            await asyncio.to_thread(ops.wait_for, 1)
            app.request_stop()

        await app.run_forever(ready=ready)
        assert desk.attempts == 0
        [got] = ops.received
    body = got.json
    assert body["schema"] == "watcher.operator.v1"
    assert (body["kind"], body["source"], body["severity"]) == \
        ("source_failing", "edgar_current", "high")
    assert body["details"] == {"failures": 3, "error": "HTTP 503"}
    assert body["id"] == got.alert_id == operator_alert(event).id


async def test_a_dead_lettered_alert_raises_an_operator_alert(tmp_path: Path) -> None:
    with WebhookReceiver() as desk, WebhookReceiver() as ops:
        desk.status = 400
        config = _config(tmp_path, desk.url, ops.url)
        store = open_store(config.store.url)
        [alert] = queue_alerts(store, 1, ["desk"], datetime.now(UTC))
        store.close()
        report = await App(config).run_once()
        assert not report.failed
        [got] = ops.wait_for(1)
    body = got.json
    assert body["kind"] == "alert_dead"
    assert body["details"]["alert_id"] == alert.id and body["details"]["notifier"] == "desk"
    assert "HTTP 400" in body["details"]["reason"]
    assert f"watcher alerts --retry {alert.id}" in body["message"]


async def test_an_operator_alert_that_cannot_be_delivered_raises_nothing_more(
    tmp_path: Path,
) -> None:
    with WebhookReceiver() as desk, WebhookReceiver() as ops:
        desk.status = ops.status = 400
        config = _config(tmp_path, desk.url, ops.url)
        store = open_store(config.store.url)
        queue_alerts(store, 1, ["desk"], datetime.now(UTC))
        store.close()
        await App(config).run_once()
        store = open_store(config.store.url)
        dead = store.deliveries(state="dead")
        store.close()
    assert sorted((d.notifier, d.kind) for d in dead) == [("desk", "filing"),
                                                          ("ops", "operator")]
    assert ops.attempts == 1


def test_the_same_event_from_two_instances_is_one_alert(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    event = OperatorEvent("throttled", "all EDGAR requests paused for 600s", NOW, "edgar")
    assert store.save_operator_alert(operator_alert(event), ["ops"], NOW)
    assert not store.save_operator_alert(operator_alert(event), ["ops"], NOW)
    assert [d.kind for d in store.deliveries()] == ["operator"]
    store.close()


async def test_without_operator_notifiers_events_are_only_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with WebhookReceiver() as desk:
        app = App(_config(tmp_path, desk.url, None))
        caplog.set_level(logging.WARNING, logger="watcher.events")

        async def ready(app: App) -> None:
            app.events.emit(OperatorEvent("source_recovered", "works again", NOW,
                                          "edgar_current"))
            app.request_stop()

        await app.run_forever(ready=ready)
        assert desk.attempts == 0
    assert "operator event source_recovered: works again" in caplog.text
    store = open_store(f"sqlite:///{tmp_path / 'watcher.db'}")
    assert store.deliveries() == []
    store.close()


async def test_an_edgar_throttle_pause_is_told_to_the_operators(
    tmp_path: Path, fake_edgar: FakeEdgar
) -> None:
    with WebhookReceiver() as desk, WebhookReceiver() as ops:
        config = _config(tmp_path, desk.url, ops.url,
                         sources=[{"kind": "edgar_current", "every": 60}])
        config = config.model_copy(update={"edgar": config.edgar.model_copy(
            update={"base_url": fake_edgar.base_url, "data_url": fake_edgar.base_url})})
        throttled = Reply(429, b"slow down", headers={"Retry-After": "120"})
        with fake_edgar.fault(lambda path: throttled):
            report = await App(config).run_once()
        assert report.polls_failed == ["edgar_current"]
        [got] = ops.wait_for(1)
        assert desk.attempts == 0
    body = got.json
    assert body["kind"] == "throttled" and body["severity"] == "high"
    assert body["details"]["pause_seconds"] == 120.0 and body["details"]["status"] == 429
    assert "all requests paused for 120s" in body["message"]
