"""The jsonl notifier: each alert appended as one line, the exact alert body."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from watcher.clock import SYSTEM_CLOCK
from watcher.errors import RetryableDeliveryError
from watcher.events import OperatorEvent
from watcher.operator import operator_alert

from tests.support.outbox import build_notifier, make_alert

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)


async def test_alerts_are_appended_one_json_document_per_line(tmp_path: Path) -> None:
    path = tmp_path / "out" / "alerts.jsonl"
    notifier = build_notifier({"name": "file", "kind": "jsonl", "path": str(path)}, SYSTEM_CLOCK)
    alerts = [make_alert(n, NOW) for n in (1, 2, 3)]
    await notifier.send(alerts[0])
    await notifier.send_digest(alerts[1:])
    await notifier.send(operator_alert(OperatorEvent("throttled", "paused 600s", NOW, "edgar")))
    lines = path.read_bytes().splitlines()
    assert lines[:3] == [a.body for a in alerts]
    assert [json.loads(line)["schema"] for line in lines] == \
        ["watcher.alert.v1"] * 3 + ["watcher.operator.v1"]


async def test_a_file_that_cannot_be_written_is_worth_retrying(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    notifier = build_notifier({"name": "file", "kind": "jsonl",
                               "path": str(blocker / "alerts.jsonl")}, SYSTEM_CLOCK)
    with pytest.raises(RetryableDeliveryError, match="cannot append"):
        await notifier.send(make_alert(1, NOW))
