"""Secrets never appear in logs, ``check-config`` output, ``watcher alerts`` or error messages:
a full daemon run at DEBUG level with failures everywhere (a webhook failing, an SMTP server
answering 451, a wrong SMTP password, a Slack hook failing), then a grep for every secret."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest
from watcher.cli import main
from watcher.demo import DEMO_CIK, DEMO_COMPANY, demo_filings
from watcher.demo.fake_edgar import FakeEdgar

from tests.support.daemon import Daemon, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.smtp import SmtpServer
from tests.support.wait import wait_until


def test_no_secret_is_ever_shown_through_a_run_with_failures(
    tmp_path: Path, fake_edgar: FakeEdgar, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = uuid.uuid4().hex[:12]
    secrets = {
        "WATCHER_HOOK_SECRET": f"hook-secret-{token}",
        "WATCHER_SMTP_PASSWORD": f"smtp-password-{token}",
        "WATCHER_BAD_PASSWORD": f"wrong-password-{token}",
        "WATCHER_SLACK_URL": "",  # set below: the URL holds the token
    }
    for filing in demo_filings():
        fake_edgar.publish(filing)
    with WebhookReceiver() as hook, WebhookReceiver() as slack, \
            SmtpServer(tmp_path, "watcher", secrets["WATCHER_SMTP_PASSWORD"]) as smtp:
        secrets["WATCHER_SLACK_URL"] = f"{slack.url}/T0/B0/slack-token-{token}"
        hook.fail_first = 2
        slack.fail_first, slack.fail_status = 1, 500
        smtp.box.rcpt_answer = "451 4.3.0 try again later"
        mail = {"kind": "email", "host": "127.0.0.1", "port": smtp.port,
                "username": "watcher", "from": "watcher@acme.example",
                "to": ["analysts@acme.example"], "ca_file": str(smtp.cert), "timeout": 5}
        config = write_config(
            tmp_path / "watcher.yaml",
            edgar={"user_agent": "watcher tests tests@example.invalid",
                   "base_url": fake_edgar.base_url, "data_url": fake_edgar.base_url},
            companies=[{"cik": DEMO_CIK, "name": DEMO_COMPANY}],
            sources=[{"kind": "edgar_current", "every": 0.3}],
            store={"url": f"sqlite:///{tmp_path / 'watcher.db'}"},
            notifiers=[
                {"name": "desk", "kind": "webhook", "url": hook.url,
                 "secret_env": "WATCHER_HOOK_SECRET"},
                {"name": "mail", **mail, "password_env": "WATCHER_SMTP_PASSWORD"},
                {"name": "badmail", **mail, "password_env": "WATCHER_BAD_PASSWORD"},
                {"name": "chat", "kind": "slack", "url_env": "WATCHER_SLACK_URL"},
                {"name": "ops", "kind": "jsonl", "path": str(tmp_path / "ops.jsonl"),
                 "operators": True},
            ],
            rules=[{"notifiers": ["desk", "mail", "badmail", "chat"]}],
            delivery={"backoff_initial": 0.2, "backoff_max": 0.5, "idle_poll": 0.2,
                      "send_timeout": 5},
            server={"enabled": False},
            logging={"level": "DEBUG", "format": "json"},
        )
        with Daemon(config, secrets) as daemon:
            hook.wait_for(3)
            slack.wait_for(3)
            wait_until(lambda: "451" in daemon.output(), what="the SMTP server's 451")
            smtp.box.rcpt_answer = None
            smtp.box.wait_for(3)
            wait_until(lambda: (tmp_path / "ops.jsonl").exists() and
                       (tmp_path / "ops.jsonl").read_text().count("alert_dead") >= 3,
                       what="three dead letters of badmail told to the operators")
            assert daemon.stop() == 0, daemon.output()
        log = daemon.output()

    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    assert main(["check-config", "--config", str(config)]) == 0
    assert main(["alerts", "--config", str(config), "--state", "all", "--json"]) == 0
    assert main(["alerts", "--config", str(config), "--state", "all"]) == 0
    printed = capsys.readouterr()
    shown = "\n".join([log, printed.out, printed.err, (tmp_path / "ops.jsonl").read_text()])

    # The run did fail where it should, and says so without the secrets.
    assert "login refused: 535" in shown and "HTTP 503" in shown and "HTTP 500" in shown
    assert "WATCHER_SLACK_URL" in printed.out and "WATCHER_HOOK_SECRET" in printed.out
    forbidden = [*secrets.values(), f"slack-token-{token}", token]
    for password in (secrets["WATCHER_SMTP_PASSWORD"], secrets["WATCHER_BAD_PASSWORD"]):
        plain = f"\0watcher\0{password}".encode()  # what AUTH PLAIN sends, base64-encoded
        forbidden += [base64.b64encode(plain).decode(), base64.b64encode(password.encode())
                      .decode()]
    for secret in forbidden:
        assert secret not in shown, f"a secret leaked: {secret[:6]}..."
