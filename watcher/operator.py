"""Operator alerts: what the people running watcher must hear about (a source failing N times
in a row and its recovery, an EDGAR throttle pause, a dead-lettered alert), turned into alerts
of schema ``watcher.operator.v1`` that go through the outbox to the notifiers marked
``operators: true``. Pure: the app stores and wakes; this module only builds.

The events are ``watcher.events.OperatorEvent``: the HTTP client and the app emit them on
``App.events``, whose hook ``App.raise_operator_event`` queues the alert.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from watcher.events import OperatorEvent
from watcher.models import Alert

OPERATOR_SCHEMA = "watcher.operator.v1"
_OPERATOR_NAMESPACE = uuid.UUID("3b0f7d4e-2c1a-5e8b-9d6f-0a4c8e2b7f13")

# kind -> (severity, what it means, for the title)
OPERATOR_KINDS: dict[str, tuple[str, str]] = {
    "source_failing": ("high", "source failing"),
    "source_recovered": ("low", "source recovered"),
    "throttled": ("high", "EDGAR throttled us: all requests paused"),
    "throttle_lifted": ("low", "EDGAR throttle pause over"),
    "alert_dead": ("high", "alert dead-lettered"),
}


def operator_alert_id(event: OperatorEvent) -> str:
    """Stable for one event: two instances raising the same event store one alert."""
    return str(uuid.uuid5(_OPERATOR_NAMESPACE, "|".join(
        (event.kind, event.source or "", event.at.isoformat(), event.message))))


def operator_title(event: OperatorEvent) -> str:
    what = OPERATOR_KINDS.get(event.kind, ("medium", event.kind.replace("_", " ")))[1]
    where = f" ({event.source})" if event.source else ""
    return f"watcher operator: {what}{where}: {event.message}"


def operator_alert(event: OperatorEvent) -> Alert:
    """The alert that tells operators about ``event``."""
    ident = operator_alert_id(event)
    level = OPERATOR_KINDS.get(event.kind, ("medium", ""))[0]
    title = operator_title(event)
    payload: dict[str, Any] = {
        "schema": OPERATOR_SCHEMA,
        "id": ident,
        "created_at": event.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "severity": level,
        "kind": event.kind,
        "title": title,
        "source": event.source,
        "message": event.message,
        "details": dict(event.details),
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")
    return Alert(id=ident, accession="", doc_type=f"operator/{ident}", cik=0, severity=level,
                 title=title, created_at=event.at, payload=payload, body=body)


def is_operator_alert(alert: Alert) -> bool:
    return alert.payload.get("schema") == OPERATOR_SCHEMA


def dead_letter_event(alert: Alert, notifier: str, reason: str,
                      at: datetime) -> OperatorEvent:
    """The operator event for an alert that will not reach ``notifier`` on its own."""
    return OperatorEvent(
        kind="alert_dead",
        message=f"alert {alert.id} ({alert.title}) will not reach {notifier}: {reason}; "
                f"retry with `watcher alerts --retry {alert.id}`",
        at=at, source=notifier,
        details={"alert_id": alert.id, "notifier": notifier, "reason": reason,
                 "accession": alert.accession or None})
