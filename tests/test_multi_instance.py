"""Several instances on one PostgreSQL: three real daemons share the store, the fake EDGAR
and one webhook receiver while a stream of filings is published; the instance polling EDGAR
is killed with SIGKILL mid-stream. Every alert arrives under one id, repeated only when the
kill cut its very delivery; polling goes on from another instance; each filing is processed
once (twice only when the kill cut its processing).

The scenario runs once per module; each test checks one part of the contract on its result.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from watcher.demo.fake_edgar import FakeEdgar

from tests.conftest import POSTGRES_URL
from tests.support.daemon import Daemon
from tests.support.receiver import Received, WebhookReceiver
from tests.support.service import fictional_company, service_config
from tests.support.wait import wait_until

pytestmark = pytest.mark.postgres

CIKS = [9900911 + i for i in range(6)]
WORKERS = 2
FEED = "/cgi-bin/browse-edgar"


@dataclass(frozen=True)
class Outcome:
    expected: set[str]            # accessions that must each produce one alert
    received: list[Received]      # every webhook accepted, in arrival order
    kill_index: int               # how many had arrived when the poller was killed
    leader: str                   # the instance killed (it held the poll lease)
    new_leader: str | None        # who held it after
    feed_polls: tuple[int, int]   # feed requests at the kill, and at the end
    filings: list[tuple[str, str, int]]  # (accession, state, attempts) in the store
    exit_codes: list[int]         # of the two survivors, stopped with SIGTERM


def _leader(url: str) -> str | None:
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT holder FROM source_leases "
                               "WHERE name = 'edgar_current'").fetchone()
    except psycopg.errors.UndefinedTable:  # the daemons are still migrating
        return None
    return row[0] if row else None


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A throwaway database for the module (like the ``postgres_url`` fixture)."""
    name = f"watcher_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable and CI is set: {exc}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[Outcome]:
    workdir: Path = tmp_path_factory.mktemp("three-daemons")
    companies = [fictional_company(cik) for cik in CIKS]
    rounds = [[filings[n] for filings in companies] for n in range(3)]
    with FakeEdgar() as edgar, WebhookReceiver() as receiver:

        def arrived() -> set[str]:
            return {r.json["filing"]["accession"] for r in list(receiver.received)}

        daemons = [Daemon(service_config(
            workdir / f"watcher-{i}.yaml", edgar, ciks=CIKS, store_url=database,
            webhook=receiver.url, store={"url": database, "lease_seconds": 2},
            pipeline={"workers": WORKERS, "max_attempts": 3})) for i in range(3)]
        try:
            for daemon in daemons:
                daemon.start()
            wait_until(lambda: _leader(database) is not None, what="one instance polling")
            for filing in rounds[0]:
                edgar.publish(filing)
            wait_until(lambda: {f.accession for f in rounds[0]} <= arrived(), 60, "round 1")

            for filing in rounds[1]:
                edgar.publish(filing)
            wait_until(lambda: bool({f.accession for f in rounds[1]} & arrived()), 60,
                       "the first alert of round 2")
            leader = _leader(database)
            assert leader is not None
            [victim] = [d for d in daemons
                        if d.proc is not None and leader.endswith(f":{d.proc.pid}")]
            kill_index = len(receiver.received)
            polls_at_kill = len(edgar.requests_to(FEED))
            assert victim.stop(signal.SIGKILL) == -signal.SIGKILL

            for filing in rounds[2]:  # only an instance that took over polling sees these
                edgar.publish(filing)
            expected = {f.accession for batch in rounds for f in batch}
            wait_until(lambda: expected <= arrived(), 90, "every alert")
            new_leader = _leader(database)
            exit_codes = [d.stop() for d in daemons if d is not victim]
        finally:
            for daemon in daemons:
                daemon.__exit__(None, None, None)
        with psycopg.connect(database) as conn:
            filings = [(r[0], r[1], int(r[2])) for r in conn.execute(
                "SELECT accession, state, attempts FROM filings ORDER BY accession")]
        yield Outcome(expected, list(receiver.received), kill_index, leader, new_leader,
                      (polls_at_kill, len(edgar.requests_to(FEED))), filings, exit_codes)


def test_every_expected_alert_arrives_each_under_one_id(outcome: Outcome) -> None:
    ids: dict[str, set[str]] = {}
    for r in outcome.received:
        ids.setdefault(r.json["filing"]["accession"], set()).add(r.json["id"])
        assert r.json["id"] == r.alert_id
    assert set(ids) == outcome.expected
    assert all(len(alert_ids) == 1 for alert_ids in ids.values()), ids


def test_polling_goes_on_from_another_instance_after_the_poller_is_killed(
    outcome: Outcome,
) -> None:
    assert outcome.new_leader is not None and outcome.new_leader != outcome.leader
    at_kill, at_end = outcome.feed_polls
    assert at_end > at_kill
    assert outcome.exit_codes == [0, 0]


def test_each_filing_is_processed_once_unless_the_kill_cut_its_processing(
    outcome: Outcome,
) -> None:
    assert {a for a, _, _ in outcome.filings} == outcome.expected
    assert all(state == "done" for _, state, _ in outcome.filings), outcome.filings
    assert sum(1 for _, _, attempts in outcome.filings if attempts > 1) <= WORKERS


def test_an_alert_is_repeated_only_when_the_kill_cut_its_delivery(outcome: Outcome) -> None:
    # At-least-once: a repeat only for a delivery the kill cut (received before the kill,
    # not yet marked delivered), at most one per delivery loop of the killed instance.
    copies = Counter(r.json["id"] for r in outcome.received)
    repeated = [alert_id for alert_id, n in copies.items() if n > 1]
    assert len(repeated) <= 1, copies
    for alert_id in repeated:
        positions = [i for i, r in enumerate(outcome.received) if r.json["id"] == alert_id]
        assert len(positions) == 2 and positions[0] < outcome.kill_index <= positions[1]
