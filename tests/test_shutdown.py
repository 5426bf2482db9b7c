"""Graceful shutdown of a real daemon: SIGTERM/SIGINT stop polling and let in-flight filings
finish within the grace period; what outlasts it is cut short, recorded and handed back
(pending at once, nothing half-written), and the next start redoes it; exit code 0."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from watcher.app import App
from watcher.config import parse_config
from watcher.demo import DEMO_CIK, demo_filings
from watcher.demo.fake_edgar import FakeEdgar, FakeFiling, Reply
from watcher.errors import StoreError
from watcher.pipeline import Pipeline
from watcher.store import Store, open_store

from tests.support.daemon import Daemon
from tests.support.receiver import WebhookReceiver
from tests.support.service import USER_AGENT, log_records, logged, service_config
from tests.support.wait import wait_until


class Hold:
    """A fault that holds EDGAR's answer to one path until released (a slow fetch)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.arrived = threading.Event()
        self.released = threading.Event()

    def __call__(self, path: str) -> Reply | None:
        if path == self.path:
            self.arrived.set()
            self.released.wait(30)
        return None


@pytest.fixture
def filing() -> FakeFiling:
    return demo_filings()[0]


@pytest.fixture
def hold(fake_edgar: FakeEdgar, filing: FakeFiling) -> Iterator[Hold]:
    held = Hold(filing.index_path)
    with fake_edgar.fault(held):
        yield held
    held.released.set()


def _config(tmp_path: Path, edgar: FakeEdgar, receiver: WebhookReceiver,
            **sections: object) -> Path:
    return service_config(tmp_path / "w.yaml", edgar, ciks=[DEMO_CIK], webhook=receiver.url,
                          store_url=f"sqlite:///{tmp_path / 'w.db'}", **sections)


def _store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'w.db'}")


def _state(tmp_path: Path, accession: str) -> tuple[str, int, str | None]:
    store = _store(tmp_path)
    try:
        [row] = [r for r in store.filings() if r.filing.accession == accession]
        return row.state, row.attempts, row.last_error
    finally:
        store.close()


def _nothing_written_for(tmp_path: Path, accession: str) -> bool:
    store = _store(tmp_path)
    try:
        return store.release(accession) is None and store.deliveries() == []
    finally:
        store.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_lets_the_filing_in_flight_finish_within_the_grace_period(
    tmp_path: Path, fake_edgar: FakeEdgar, receiver: WebhookReceiver, filing: FakeFiling,
    hold: Hold, sig: signal.Signals,
) -> None:
    fake_edgar.publish(filing)
    config = _config(tmp_path, fake_edgar, receiver, server={"shutdown_grace": 30})
    with Daemon(config) as daemon:
        assert hold.arrived.wait(30), daemon.output()
        assert daemon.proc is not None
        daemon.proc.send_signal(sig)
        wait_until(lambda: logged(daemon, "letting in-flight work finish"), what="draining")
        hold.released.set()
        assert daemon.proc.wait(30) == 0, daemon.output()  # no second signal: it drains
    assert _state(tmp_path, filing.accession) == ("done", 1, None)
    assert not logged(daemon, "cut short by shutdown")
    assert logged(daemon, "stopped (0 filing(s) cut short)")
    with Daemon(config) as again:  # the alert waited in the outbox, if not sent yet
        [received] = receiver.wait_for(1)
        assert again.stop() == 0
    assert received.json["filing"]["accession"] == filing.accession
    assert receiver.attempts == 1


def test_what_outlasts_the_grace_period_is_cut_short_recorded_and_redone_at_the_next_start(
    tmp_path: Path, fake_edgar: FakeEdgar, receiver: WebhookReceiver, filing: FakeFiling,
    hold: Hold,
) -> None:
    fake_edgar.publish(filing)
    config = _config(tmp_path, fake_edgar, receiver, server={"shutdown_grace": 0.2})
    with Daemon(config) as daemon:
        assert hold.arrived.wait(30), daemon.output()
        assert daemon.stop(signal.SIGTERM) == 0, daemon.output()  # while the fetch hangs
    [cut] = [r for r in log_records(daemon) if "cut short by shutdown" in r["msg"]]
    assert (cut["level"], cut["accession"], cut["cik"]) == \
        ("warning", filing.accession, DEMO_CIK)
    assert _state(tmp_path, filing.accession) == \
        ("pending", 0, "cut short by shutdown; redone at the next start")
    assert _nothing_written_for(tmp_path, filing.accession)

    hold.released.set()
    with Daemon(config) as again:
        [received] = receiver.wait_for(1)
        assert again.stop() == 0
    assert received.json["filing"]["accession"] == filing.accession
    assert _state(tmp_path, filing.accession)[:2] == ("done", 1)


