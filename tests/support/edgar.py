"""Helpers for tests against the fake EDGAR: client settings pointing at it, a client on a
fake clock, the recorded real responses, and small fictional filings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from watcher.clock import Clock
from watcher.config import EdgarSettings
from watcher.demo.fake_edgar import FakeDocument, FakeEdgar, FakeFiling
from watcher.events import OperatorEvent
from watcher.http import EdgarClient

from tests.conftest import shared_path
from tests.support.clock import FakeClock

USER_AGENT = "Watcher Tests tests@example.invalid"


def edgar_settings(edgar: FakeEdgar, cache: Path | None = None, **overrides: Any) -> EdgarSettings:
    values: dict[str, Any] = {
        "user_agent": USER_AGENT, "base_url": edgar.base_url, "data_url": edgar.base_url,
        "cache_dir": str(cache) if cache else None, "timeout": 5.0,
    }
    values.update(overrides)
    return EdgarSettings(**values)


@asynccontextmanager
async def edgar_client(edgar: FakeEdgar, cache: Path | None = None, *,
                       clock: Clock | None = None, events: list[OperatorEvent] | None = None,
                       **overrides: Any) -> AsyncIterator[EdgarClient]:
    client = EdgarClient(edgar_settings(edgar, cache, **overrides),
                         clock=clock or FakeClock(),
                         on_event=events.append if events is not None else None)
    try:
        yield client
    finally:
        await client.aclose()


def samples() -> Path:
    """The recorded real EDGAR responses (skips the test when ../shared is absent)."""
    return shared_path("edgar-samples")


def recorded_edgar(edgar: FakeEdgar) -> FakeEdgar:
    edgar.load_recorded(samples())
    return edgar


def release_html(company: str, text: str) -> bytes:
    return (f"<html><body><p>{company} today announced {text}</p>"
            f"<p>About {company}: a fictional biotechnology company.</p></body></html>").encode()


def fake_filing(cik: int, number: int, filed: date, *, company: str = "Veltra Therapeutics, "
                "Inc.", form: str = "8-K", items: tuple[str, ...] = ("8.01", "9.01"),
                exhibit: bool = True, in_feed: bool = True,
                report_date: date | None = None) -> FakeFiling:
    """A fictional 8-K with a primary document and, by default, one EX-99.1."""
    accession = f"{cik:010d}-{filed:%y}-{number:06d}"
    documents = [FakeDocument(form, f"doc{number}.htm",
                              b"<html><body><p>Current report.</p></body></html>", form)]
    if exhibit:
        documents.append(FakeDocument(
            "EX-99.1", f"ex99-{number}.htm",
            release_html(company, f"news number {number} about its programs."),
            "PRESS RELEASE"))
    return FakeFiling(cik=cik, company=company, accession=accession, filed=filed,
                      documents=tuple(documents), form=form, items=items, in_feed=in_feed,
                      report_date=report_date)
