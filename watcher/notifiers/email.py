"""Email each alert with aiosmtplib: STARTTLS (default) or implicit TLS, AUTH with a password
read from the environment, multipart text + HTML (each change with its evidence, the changed
paragraphs side by side), and a Message-ID made from the alert id, so a retried alert is the
same message to the recipients' mail systems.

SMTP answers decide the outcome: 4xx and lost connections are retried, 5xx (a refused login,
sender or every recipient) dead-letter the alert with the server's answer as the reason.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, ClassVar, Literal

import aiosmtplib
from pydantic import ConfigDict, Field, field_validator, model_validator

from watcher.alerts import digest_id
from watcher.config import NotifierSettings
from watcher.errors import PermanentDeliveryError, RetryableDeliveryError
from watcher.messages import one_line
from watcher.models import Alert
from watcher.notifiers.base import Notifier, NotifierContext
from watcher.operator import is_operator_alert

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def _address(value: str) -> str:
    if "@" not in value or any(c.isspace() for c in value.strip()) or "\n" in value:
        raise ValueError(f"not an email address: {value!r}")
    return value.strip()


class EmailSettings(NotifierSettings):
    model_config = ConfigDict(populate_by_name=True)

    host: str
    port: int | None = Field(default=None, gt=0, lt=65536)  # default: 587, 465 or 25
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    from_: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    cc: list[str] = Field(default_factory=list)
    timeout: float = Field(default=20.0, gt=0)
    ca_file: str | None = None  # trust this CA bundle (a private or self-signed server)
    verify_certificate: bool = True

    secret_fields: ClassVar[tuple[str, ...]] = ("password_env",)

    @field_validator("from_")
    @classmethod
    def _from(cls, value: str) -> str:
        return _address(value)

    @field_validator("to", "cc")
    @classmethod
    def _recipients(cls, value: list[str]) -> list[str]:
        return [_address(v) for v in value]

    @model_validator(mode="after")
    def _login(self) -> EmailSettings:
        if self.password_env and not self.username:
            raise ValueError("password_env needs a username")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or _DEFAULT_PORTS[self.security]


def message_id(ident: str, sender: str) -> str:
    """``<alert-id@sender-domain>``: stable across attempts, restarts and instances."""
    return f"<{ident}@{sender.rsplit('@', 1)[-1].strip('>') or 'watcher.invalid'}>"


class EmailNotifier(Notifier):
    Settings = EmailSettings

    def __init__(self, settings: NotifierSettings, context: NotifierContext) -> None:
        super().__init__(settings, context)
        assert isinstance(settings, EmailSettings)
        self.email = settings
        self._password = context.secret(settings.password_env)

    # -- building -----------------------------------------------------------------------
    def _message(self, ident: str, subject: str, text: str, html: str | None) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = one_line(subject, 250)
        message["From"] = self.email.from_
        message["To"] = ", ".join(self.email.to)
        if self.email.cc:
            message["Cc"] = ", ".join(self.email.cc)
        message["Date"] = format_datetime(self.context.clock.now())
        message["Message-ID"] = message_id(ident, self.email.from_)
        message["X-Watcher-Alert-Id"] = ident
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        return message

    def build(self, alert: Alert) -> EmailMessage:
        """The message of one alert (operator alerts are text only)."""
        html = None if is_operator_alert(alert) else self.render("html", alert)
        return self._message(alert.id, self.render("subject", alert), self.render("txt", alert),
                             html)

    def build_digest(self, alerts: Sequence[Alert]) -> EmailMessage:
        return self._message(digest_id([a.id for a in alerts]),
                             self.render_digest("subject", alerts),
                             self.render_digest("txt", alerts),
                             self.render_digest("html", alerts))

    # -- sending ------------------------------------------------------------------------
    def _tls_context(self) -> ssl.SSLContext | None:
        if self.email.security == "none":
            return None
        context = ssl.create_default_context(cafile=self.email.ca_file)
        if not self.email.verify_certificate:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    async def send(self, alert: Alert) -> None:
        await self._send(self.build(alert))

    async def send_digest(self, alerts: Sequence[Alert]) -> None:
        await self._send(self.build_digest(alerts))

    async def _send(self, message: EmailMessage) -> None:
        settings = self.email
        kwargs: dict[str, Any] = {}
        if settings.username:
            kwargs.update(username=settings.username, password=self._password or "")
        try:
            errors, _ = await aiosmtplib.send(
                message,
                hostname=settings.host,
                port=settings.effective_port,
                use_tls=settings.security == "tls",
                start_tls=settings.security == "starttls",
                tls_context=self._tls_context(),
                timeout=settings.timeout,
                **kwargs,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            reason = "every recipient refused: " + "; ".join(
                f"{r.recipient}: {r.code} {one_line(r.message, 120)}" for r in exc.recipients)
            if any(400 <= c < 500 for c in codes):
                raise RetryableDeliveryError(reason) from exc
            raise PermanentDeliveryError(reason) from exc
        except aiosmtplib.SMTPResponseException as exc:
            what = "login refused" if isinstance(exc, aiosmtplib.SMTPAuthenticationError) \
                else "SMTP server answered"
            reason = f"{what}: {exc.code} {one_line(exc.message, 200)}"
            if 400 <= exc.code < 500:
                raise RetryableDeliveryError(reason) from exc
            raise PermanentDeliveryError(reason) from exc
        except aiosmtplib.SMTPNotSupported as exc:
            # e.g. no STARTTLS offered: never fall back to plain text; try again later
            raise RetryableDeliveryError(
                f"SMTP server does not support what is configured: {one_line(exc.message)}"
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise RetryableDeliveryError(
                f"SMTP {settings.host}:{settings.effective_port} unreachable: "
                f"{type(exc).__name__}: {one_line(exc, 200)}") from exc
        if errors:
            logger.warning("%d recipient(s) refused the message: %s", len(errors),
                           ", ".join(sorted(errors)), extra={"notifier": self.name})

    def describe(self) -> dict[str, Any]:
        shown = super().describe()
        shown["port"] = self.email.effective_port
        shown["password"] = "set" if self._password else "not set"
        return shown
