"""Write each alert to the log: a readable summary line per change, for terminals and demos
(operator alerts as one line with their message)."""

from __future__ import annotations

import logging

from watcher.config import NotifierSettings
from watcher.models import Alert
from watcher.notifiers.base import Notifier
from watcher.operator import is_operator_alert
from watcher.render import format_alert

logger = logging.getLogger("watcher.alerts")


class LogSettings(NotifierSettings):
    level: str = "WARNING"


class LogNotifier(Notifier):
    Settings = LogSettings

    async def send(self, alert: Alert) -> None:
        assert isinstance(self.settings, LogSettings)
        level = logging.getLevelName(self.settings.level.upper())
        text = f"OPERATOR {alert.title}" if is_operator_alert(alert) \
            else format_alert(alert.payload)
        logger.log(level if isinstance(level, int) else logging.WARNING, "%s", text,
                   extra={"alert_id": alert.id, "cik": alert.cik or None,
                          "accession": alert.accession or None})