def test_a_second_signal_cuts_the_wait_short_at_once(
    tmp_path: Path, fake_edgar: FakeEdgar, receiver: WebhookReceiver, filing: FakeFiling,
    hold: Hold,
) -> None:
    fake_edgar.publish(filing)
    config = _config(tmp_path, fake_edgar, receiver, server={"shutdown_grace": 600})
    with Daemon(config) as daemon:
        assert hold.arrived.wait(30), daemon.output()
        assert daemon.proc is not None
        daemon.proc.send_signal(signal.SIGTERM)
        wait_until(lambda: logged(daemon, "letting in-flight work finish"), what="draining")
        assert daemon.stop(signal.SIGTERM) == 0  # the hold is still on: only the 2nd stops it
    assert logged(daemon, "cutting in-flight work short now")
    assert _state(tmp_path, filing.accession)[0] == "pending"
    assert _nothing_written_for(tmp_path, filing.accession)


def test_after_a_crash_a_restart_under_the_same_name_redoes_the_filing_without_waiting(
    tmp_path: Path, fake_edgar: FakeEdgar, receiver: WebhookReceiver, filing: FakeFiling,
    hold: Hold,
) -> None:
    fake_edgar.publish(filing)
    # A lease far longer than this test may wait: only the hand-back can explain a redo.
    config = _config(tmp_path, fake_edgar, receiver,
                     store={"url": f"sqlite:///{tmp_path / 'w.db'}", "lease_seconds": 3600})
    named = {"WATCHER_INSTANCE": "watcher-1"}
    with Daemon(config, named) as daemon:
        assert hold.arrived.wait(30), daemon.output()
        assert daemon.stop(signal.SIGKILL) == -signal.SIGKILL
    assert _state(tmp_path, filing.accession)[:2] == ("processing", 1)
    hold.released.set()
    with Daemon(config, named) as again:
        [received] = receiver.wait_for(1)
        assert again.stop() == 0
    assert received.json["filing"]["accession"] == filing.accession
    assert logged(again, "was cut short by a crash of this instance")


async def test_a_filing_whose_processing_raises_is_handed_back_not_held(
    tmp_path: Path, fake_edgar: FakeEdgar, filing: FakeFiling,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise StoreError("database error: disk full")

    fake_edgar.publish(filing)
    monkeypatch.setattr(Pipeline, "store_documents", disk_full)
    config = parse_config({
        "edgar": {"user_agent": USER_AGENT, "base_url": fake_edgar.base_url,
                  "data_url": fake_edgar.base_url},
        "companies": [{"cik": DEMO_CIK}],
        "store": {"url": f"sqlite:///{tmp_path / 'w.db'}"},
    }, environ={})
    report = await App(config).run_once()
    assert [o.state for o in report.outcomes] == ["retry"]
    state, attempts, error = _state(tmp_path, filing.accession)
    assert (state, attempts) == ("pending", 1)
    assert error == "StoreError: database error: disk full"


async def test_an_interrupted_run_once_hands_its_filing_back(
    tmp_path: Path, fake_edgar: FakeEdgar, filing: FakeFiling, hold: Hold,
) -> None:
    fake_edgar.publish(filing)
    config = parse_config({
        "edgar": {"user_agent": USER_AGENT, "base_url": fake_edgar.base_url,
                  "data_url": fake_edgar.base_url},
        "companies": [{"cik": DEMO_CIK}],
        "store": {"url": f"sqlite:///{tmp_path / 'w.db'}"},
    }, environ={})
    cycle = asyncio.ensure_future(App(config).run_once())
    assert await asyncio.to_thread(hold.arrived.wait, 30)
    cycle.cancel()  # what Ctrl-C does to `watcher run --once`
    with pytest.raises(asyncio.CancelledError):
        await cycle
    hold.released.set()
    assert _state(tmp_path, filing.accession) == \
        ("pending", 0, "cut short by shutdown; redone at the next start")
    assert _nothing_written_for(tmp_path, filing.accession)
