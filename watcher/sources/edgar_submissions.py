"""Per-company reconciliation from ``data.sec.gov/submissions/CIK##########.json``.

The JSON holds the latest filings as parallel arrays in ``filings.recent`` and names older
pages in ``filings.files`` (same arrays, no envelope). ``items`` is a comma string.
``acceptanceDateTime`` ends in ``Z``, but for some filers it is the New York clock with a
``Z`` appended; ``parse_acceptance`` tells the two apart with the filing date (see there).

The source walks the watchlist round-robin, ``companies_per_poll`` companies per poll, and
reports the filings of the last ``lookback_days``: older history is what ``watcher
backfill`` reads, from the same pages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field

from watcher.config import SourceSettings
from watcher.errors import FetchError, NotFoundError, ParseError, ThrottledError
from watcher.http import JSON_TYPES, EdgarClient
from watcher.models import Filing, accession_folder
from watcher.resolve import link_amendments
from watcher.sources.base import Source

logger = logging.getLogger(__name__)

EASTERN = ZoneInfo("America/New_York")
FILING_CUTOFF = time(17, 30)  # filings accepted later are dated the next business day
_COLUMNS = ("accessionNumber", "filingDate", "reportDate", "acceptanceDateTime", "form",
            "items")


@dataclass(frozen=True, slots=True)
class OlderPage:
    """An entry of ``filings.files``: a page of older filings."""

    name: str
    filing_count: int
    filing_from: date | None
    filing_to: date | None


@dataclass(frozen=True, slots=True)
class SubmissionsPage:
    cik: int
    name: str
    tickers: tuple[str, ...]
    filings: tuple[Filing, ...]
    older: tuple[OlderPage, ...] = ()


def submissions_path(cik: int) -> str:
    return f"/submissions/CIK{cik:010d}.json"


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _consistent(accepted_eastern: datetime, filed: date) -> bool:
    """Whether a filing accepted then (New York time) can carry this filing date: the same
    day before the 17:30 cutoff, a later day after it or on a weekend."""
    day = accepted_eastern.date()
    if filed == day:
        return True
    return filed > day and (accepted_eastern.time() >= FILING_CUTOFF or day.weekday() >= 5)


def parse_acceptance(value: Any, filed: date | None) -> datetime | None:
    """``acceptanceDateTime`` as an aware UTC datetime.

    The value always ends in ``Z``. For most filers it is UTC; for some it is the New York
    clock with a ``Z`` appended. Read as UTC first; when that contradicts the filing date
    (accepted before the 17:30 cutoff, yet dated another day) and reading it as New York
    time does not, it was New York time. Ambiguous values stay UTC: the filing date, not
    this timestamp, is what watcher relies on."""
    if not isinstance(value, str) or len(value) < 19:
        return None
    try:
        naive = datetime.fromisoformat(value[:19])
    except ValueError:
        return None
    as_utc = naive.replace(tzinfo=UTC)
    if filed is None:
        return as_utc
    if _consistent(as_utc.astimezone(EASTERN), filed):
        return as_utc
    as_eastern = naive.replace(tzinfo=EASTERN)
    if _consistent(as_eastern, filed):
        return as_eastern.astimezone(UTC)
    return as_utc


def _rows(arrays: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(arrays, dict):
        raise ParseError("submissions page has no filing arrays")
    columns = {name: arrays.get(name) for name in _COLUMNS}
    accessions = columns["accessionNumber"]
    if not isinstance(accessions, list):
        raise ParseError("submissions page has no accessionNumber array")
    for index, accession in enumerate(accessions):
        row = {"accessionNumber": accession}
        for name in _COLUMNS[1:]:
            values = columns[name]
            row[name] = values[index] if isinstance(values, list) and \
                index < len(values) else None
        yield row


def filings_from_arrays(arrays: Any, *, cik: int, name: str, base_url: str,
                        source: str) -> list[Filing]:
    """The filings of one page of parallel arrays (``filings.recent`` or an older page)."""
    filings = []
    for row in _rows(arrays):
        accession, form = row["accessionNumber"], row["form"]
        if not isinstance(accession, str) or not isinstance(form, str):
            continue
        filed = _date(row["filingDate"])
        items_text = row["items"] if isinstance(row["items"], str) else ""
        filings.append(Filing(
            accession=accession,
            cik=cik,
            form=form,
            filed=filed,
            company_name=name,
            items=tuple(i.strip() for i in items_text.split(",") if i.strip()),
            accepted=parse_acceptance(row["acceptanceDateTime"], filed),
            index_url=(f"{base_url}/Archives/edgar/data/{cik}/{accession_folder(accession)}/"
                       f"{accession}-index.htm"),
            source=source,
            report_date=_date(row["reportDate"]),
        ))
    return filings


def _load_json(content: bytes, what: str) -> Any:
    try:
        return json.loads(content)
    except ValueError as exc:
        raise ParseError(f"{what} is not JSON: {exc}") from exc


def parse_submissions(content: bytes, *, base_url: str,
                      source: str = "edgar_submissions") -> SubmissionsPage:
    """The company's main submissions JSON: who it is, its recent filings, older pages."""
    data = _load_json(content, "submissions JSON")
    if not isinstance(data, dict) or not isinstance(data.get("filings"), dict):
        raise ParseError("submissions JSON has no filings")
    try:
        cik = int(str(data.get("cik", "")).lstrip("0") or "0")
    except ValueError as exc:
        raise ParseError(f"submissions JSON has a bad cik: {data.get('cik')!r}") from exc
    name = str(data.get("name") or "")
    tickers = tuple(str(t) for t in data.get("tickers") or () if t)
    filings = filings_from_arrays(data["filings"].get("recent"), cik=cik, name=name,
                                  base_url=base_url, source=source)
    older = []
    for entry in data["filings"].get("files") or ():
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            older.append(OlderPage(entry["name"], int(entry.get("filingCount") or 0),
                                   _date(entry.get("filingFrom")), _date(entry.get("filingTo"))))
    return SubmissionsPage(cik, name, tickers, tuple(filings), tuple(older))


