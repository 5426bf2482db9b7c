"""Write each alert to the log: a readable summary line per change, for terminals and demos."""

from __future__ import annotations

import logging

from watcher.config import NotifierSettings
from watcher.models import Alert
from watcher.notifiers.base import Notifier

logger = logging.getLogger("watcher.alerts")


class LogSettings(NotifierSettings):
    level: str = "WARNING"


def format_alert(alert: Alert) -> str:
    """Title, then one line per change and per watch item, with the evidence."""
    lines = [f"ALERT [{alert.severity}] {alert.title}"]
    filing = alert.payload.get("filing", {})
    lines.append(f"  filing {filing.get('accession')} ({filing.get('form')}, "
                 f"filed {filing.get('filed')}) {alert.payload.get('document', {}).get('url')}")
    for change in alert.payload.get("changes", []):
        subject = " / ".join(x for x in (change.get("partner"), change.get("product")) if x)
        if change["kind"] == "status_changed":
            what = f"{change.get('field')}: {change.get('from') or '?'} -> {change.get('to')}"
        else:
            what = change["kind"].replace("_", " ")
        lines.append(f"  * {subject}: {what}")
        lines.append(f"      \"{change.get('evidence')}\"")
    for item in alert.payload.get("watch", []):
        subject = " / ".join(x for x in (item.get("partner"), item.get("product")) if x)
        lines.append(f"  ? watch {subject}: {item.get('to')} ({item.get('modality')})")
        lines.append(f"      \"{item.get('evidence')}\"")
    return "\n".join(lines)


class LogNotifier(Notifier):
    Settings = LogSettings

    async def send(self, alert: Alert) -> None:
        assert isinstance(self.settings, LogSettings)
        level = logging.getLevelName(self.settings.level.upper())
        logger.log(level if isinstance(level, int) else logging.WARNING, "%s",
                   format_alert(alert), extra={"alert_id": alert.id, "cik": alert.cik,
                                                "accession": alert.accession})
