"""Alerts written straight into a store's outbox, and notifiers built from config dicts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from watcher.clock import Clock
from watcher.config import parse_config
from watcher.models import Alert
from watcher.notifiers.base import Notifier, NotifierContext
from watcher.plugins import NOTIFIER_GROUP, load_plugin_class
from watcher.store import Store


def make_alert(number: int, created_at: datetime, *, severity: str = "high") -> Alert:
    """A small ``watcher.alert.v1``-shaped alert of a fictional company."""
    ident = f"00000000-0000-5000-8000-{number:012d}"
    accession = f"0009900000-26-{number:06d}"
    payload: dict[str, Any] = {
        "schema": "watcher.alert.v1", "id": ident,
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "severity": severity,
        "title": f"Example Co: alert number {number}",
        "company": {"cik": 9900000, "name": "Example Co, Inc.", "tickers": ["EXCO"]},
        "filing": {"accession": accession, "form": "8-K", "filed": "2026-01-05", "items": [],
                   "url": "https://www.sec.gov/x"},
        "document": {"type": "EX-99.1", "url": "https://www.sec.gov/x/ex.htm",
                     "headline": "Headline", "sha256": "0" * 64},
        "changes": [{"kind": "status_changed", "partner": "Partner AG", "product": "EX-1",
                     "field": "relationship", "from": "licensed", "to": "terminated",
                     "modality": "stated", "confidence": 0.9, "evidence": "It ended.",
                     "rule": "test", "previous": None}],
        "watch": [],
        "diff": {"compared_with": [], "changed": [], "added": [], "removed": [],
                 "unified": ""},
    }
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Alert(id=ident, accession=accession, doc_type="EX-99.1", cik=9900000,
                 severity=severity, title=payload["title"], created_at=created_at,
                 payload=payload, body=body)


def queue_alerts(store: Store, count: int, notifiers: Sequence[str], start: datetime,
                 *, first: int = 1) -> list[Alert]:
    """``count`` alerts a millisecond apart, the newest at ``start`` (so all are due then),
    oldest first, each routed to ``notifiers``."""
    alerts = []
    for number in range(first, first + count):
        created = start - timedelta(milliseconds=first + count - 1 - number)
        alert = make_alert(number, created)
        with store.unit_of_work(alert.cik) as uow:
            assert uow.save_alert(alert, list(notifiers), created)
        alerts.append(alert)
    return alerts


def build_notifier(entry: dict[str, Any], clock: Clock,
                   environ: dict[str, str] | None = None, **sections: Any) -> Notifier:
    config = parse_config({"notifiers": [entry], **sections}, environ=environ or {})
    settings = config.notifiers[0]
    cls = load_plugin_class(NOTIFIER_GROUP, settings.kind)
    notifier: Notifier = cls(settings, NotifierContext(config=config, clock=clock))
    return notifier
