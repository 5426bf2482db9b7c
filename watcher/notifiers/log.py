"""Write each alert to the log: a readable summary line per change, for terminals and demos."""

from __future__ import annotations

import logging

from watcher.config import NotifierSettings
from watcher.models import Alert
from watcher.notifiers.base import Notifier
from watcher.render import format_alert

logger = logging.getLogger("watcher.alerts")


class LogSettings(NotifierSettings):
    level: str = "WARNING"


class LogNotifier(Notifier):
    Settings = LogSettings

    async def send(self, alert: Alert) -> None:
        assert isinstance(self.settings, LogSettings)
        level = logging.getLevelName(self.settings.level.upper())
        logger.log(level if isinstance(level, int) else logging.WARNING, "%s",
                   format_alert(alert.payload),
                   extra={"alert_id": alert.id, "cik": alert.cik, "accession": alert.accession})
