"""POST each alert as ``watcher.alert.v1`` JSON, signed like GitHub and Stripe webhooks.

``X-Watcher-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed with the secret>``,
``X-Watcher-Timestamp`` (Unix seconds of the attempt) and ``X-Watcher-Alert-Id`` (the
idempotency key: receivers deduplicate on it). 2xx = delivered; 408, 425, 429, 5xx and
timeouts = retry; any other answer = dead-lettered with the status and body as the reason.
Operator alerts (``watcher.operator.v1``) and digests (``watcher.digest.v1``, with
``X-Watcher-Digest-Id``) go the same way."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx
from pydantic import Field, field_validator

from watcher.alerts import build_digest
from watcher.config import NotifierSettings
from watcher.errors import RetryableDeliveryError
from watcher.models import Alert
from watcher.notifiers.base import Notifier, NotifierContext, check_http_answer

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Watcher-Signature"
TIMESTAMP_HEADER = "X-Watcher-Timestamp"
ALERT_ID_HEADER = "X-Watcher-Alert-Id"
DIGEST_ID_HEADER = "X-Watcher-Digest-Id"


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
        await self._post(alert.body, {ALERT_ID_HEADER: alert.id})

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        """One ``watcher.digest.v1`` POST carrying every alert's payload, signed the same way."""
        ident, body = build_digest(alerts, self.context.clock.now())
        await self._post(body, {DIGEST_ID_HEADER: ident})

    async def _post(self, body: bytes, ids: dict[str, str]) -> None:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "watcher-webhook/1",
            **ids,
            TIMESTAMP_HEADER: str(int(self.context.clock.now().timestamp())),
            **self.webhook.headers,
        }
        if self._secret:
            headers[SIGNATURE_HEADER] = sign(body, self._secret)
        try:
            response = await self._client.post(self.webhook.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise RetryableDeliveryError(f"webhook timed out: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise RetryableDeliveryError(f"webhook unreachable: {type(exc).__name__}") from exc
        check_http_answer("webhook", response.status_code, response.text, response.headers,
                          self.context.clock.now())

    async def aclose(self) -> None:
        await self._client.aclose()

    def describe(self) -> dict[str, Any]:
        shown = super().describe()
        shown["signed"] = bool(self._secret)
        return shown
