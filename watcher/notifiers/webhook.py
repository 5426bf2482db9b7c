"""POST each alert as ``watcher.alert.v1`` JSON, signed like GitHub and Stripe webhooks."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, ClassVar

import httpx
from pydantic import Field, field_validator

from watcher.config import NotifierSettings
from watcher.errors import PermanentDeliveryError, RetryableDeliveryError
from watcher.models import Alert
from watcher.notifiers.base import Notifier, NotifierContext

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Watcher-Signature"
TIMESTAMP_HEADER = "X-Watcher-Timestamp"
ALERT_ID_HEADER = "X-Watcher-Alert-Id"


def sign(body: bytes, secret: str) -> str:
    """The ``X-Watcher-Signature`` value: ``sha256=`` + hex HMAC-SHA256 of the exact body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    """What a receiver runs: constant-time comparison of the signature header."""
    return hmac.compare_digest(sign(body, secret), signature)


class WebhookSettings(NotifierSettings):
    url: str
    secret_env: str | None = None
    timeout: float = Field(default=10.0, gt=0)
    headers: dict[str, str] = Field(default_factory=dict)

    secret_fields: ClassVar[tuple[str, ...]] = ("secret_env",)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value


class WebhookNotifier(Notifier):
    Settings = WebhookSettings

    def __init__(self, settings: NotifierSettings, context: NotifierContext) -> None:
        super().__init__(settings, context)
        assert isinstance(settings, WebhookSettings)
        self.webhook = settings
        self._secret = context.secret(settings.secret_env)
        self._client = httpx.AsyncClient(timeout=settings.timeout, follow_redirects=False)

    async def send(self, alert: Alert) -> None:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "watcher-webhook/1",
            ALERT_ID_HEADER: alert.id,
            TIMESTAMP_HEADER: str(int(self.context.clock.now().timestamp())),
            **self.webhook.headers,
        }
        if self._secret:
            headers[SIGNATURE_HEADER] = sign(alert.body, self._secret)
        try:
            response = await self._client.post(self.webhook.url, content=alert.body,
                                               headers=headers)
        except httpx.TimeoutException as exc:
            raise RetryableDeliveryError(f"webhook timed out: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise RetryableDeliveryError(f"webhook unreachable: {type(exc).__name__}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return
        reason = f"webhook answered HTTP {status}: {response.text[:200]!r}"
        if status in (408, 425, 429) or status >= 500:
            raise RetryableDeliveryError(reason)
        raise PermanentDeliveryError(reason)

    async def aclose(self) -> None:
        await self._client.aclose()

    def describe(self) -> dict[str, Any]:
        shown = super().describe()
        shown["signed"] = bool(self._secret)
        return shown