def parse_older_page(content: bytes, *, cik: int, name: str, base_url: str,
                     source: str = "edgar_submissions") -> list[Filing]:
    """A ``CIK##########-submissions-NNN.json`` page (flat arrays, no envelope)."""
    return filings_from_arrays(_load_json(content, "submissions page"), cik=cik, name=name,
                               base_url=base_url, source=source)


async def fetch_submissions(http: EdgarClient, cik: int, *, source: str,
                            conditional: bool = False) -> SubmissionsPage:
    result = await http.get(http.url(submissions_path(cik), data=True), expect=JSON_TYPES,
                            conditional=conditional)
    try:
        return parse_submissions(result.content, base_url=http.settings.base_url,
                                 source=source)
    except ParseError as exc:
        exc.cik = cik
        raise


async def fetch_older_page(http: EdgarClient, page: SubmissionsPage, older: OlderPage, *,
                           source: str) -> list[Filing]:
    result = await http.get(http.url(f"/submissions/{older.name}", data=True),
                            expect=JSON_TYPES)
    return parse_older_page(result.content, cik=page.cik, name=page.name,
                            base_url=http.settings.base_url, source=source)


def select(filings: Sequence[Filing], forms: Sequence[str], since: date | None) -> list[Filing]:
    wanted = {f.upper() for f in forms}
    return [f for f in filings if f.form.upper() in wanted
            and (since is None or (f.filed is not None and f.filed >= since))]


class EdgarSubmissionsSettings(SourceSettings):
    every: float = Field(default=600.0, gt=0)
    forms: list[str] = Field(default_factory=lambda: ["8-K", "8-K/A"])
    lookback_days: int = Field(default=14, ge=1)
    companies_per_poll: int = Field(default=50, ge=1)


class EdgarSubmissionsSource(Source):
    """The watched companies' recent filings, a batch of companies per poll."""

    Settings = EdgarSubmissionsSettings

    @property
    def options(self) -> EdgarSubmissionsSettings:
        assert isinstance(self.settings, EdgarSubmissionsSettings)
        return self.settings

    def _batch(self) -> tuple[list[int], int]:
        ciks = sorted(self.context.watchlist.ciks or ())
        if not ciks:
            return [], 0
        start = int(self.state.get("cursor", 0)) % len(ciks)
        count = min(self.options.companies_per_poll, len(ciks))
        batch = [ciks[(start + i) % len(ciks)] for i in range(count)]
        return batch, (start + count) % len(ciks)

    async def poll(self) -> list[Filing]:
        if self.context.watchlist.ciks is None:
            logger.warning("edgar_submissions needs a watchlist (companies:); nothing to poll",
                           extra={"source": self.name})
            return []
        batch, cursor = self._batch()
        since = self.context.clock.now().astimezone(EASTERN).date() - \
            timedelta(days=self.options.lookback_days)
        found: list[Filing] = []
        failures: list[FetchError] = []
        for cik in batch:
            try:
                page = await fetch_submissions(self.context.http, cik, source=self.name)
            except ThrottledError:
                raise
            except NotFoundError as exc:
                logger.warning("no submissions for CIK %d: %s", cik, exc,
                               extra={"cik": cik, "source": self.name})
                continue
            except (FetchError, ParseError) as exc:
                logger.warning("submissions of CIK %d failed: %s", cik, exc,
                               extra={"cik": cik, "source": self.name})
                if isinstance(exc, FetchError):
                    failures.append(exc)
                continue
            found.extend(link_amendments(select(page.filings, self.options.forms, since),
                                         page.filings))
        if failures and len(failures) == len(batch):
            raise failures[-1]
        self.state = {**self.state, "cursor": cursor}
        return found
