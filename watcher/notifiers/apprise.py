"""Send alerts through apprise (the optional ``apprise`` extra: ``pip install
'watcher[apprise]'``) to any of the services it knows: Teams, Discord, Telegram, Pushover, ...

Apprise URLs carry tokens, so they are a secret: config names the environment variable that
holds them (``urls_env``, several separated by spaces or commas). Apprise answers only
success or failure, so every failure is retried until the retry budget is spent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from watcher.config import NotifierSettings
from watcher.errors import ConfigError, RetryableDeliveryError
from watcher.models import Alert
from watcher.notifiers.base import Notifier, NotifierContext

logger = logging.getLogger(__name__)


class AppriseSettings(NotifierSettings):
    urls_env: str
    format: Literal["text", "html"] = "text"

    secret_fields: ClassVar[tuple[str, ...]] = ("urls_env",)


class AppriseNotifier(Notifier):
    Settings = AppriseSettings

    def __init__(self, settings: NotifierSettings, context: NotifierContext) -> None:
        super().__init__(settings, context)
        assert isinstance(settings, AppriseSettings)
        self.apprise_settings = settings
        try:
            import apprise
        except ImportError:
            raise ConfigError([f"notifiers.{self.name}: the apprise notifier needs the apprise "
                               "package: pip install 'watcher[apprise]'"]) from None
        self._apprise: Any = apprise.Apprise()
        urls = [u for u in re.split(r"[\s,]+", context.secret(settings.urls_env) or "") if u]
        if not urls:
            raise ConfigError([f"notifiers.{self.name}.urls_env: ${settings.urls_env} holds "
                               "no apprise URL"])
        for index, url in enumerate(urls, start=1):
            if not self._apprise.add(url):
                # the URL itself is a secret: say which one, not what it is
                raise ConfigError([f"notifiers.{self.name}.urls_env: apprise URL number "
                                   f"{index} in ${settings.urls_env} is not valid"])

    async def _notify(self, title: str, body: str) -> None:
        ok = await self._apprise.async_notify(body=body, title=title,
                                              body_format=self.apprise_settings.format)
        if not ok:
            raise RetryableDeliveryError("apprise: a service did not accept the message")

    async def send(self, alert: Alert) -> None:
        part = "html" if self.apprise_settings.format == "html" and \
            alert.payload.get("schema") == "watcher.alert.v1" else "txt"
        await self._notify(self.render("subject", alert).strip(), self.render(part, alert))

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        part = "html" if self.apprise_settings.format == "html" else "txt"
        await self._notify(self.render_digest("subject", alerts).strip(),
                           self.render_digest(part, alerts))
