"""The email notifier against a real SMTP server (aiosmtpd) with AUTH, STARTTLS or implicit
TLS, and a throwaway self-signed certificate made for the test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from watcher.clock import SYSTEM_CLOCK
from watcher.errors import PermanentDeliveryError, RetryableDeliveryError
from watcher.events import OperatorEvent
from watcher.notifiers.email import EmailNotifier
from watcher.notifiers.sample import sample_alert
from watcher.operator import operator_alert

from tests.support.outbox import build_notifier, make_alert
from tests.support.smtp import SmtpServer, free_port

USER, PASSWORD = "watcher", "smtp-test-password-4711"
NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with SmtpServer(tmp_path, USER, PASSWORD) as server:
        yield server


def _email(port: int, ca_file: Path | None, password: str = PASSWORD,
           **extra: Any) -> EmailNotifier:
    entry = {"name": "mail", "kind": "email", "host": "127.0.0.1", "port": port,
             "username": USER, "password_env": "SMTP_PASSWORD", "from": "watcher@acme.example",
             "to": ["analysts@acme.example"], "cc": ["bd@acme.example"], "timeout": 5,
             **({"ca_file": str(ca_file)} if ca_file else {}), **extra}
    notifier = build_notifier(entry, SYSTEM_CLOCK, environ={"SMTP_PASSWORD": password})
    assert isinstance(notifier, EmailNotifier)
    return notifier


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


async def test_an_alert_is_mailed_over_starttls_after_login_as_text_and_html(
    smtp: SmtpServer,
) -> None:
    alert = sample_alert(NOW)
    await _email(smtp.port, smtp.cert).send(alert)
    [message] = smtp.box.wait_for(1)
    assert smtp.box.tls_seen == [True] and smtp.box.logins == [USER]
    envelope = smtp.box.messages[0][0]
    assert sorted(envelope.rcpt_tos) == ["analysts@acme.example", "bd@acme.example"]
    assert message["Message-ID"] == f"<{alert.id}@acme.example>"
    assert message["X-Watcher-Alert-Id"] == alert.id
    assert message["Subject"] == f"[watcher] {alert.title}"
    assert message.get_content_type() == "multipart/alternative"
    text, html = _parts(message)
    change = alert.payload["changes"][0]
    assert change["evidence"] in text and "licensed -> not advancing" in text
    # The HTML shows each change with its evidence and the changed paragraph side by side,
    # with the filing's own text escaped.
    assert change["evidence"] in html
    assert change["previous"]["evidence"] in html
    assert 'class="side-by-side"' in html
    # the side-by-side words are compare's word diff: punctuation such as "&" is not a change
    assert '<del style="background:#fdd;text-decoration:line-through">Example Partner Pharma AG ' \
           "(EXM-101)</del> &amp; Other Bio &lt;Ltd.&gt;." in html
    assert "<Ltd.>" not in html


async def test_the_same_alert_mailed_twice_keeps_its_message_id(smtp: SmtpServer) -> None:
    notifier = _email(smtp.port, smtp.cert)
    alert = sample_alert(NOW)
    await notifier.send(alert)
    await notifier.send(alert)
    first, second = smtp.box.wait_for(2)
    assert first["Message-ID"] == second["Message-ID"]


async def test_implicit_tls_is_supported(tmp_path: Path) -> None:
    with SmtpServer(tmp_path, USER, PASSWORD, mode="tls") as server:
        await _email(server.port, server.cert, security="tls").send(sample_alert(NOW))
        [message] = server.box.wait_for(1)
    assert server.box.logins == [USER]
    assert message["Message-ID"].startswith(f"<{sample_alert(NOW).id}@")


async def test_a_certificate_nobody_vouches_for_is_refused_and_retried(
    smtp: SmtpServer,
) -> None:
    with pytest.raises(RetryableDeliveryError, match="unreachable"):
        await _email(smtp.port, None).send(sample_alert(NOW))
    assert smtp.box.messages == []


async def test_a_wrong_password_is_refused_for_good_without_showing_it(
    smtp: SmtpServer,
) -> None:
    with pytest.raises(PermanentDeliveryError, match="login refused: 535") as caught:
        await _email(smtp.port, smtp.cert, password="not-the-password-0815").send(
            sample_alert(NOW))
    assert "not-the-password-0815" not in str(caught.value)
    assert PASSWORD not in str(caught.value)


async def test_a_temporary_refusal_is_retried_and_a_permanent_one_is_not(
    smtp: SmtpServer,
) -> None:
    notifier = _email(smtp.port, smtp.cert)
    smtp.box.rcpt_answer = "450 4.2.1 mailbox busy, try later"
    with pytest.raises(RetryableDeliveryError, match="450"):
        await notifier.send(sample_alert(NOW))
    smtp.box.rcpt_answer = "550 5.1.1 no such user"
    with pytest.raises(PermanentDeliveryError, match="550"):
        await notifier.send(sample_alert(NOW))
    smtp.box.rcpt_answer = None
    smtp.box.data_answer = "554 5.7.1 message refused"
    with pytest.raises(PermanentDeliveryError, match="554"):
        await notifier.send(sample_alert(NOW))


async def test_an_unreachable_server_is_worth_retrying() -> None:
    with pytest.raises(RetryableDeliveryError, match="unreachable"):
        await _email(free_port(), None).send(sample_alert(NOW))


async def test_a_digest_is_one_message_listing_every_alert(smtp: SmtpServer) -> None:
    alerts = [make_alert(n, NOW) for n in (1, 2, 3)]
    await _email(smtp.port, smtp.cert).send_digest(alerts)
    [message] = smtp.box.wait_for(1)
    assert message["Subject"].startswith("[watcher] 3 alerts: Example Co: alert number 1")
    text, html = _parts(message)
    for alert in alerts:
        assert alert.title in text and alert.id in html


async def test_an_operator_alert_is_a_plain_text_message(smtp: SmtpServer) -> None:
    alert = operator_alert(OperatorEvent("source_failing", "edgar_current failed 3 times",
                                         NOW, "edgar_current", {"failures": 3}))
    await _email(smtp.port, smtp.cert).send(alert)
    [message] = smtp.box.wait_for(1)
    assert message["Subject"].startswith("[watcher operator] watcher operator: source failing")
    assert message.get_content_type() == "text/plain"
    assert "failures: 3" in message.get_content()


def test_describe_shows_the_password_variable_never_the_password() -> None:
    shown = str(_email(2525, None).describe())
    assert "SMTP_PASSWORD" in shown and PASSWORD not in shown
    assert "'from': 'watcher@acme.example'" in shown and "'port': 2525" in shown


def test_settings_refuse_bad_addresses_and_a_password_without_a_user() -> None:
    from watcher.config import parse_config
    from watcher.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        parse_config({"notifiers": [{"kind": "email", "host": "h", "from": "nobody",
                                     "to": [], "password_env": "X"}]}, environ={"X": "x"})
    problems = "\n".join(caught.value.problems)
    assert "notifiers[0].from: not an email address: 'nobody'" in problems
    assert "notifiers[0].to" in problems
