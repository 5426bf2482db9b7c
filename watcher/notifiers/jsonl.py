"""Append each alert to a file, one JSON document per line (the exact ``watcher.alert.v1``
body, or the operator alert's), flushed to disk before the alert counts as delivered.

Lines are appended whole (one ``write`` on a file opened for appending), so several instances
may share the file; after a crash an alert may appear twice, under the same id.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

from watcher.config import NotifierSettings
from watcher.errors import RetryableDeliveryError
from watcher.models import Alert
from watcher.notifiers.base import Notifier, NotifierContext


class JsonlSettings(NotifierSettings):
    path: str
    fsync: bool = True  # durable on disk before the outbox marks the alert delivered


class JsonlNotifier(Notifier):
    Settings = JsonlSettings

    def __init__(self, settings: NotifierSettings, context: NotifierContext) -> None:
        super().__init__(settings, context)
        assert isinstance(settings, JsonlSettings)
        self.jsonl = settings
        self.path = Path(settings.path)

    def _append(self, bodies: Sequence[bytes]) -> None:
        data = b"".join(body.rstrip(b"\n") + b"\n" for body in bodies)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f"short write ({written} of {len(data)} bytes)")
            if self.jsonl.fsync:
                os.fsync(fd)
        finally:
            os.close(fd)

    async def _write(self, bodies: Sequence[bytes]) -> None:
        try:
            await asyncio.to_thread(self._append, bodies)
        except OSError as exc:
            raise RetryableDeliveryError(
                f"cannot append to {self.path}: {exc.strerror or exc}") from exc

    async def send(self, alert: Alert) -> None:
        await self._write([alert.body])

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        await self._write([a.body for a in alerts])
