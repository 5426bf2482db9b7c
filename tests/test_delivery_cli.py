"""``watcher alerts`` (the outbox: pending, failed, dead; retry one or all) and
``watcher notify-test NAME`` (a sample alert through one notifier, with the outcome)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from watcher.cli import main
from watcher.store import open_store

from tests.support.daemon import write_config
from tests.support.outbox import queue_alerts
from tests.support.receiver import WebhookReceiver

NOW = datetime.now(UTC) - timedelta(minutes=5)


def _config(tmp_path: Path, url: str = "http://127.0.0.1:9/hook", **extra: Any) -> Path:
    return write_config(
        tmp_path / "watcher.yaml",
        store={"url": f"sqlite:///{tmp_path / 'watcher.db'}"},
        notifiers=[{"name": "desk", "kind": "webhook", "url": url,
                    "secret_env": "CLI_HOOK_SECRET"},
                   {"name": "file", "kind": "jsonl", "path": str(tmp_path / "a.jsonl")}],
        **extra,
    )


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three alerts: one delivered everywhere, one failing at desk, one dead at desk."""
    monkeypatch.setenv("CLI_HOOK_SECRET", "cli-secret")
    config = _config(tmp_path)
    store = open_store(f"sqlite:///{tmp_path / 'watcher.db'}")
    first, failing, dead = queue_alerts(store, 3, ["desk", "file"], NOW)
    for alert in (first, failing, dead):
        store.mark_delivered(alert.id, "file", NOW)
    store.mark_delivered(first.id, "desk", NOW)
    store.mark_retry(failing.id, "desk", "webhook answered HTTP 503", NOW + timedelta(hours=1))
    store.mark_dead(dead.id, "desk", "refused: webhook answered HTTP 400", NOW)
    store.close()
    return config


def test_alerts_lists_what_is_pending_failing_or_dead_with_counts(
    outbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "--config", str(outbox)]) == 0
    out = capsys.readouterr().out
    assert "desk: 0 pending, 1 failed, 1 dead, 1 delivered" in out
    assert "file: 0 pending, 0 failed, 0 dead, 3 delivered" in out
    lines = [line for line in out.splitlines() if "attempts=" in line]
    assert [line.split()[2] for line in lines] == ["dead", "failed"]
    assert "last error: refused: webhook answered HTTP 400" in out
    assert "last error: webhook answered HTTP 503" in out


def test_alerts_as_json_filtered_by_state_and_notifier(
    outbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "--config", str(outbox), "--state", "delivered",
                 "--notifier", "file", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and {r["state"] for r in rows} == {"delivered"}
    assert {r["notifier"] for r in rows} == {"file"}


def test_retry_one_alert_or_all_of_them(
    outbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "--config", str(outbox), "--state", "dead", "--json"]) == 0
    [dead] = json.loads(capsys.readouterr().out)
    assert main(["alerts", "--config", str(outbox), "--retry", dead["alert_id"]]) == 0
    assert "1 delivery queued for retry now" in capsys.readouterr().out
    assert main(["alerts", "--config", str(outbox), "--retry", "no-such-alert"]) == 1
    assert "no pending or dead delivery of alert no-such-alert" in capsys.readouterr().err
    assert main(["alerts", "--config", str(outbox), "--retry-all", "--notifier", "desk"]) == 0
    assert "2 deliveries queued for retry now" in capsys.readouterr().out
    assert main(["alerts", "--config", str(outbox), "--state", "pending", "--json"]) == 0
    pending = json.loads(capsys.readouterr().out)
    assert len(pending) == 2 and all(r["attempts"] == 0 for r in pending)


def test_notify_test_reports_a_delivery(
    tmp_path: Path, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CLI_HOOK_SECRET", "cli-secret")
    config = _config(tmp_path, receiver.url)
    assert main(["notify-test", "desk", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "desk: sample alert" in out and "delivered in" in out
    assert "cli-secret" not in out and "$CLI_HOOK_SECRET" in out
    [got] = receiver.wait_for(1)
    assert got.json["company"]["name"] == "Example Therapeutics, Inc."
    assert main(["notify-test", "desk", "--operator", "--config", str(config)]) == 0
    assert receiver.wait_for(2)[1].json["schema"] == "watcher.operator.v1"


def test_notify_test_says_whether_a_failure_would_be_retried_or_dead_lettered(
    tmp_path: Path, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CLI_HOOK_SECRET", "cli-secret")
    receiver.status = 400
    assert main(["notify-test", "desk", "--config", str(_config(tmp_path, receiver.url))]) == 1
    assert "desk: REFUSED (the daemon would dead-letter it): webhook answered HTTP 400" in \
        capsys.readouterr().err
    assert main(["notify-test", "desk", "--config", str(_config(tmp_path))]) == 1
    assert "desk: FAILED (the daemon would retry it): webhook unreachable" in \
        capsys.readouterr().err
    assert main(["notify-test", "pager", "--config", str(_config(tmp_path))]) == 2
    assert "no notifier named 'pager' (configured: desk, file)" in capsys.readouterr().err


def test_check_config_shows_routing_and_never_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLI_HOOK_SECRET", "cli-secret-value")
    config = _config(tmp_path, rules=[{"name": "big ones", "min_severity": "high",
                                       "notifiers": ["desk"]}])
    assert main(["check-config", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "rule big ones: -> desk" in out
    assert "operator alerts to: the log only" in out
    assert "cli-secret-value" not in out
