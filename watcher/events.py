"""Operator events: what the people running watcher must hear about (EDGAR throttled us, a
source keeps failing, it recovered, an alert was dead-lettered). Raised by the HTTP client and
the app, logged now, and handed to every registered hook (``App.raise_operator_event`` turns
them into operator alerts, see ``watcher.operator``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

logger = logging.getLogger(__name__)

EventKind = Literal["throttled", "throttle_lifted", "source_failing", "source_recovered",
                    "alert_dead"]
OperatorHook = Callable[["OperatorEvent"], None]

_LEVELS: dict[str, int] = {
    "throttled": logging.ERROR,
    "source_failing": logging.ERROR,
    "alert_dead": logging.ERROR,
    "throttle_lifted": logging.WARNING,
    "source_recovered": logging.WARNING,
}


@dataclass(frozen=True, slots=True)
class OperatorEvent:
    """One event for operators. ``details`` carries kind-specific values (``pause_seconds``,
    ``url``, ``failures``, ``error``), all JSON-serializable."""

    kind: EventKind
    message: str
    at: datetime
    source: str | None = None
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


class OperatorEvents:
    """Logs each event and calls every hook; a failing hook is logged, never raised."""

    def __init__(self) -> None:
        self._hooks: list[OperatorHook] = []
        self.history: list[OperatorEvent] = []
        self._max_history = 100

    def subscribe(self, hook: OperatorHook) -> None:
        self._hooks.append(hook)

    def emit(self, event: OperatorEvent) -> None:
        logger.log(_LEVELS.get(event.kind, logging.WARNING), "operator event %s: %s",
                   event.kind, event.message,
                   extra={"source": event.source} if event.source else None)
        self.history.append(event)
        del self.history[:-self._max_history]
        for hook in list(self._hooks):
            try:
                hook(event)
            except Exception:  # a broken hook must not break polling
                logger.exception("operator event hook %r failed", hook)
