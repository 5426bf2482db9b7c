"""The Notifier plug point: deliver one alert, or say why not (retry later, or never)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from watcher.clock import Clock
from watcher.config import Config, NotifierSettings
from watcher.models import Alert

SECRET_MASK = "********"  # noqa: S105 - the mask shown instead of a secret


@dataclass(slots=True)
class NotifierContext:
    config: Config
    clock: Clock

    def secret(self, env_name: str | None) -> str | None:
        return self.config.secret(env_name)


class Notifier(ABC):
    """Subclasses set ``Settings`` and implement ``send``.

    ``send`` returns when the receiver has the alert; it raises ``RetryableDeliveryError``
    for failures worth retrying and ``PermanentDeliveryError`` for a refusal.
    """

    Settings: ClassVar[type[NotifierSettings]] = NotifierSettings

    def __init__(self, settings: NotifierSettings, context: NotifierContext) -> None:
        self.settings = settings
        self.context = context

    @property
    def name(self) -> str:
        return self.settings.name or self.settings.kind

    @abstractmethod
    async def send(self, alert: Alert) -> None:
        """Deliver one alert."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most notifiers hold nothing
        """Release connections; called once at shutdown."""

    def describe(self) -> dict[str, Any]:
        """Settings for display with every secret field masked."""
        shown = self.settings.model_dump()
        for field_name in self.settings.secret_fields:
            if shown.get(field_name):
                shown[field_name] = f"${shown[field_name]} ({SECRET_MASK})"
        return shown
