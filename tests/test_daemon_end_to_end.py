"""The walking skeleton, for real: the daemon polls a fake EDGAR, processes a filing and
posts a signed webhook to a real HTTP receiver; a restart does not send it again."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from watcher.cli import main
from watcher.demo import DEMO_CIK, DEMO_COMPANY, demo_filings
from watcher.demo.fake_edgar import FakeEdgar, Reply

from tests.support.daemon import Daemon, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.wait import wait_until

SECRET = "e2e-webhook-secret"


def _config(tmp_path: Path, edgar: FakeEdgar, receiver: WebhookReceiver) -> Path:
    return write_config(
        tmp_path / "watcher.yaml",
        edgar={"user_agent": "watcher tests tests@example.invalid",
               "base_url": edgar.base_url, "data_url": edgar.base_url},
        companies=[{"cik": DEMO_CIK, "name": DEMO_COMPANY}],
        sources=[{"kind": "edgar_current", "every": 0.5}],
        store={"url": f"sqlite:///{tmp_path / 'watcher.db'}"},
        pipeline={"max_attempts": 2},
        notifiers=[{"name": "desk", "kind": "webhook", "url": receiver.url,
                    "secret_env": "WATCHER_E2E_SECRET"}],
        server={"enabled": False},
        logging={"level": "INFO", "format": "json"},
    )


def test_a_partner_status_change_reaches_the_webhook_signed_and_only_once(
    tmp_path: Path, fake_edgar: FakeEdgar, receiver: WebhookReceiver
) -> None:
    license_filing, _, opt_out_filing = demo_filings()
    fake_edgar.publish(license_filing)
    config = _config(tmp_path, fake_edgar, receiver)
    env = {"WATCHER_E2E_SECRET": SECRET}

    with Daemon(config, env) as daemon:
        first = receiver.wait_for(1)[0]
        assert first.json["changes"][0]["kind"] == "partner_added"

        fake_edgar.publish(opt_out_filing)
        second = receiver.wait_for(2)[1]
        assert daemon.stop() == 0, daemon.output()

    body = second.json
    assert body["schema"] == "watcher.alert.v1"
    assert body["filing"]["accession"] == opt_out_filing.accession
    assert body["company"]["cik"] == DEMO_CIK
    change = next(c for c in body["changes"] if c["kind"] == "status_changed")
    assert change["partner"] == "Corvane Pharmaceuticals"
    assert change["product"] == "HLV-101"
    assert (change["field"], change["from"], change["to"]) == \
        ("relationship", "licensed", "not_advancing")
    assert "has elected not to advance HLV-101 into Phase II" in change["evidence"]
    assert change["previous"]["accession"] == license_filing.accession
    assert [w["to"] for w in body["watch"]] == ["rights_returned"]
    assert body["id"] == second.headers["x-watcher-alert-id"]

    # The receiver checks the signature the documented way: HMAC-SHA256 of the raw body.
    expected = "sha256=" + hmac.new(SECRET.encode(), second.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(second.headers["x-watcher-signature"], expected)
    assert second.headers["x-watcher-timestamp"].isdigit()

    # Restart: the daemon polls again, sees only known accessions and sends nothing twice.
    feed_polls = len(fake_edgar.requests_to("/cgi-bin/browse-edgar"))
    with Daemon(config, env) as daemon:
        wait_until(lambda: len(fake_edgar.requests_to("/cgi-bin/browse-edgar")) >= feed_polls + 3,
                   what="three polls after the restart")
        assert daemon.stop() == 0, daemon.output()
    assert receiver.attempts == 2
    assert [r.json["id"] for r in receiver.received] == [first.json["id"], body["id"]]


def test_the_daemon_without_network_logs_connection_errors_and_keeps_polling(
    tmp_path: Path,
) -> None:
    config = write_config(
        tmp_path / "watcher.yaml",
        edgar={"user_agent": "watcher tests tests@example.invalid",
               "base_url": "http://127.0.0.1:9", "data_url": "http://127.0.0.1:9",
               "retries": 0},
        companies=[{"cik": DEMO_CIK}],
        sources=[{"kind": "edgar_current", "every": 0.2}],
        store={"url": f"sqlite:///{tmp_path / 'watcher.db'}"},
        server={"enabled": False},
        logging={"format": "json"},
    )
    with Daemon(config) as daemon:
        wait_until(lambda: daemon.output().count("polling edgar_current failed") >= 3,
                   what="three failed polls")
        assert daemon.proc is not None and daemon.proc.poll() is None  # still running
        assert daemon.stop() == 0
    assert "connection failed" in daemon.output()


def test_run_once_processes_what_is_new_and_exits_zero(
    tmp_path: Path, fake_edgar: FakeEdgar, receiver: WebhookReceiver,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    for filing in demo_filings():
        fake_edgar.publish(filing)
    config = _config(tmp_path, fake_edgar, receiver)
    monkeypatch.setenv("WATCHER_E2E_SECRET", SECRET)
    assert main(["run", "--once", "--config", str(config)]) == 0
    assert len(receiver.received) == 3
    # A second cycle finds nothing new and sends nothing.
    assert main(["run", "--once", "--config", str(config)]) == 0
    assert len(receiver.received) == 3
    assert "3 new filing(s), 3 processed, 0 failed, 3 alert(s)" in capsys.readouterr().err


def test_run_once_exits_non_zero_when_a_filing_fails(
    tmp_path: Path, fake_edgar: FakeEdgar, receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    filing = demo_filings()[0]
    fake_edgar.publish(filing)
    config = _config(tmp_path, fake_edgar, receiver)
    monkeypatch.setenv("WATCHER_E2E_SECRET", SECRET)
    broken = Reply(500, b"oops")
    with fake_edgar.fault(lambda path: broken if path.endswith("-index.htm") else None):
        assert main(["run", "--once", "--config", str(config)]) == 1
    assert receiver.received == []
