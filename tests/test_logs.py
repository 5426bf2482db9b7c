"""Logs: JSON lines when not on a terminal, readable lines on one; accession and CIK on every
line about a filing, whichever module writes it and in whichever worker thread."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from watcher.app import App
from watcher.config import parse_config
from watcher.demo import DEMO_CIK, demo_filings
from watcher.demo.fake_edgar import FakeEdgar, Reply
from watcher.logs import configure_logging, log_context

from tests.support.service import USER_AGENT

logger = logging.getLogger("watcher.test_logs")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.usefixtures("restore_logging")
def test_logs_are_json_lines_when_not_on_a_terminal() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "auto", stream=stream)
    logger.info("polled %s: %d new", "edgar_current", 2, extra={"source": "edgar_current"})
    try:
        raise ValueError("broken exhibit")
    except ValueError:
        logger.exception("could not normalize")
    first, second = _json_lines(stream)
    assert first["msg"] == "polled edgar_current: 2 new"
    assert (first["level"], first["logger"], first["source"]) == \
        ("info", "watcher.test_logs", "edgar_current")
    assert first["ts"].endswith("+00:00")
    assert second["level"] == "error" and "ValueError: broken exhibit" in second["exc"]


@pytest.mark.usefixtures("restore_logging")
def test_logs_are_readable_lines_on_a_terminal() -> None:
    stream = Terminal()
    configure_logging("INFO", "auto", stream=stream)
    with log_context(accession="0009900901-24-000007", cik=DEMO_CIK):
        logger.warning("document not normalized")
    line = stream.getvalue().strip()
    assert not line.startswith("{")
    assert "WARNING watcher.test_logs: document not normalized" in line
    assert line.endswith("[accession=0009900901-24-000007 cik=9900901]")


@pytest.mark.usefixtures("restore_logging")
async def test_the_log_context_reaches_threads_and_ends_with_its_block() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    with log_context(accession="A-1", cik=42):
        logger.info("in the task")
        await asyncio.to_thread(logger.info, "in a worker thread")
        logger.info("explicit wins", extra={"accession": "B-2"})
        with log_context(notifier="desk"):
            logger.info("nested")
    logger.info("after the block")
    lines = _json_lines(stream)
    assert [(r.get("accession"), r.get("cik"), r.get("notifier")) for r in lines] == [
        ("A-1", 42, None), ("A-1", 42, None), ("B-2", 42, None), ("A-1", 42, "desk"),
        (None, None, None)]


@pytest.mark.usefixtures("restore_logging")
async def test_every_line_about_a_filing_names_its_accession_and_cik(
    fake_edgar: FakeEdgar,
) -> None:
    filings = demo_filings()
    for filing in filings:
        fake_edgar.publish(filing)
    broken = filings[1]
    flaky: list[str] = []

    def once_503(path: str) -> Reply | None:  # http.py retries it and logs the retry
        if path == broken.index_path and not flaky:
            flaky.append(path)
            return Reply(503, b"busy")
        return None

    config = parse_config({
        "edgar": {"user_agent": USER_AGENT, "base_url": fake_edgar.base_url,
                  "data_url": fake_edgar.base_url, "retries": 1},
        "companies": [{"cik": DEMO_CIK}],
        "store": {"url": "sqlite://"},
        "notifiers": [{"name": "log", "kind": "log"}],
    }, environ={})
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    with fake_edgar.fault(once_503):
        report = await App(config).run_once()
    assert [o.state for o in report.outcomes] == ["done", "done", "done"]
    about_filings = 0
    for record in _json_lines(stream):
        for filing in filings:
            folder = filing.accession.replace("-", "")
            if filing.accession in record["msg"] or folder in record["msg"]:
                about_filings += 1
                assert record.get("accession") == filing.accession, record
                assert record.get("cik") == DEMO_CIK, record
    assert about_filings >= 7  # new filing x3, outcome x3, the retry, the alerts
    assert flaky


@pytest.mark.postgres
@pytest.mark.usefixtures("restore_logging")
async def test_a_store_password_never_reaches_the_log(
    fake_edgar: FakeEdgar, postgres_url: str,
) -> None:
    user, rest = postgres_url.split("://", 1)[1].split("@", 1)
    with_password = f"postgresql://{user}:hunter2-pw@{rest}"  # trust auth ignores it
    config = parse_config({
        "edgar": {"user_agent": USER_AGENT, "base_url": fake_edgar.base_url,
                  "data_url": fake_edgar.base_url},
        "companies": [{"cik": DEMO_CIK}], "store": {"url": with_password},
    }, environ={})
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    await App(config).run_once()
    assert f"store postgresql://{user}@{rest}" in stream.getvalue()
    assert "hunter2-pw" not in stream.getvalue()
