"""Crash safety of the outbox, for real: the daemon (``python -m watcher run``) is killed with
SIGKILL while alerts are pending, and again while a receiver holds one delivery open. After
each restart every alert reaches every notifier under the same id; an alert id arrives twice
only for the delivery that was open at the kill (at-least-once), never for the pending ones."""

from __future__ import annotations

import hashlib
import hmac
import signal
from collections import Counter
from pathlib import Path

import pytest
from watcher.demo import DEMO_CIK, DEMO_COMPANY, demo_filings
from watcher.demo.fake_edgar import FakeEdgar
from watcher.store import open_store

from tests.support.daemon import Daemon, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.wait import wait_until

SECRET = "crash-test-webhook-secret"


def _undelivered(store_url: str, notifier: str) -> list[str]:
    store = open_store(store_url)
    try:
        return [r.alert_id for r in store.deliveries(state="undelivered", notifier=notifier)]
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_loses_no_alert_and_repeats_only_the_delivery_in_flight(
    backend: str, tmp_path: Path, fake_edgar: FakeEdgar, request: pytest.FixtureRequest
) -> None:
    store_url = f"sqlite:///{tmp_path / 'watcher.db'}" if backend == "sqlite" \
        else str(request.getfixturevalue("postgres_url"))
    first, second, third = demo_filings()
    with WebhookReceiver() as desk, WebhookReceiver() as backup:
        config = write_config(
            tmp_path / "watcher.yaml",
            edgar={"user_agent": "watcher tests tests@example.invalid",
                   "base_url": fake_edgar.base_url, "data_url": fake_edgar.base_url},
            companies=[{"cik": DEMO_CIK, "name": DEMO_COMPANY}],
            sources=[{"kind": "edgar_current", "every": 0.3}],
            # A lease far longer than the test: each restarted daemon must take back the
            # claims of the one killed before it at once, not wait for them to expire.
            store={"url": store_url, "lease_seconds": 600},
            notifiers=[{"name": "desk", "kind": "webhook", "url": desk.url,
                        "secret_env": "WATCHER_CRASH_SECRET"},
                       {"name": "backup", "kind": "webhook", "url": backup.url}],
            delivery={"backoff_initial": 0.2, "backoff_max": 0.5, "idle_poll": 0.2,
                      "send_timeout": 60},
            server={"enabled": False},
            logging={"level": "INFO", "format": "json"},
        )
        # One name across restarts (as a container or a service with a fixed name has): a
        # restarted daemon gives back at once what the killed one held.
        env = {"WATCHER_CRASH_SECRET": SECRET, "WATCHER_INSTANCE": f"crash-test-{backend}"}

        # 1. The first alert reaches both; then desk fails, so the second waits for desk.
        fake_edgar.publish(first)
        with Daemon(config, env) as daemon:
            desk.wait_for(1)
            backup.wait_for(1)
            desk.status = 503
            fake_edgar.publish(second)
            backup.wait_for(2)
            wait_until(lambda: desk.attempts >= 3, what="two failed attempts at desk")
            wait_until(lambda: _undelivered(store_url, "backup") == [],
                       what="backup's deliveries recorded")  # nothing in flight there
            assert len(_undelivered(store_url, "desk")) == 1
            assert daemon.stop(signal.SIGKILL) == -signal.SIGKILL

        desk.status = 200
        with Daemon(config, env) as daemon:
            desk.wait_for(2)
            wait_until(lambda: _undelivered(store_url, "desk") == [],
                       what="the second alert marked delivered")

            # 2. desk holds the third alert's request open; the daemon dies meanwhile.
            desk.hold.clear()
            attempts = desk.attempts
            fake_edgar.publish(third)
            wait_until(lambda: desk.attempts > attempts, what="the held delivery")
            backup.wait_for(3)
            wait_until(lambda: _undelivered(store_url, "backup") == [],
                       what="backup's delivery recorded")  # only desk's is open at the kill
            assert daemon.stop(signal.SIGKILL) == -signal.SIGKILL
        desk.hold.set()  # the receiver finishes the request the dead daemon sent
        desk.wait_for(3)
        assert desk.attempts == attempts + 1  # it was open at the kill, and only once

        with Daemon(config, env) as daemon:
            desk.wait_for(4)  # the claim of the killed daemon was given back
            assert daemon.stop() == 0, daemon.output()
        assert _undelivered(store_url, "desk") == []
        assert _undelivered(store_url, "backup") == []

    desk_ids = [r.alert_id for r in desk.received]
    backup_ids = [r.alert_id for r in backup.received]
    assert len(set(backup_ids)) == 3 and len(backup_ids) == 3  # every alert once
    assert desk_ids[:3] == backup_ids  # same ids, same order
    assert Counter(desk_ids) == {backup_ids[0]: 1, backup_ids[1]: 1, backup_ids[2]: 2}
    assert desk_ids[3] == backup_ids[2]  # the one open at the kill, again
    assert [r.json["filing"]["accession"] for r in backup.received] == \
        [f.accession for f in (first, second, third)]
    assert all(r.json["id"] == r.alert_id for r in desk.received + backup.received)
    for got in desk.received:  # the receiver checks each signature the documented way
        expected = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(got.headers["x-watcher-signature"], f"sha256={expected}")
