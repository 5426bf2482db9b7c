"""Post each alert to a Slack incoming webhook: a ``mrkdwn`` message rendered from the
``.slack`` templates (the filing's text escaped, so a release can never ping a channel).

The webhook URL carries its token, so it is a secret: config names the environment variable
that holds it (``url_env``), and no log line or error message ever shows it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx
from pydantic import Field

from watcher.config import NotifierSettings
from watcher.errors import ConfigError, RetryableDeliveryError
from watcher.models import Alert
from watcher.notifiers.base import Notifier, NotifierContext, check_http_answer

MAX_TEXT = 39_000  # Slack truncates a message's text past 40,000 characters


class SlackSettings(NotifierSettings):
    url_env: str
    timeout: float = Field(default=10.0, gt=0)
    username: str | None = None
    icon_emoji: str | None = None

    secret_fields: ClassVar[tuple[str, ...]] = ("url_env",)


class SlackNotifier(Notifier):
    Settings = SlackSettings

    def __init__(self, settings: NotifierSettings, context: NotifierContext) -> None:
        super().__init__(settings, context)
        assert isinstance(settings, SlackSettings)
        self.slack = settings
        url = context.secret(settings.url_env) or ""
        if not url.startswith(("https://", "http://")):
            raise ConfigError([f"notifiers.{self.name}.url_env: ${settings.url_env} must hold "
                               "the incoming-webhook URL (https://...)"])
        self._url = url
        self._client = httpx.AsyncClient(timeout=settings.timeout, follow_redirects=False)

    def payload(self, text: str) -> dict[str, Any]:
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT] + "\n…(cut)"
        body: dict[str, Any] = {"text": text, "mrkdwn": True, "unfurl_links": False,
                                "unfurl_media": False}
        if self.slack.username:
            body["username"] = self.slack.username
        if self.slack.icon_emoji:
            body["icon_emoji"] = self.slack.icon_emoji
        return body

    async def send(self, alert: Alert) -> None:
        await self._post(self.payload(self.render("slack", alert)))

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        await self._post(self.payload(self.render_digest("slack", alerts)))

    async def _post(self, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            response = await self._client.post(
                self._url, content=data, headers={"Content-Type": "application/json"})
        # the messages name the error type only: httpx errors may carry the URL (the token)
        except httpx.TimeoutException as exc:
            raise RetryableDeliveryError(f"slack timed out: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise RetryableDeliveryError(f"slack unreachable: {type(exc).__name__}") from None
        check_http_answer("slack", response.status_code, response.text, response.headers,
                          self.context.clock.now())

    async def aclose(self) -> None:
        await self._client.aclose()
