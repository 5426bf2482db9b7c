"""The Notifier plug point: deliver one alert (or one digest of several), or say why not
(retry later, or never). Helpers shared by notifiers: message rendering through the templates
and the HTTP answer rules of webhook-like receivers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from watcher.clock import Clock
from watcher.config import Config, NotifierSettings
from watcher.errors import PermanentDeliveryError, RetryableDeliveryError
from watcher.http import retry_after_seconds
from watcher.messages import Templates, load_templates
from watcher.models import Alert
from watcher.operator import is_operator_alert

SECRET_MASK = "********"  # noqa: S105 - the mask shown instead of a secret
RETRYABLE_STATUSES = frozenset({408, 425, 429})


@dataclass(slots=True)
class NotifierContext:
    config: Config
    clock: Clock

    def secret(self, env_name: str | None) -> str | None:
        return self.config.secret(env_name)

    @property
    def templates(self) -> Templates:
        return load_templates(self.config.templates.directory)


class Notifier(ABC):
    """Subclasses set ``Settings`` and implement ``send``.

    ``send`` returns when the receiver has the alert; it raises ``RetryableDeliveryError``
    for failures worth retrying and ``PermanentDeliveryError`` for a refusal. The alert is a
    filing alert (``watcher.alert.v1``) or an operator alert (``watcher.operator.v1``).
    ``send_digest`` delivers several alerts as one message (digest mode); the default sends
    them one by one, which notifiers that can batch override.
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

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        """Deliver several alerts as one message (oldest first)."""
        for alert in alerts:
            await self.send(alert)

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most notifiers hold nothing
        """Release connections; called once at shutdown."""

    def describe(self) -> dict[str, Any]:
        """Settings for display with every secret field masked."""
        shown = self.settings.model_dump(by_alias=True)
        for field_name in self.settings.secret_fields:
            if shown.get(field_name):
                shown[field_name] = f"${shown[field_name]} ({SECRET_MASK})"
        return shown

    # -- messages -----------------------------------------------------------------------
    def template_name(self, default: str) -> str:
        return self.settings.templates.get(default, default)

    def render(self, part: str, alert: Alert) -> str:
        """One part (``subject``, ``txt``, ``html``, ``slack``) of the message of an alert."""
        if is_operator_alert(alert):
            return self.context.templates.render(self.template_name(f"operator.{part}.j2"),
                                                 event=alert.payload)
        return self.context.templates.render(self.template_name(f"alert.{part}.j2"),
                                             alert=alert.payload)

    def render_digest(self, part: str, alerts: Sequence[Alert]) -> str:
        return self.context.templates.render(self.template_name(f"digest.{part}.j2"),
                                             alerts=[a.payload for a in alerts])




def check_http_answer(what: str, status: int, text: str, headers: Mapping[str, str],
                      now: datetime) -> None:
    """2xx: done. 408, 425, 429 and 5xx: retry (after Retry-After when given). Any other
    answer: a permanent refusal, with the status and the start of the body as the reason."""
    if 200 <= status < 300:
        return
    reason = f"{what} answered HTTP {status}: {text[:200]!r}"
    if status in RETRYABLE_STATUSES or status >= 500:
        raise RetryableDeliveryError(
            reason, retry_after=retry_after_seconds(headers.get("retry-after"), now))
    raise PermanentDeliveryError(reason)
