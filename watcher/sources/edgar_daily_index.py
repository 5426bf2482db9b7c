"""Nightly reconciliation from EDGAR's daily indexes: every filing of a business day, listed
once the day is over (``daily-index/YYYY/QTRn/form.YYYYMMDD.idx``), so a filing the live
feeds missed (downtime, a feed glitch, paging past its window) is still queued.

Each day is fetched once: the days already reconciled are kept in the source state. A day
whose index is not there yet (not published, or a holiday) is asked again at later polls
until it leaves the lookback window.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from watcher.config import SourceSettings
from watcher.errors import NotFoundError, ParseError
from watcher.http import TEXT_TYPES
from watcher.models import Filing, accession_folder
from watcher.sources.base import Source

logger = logging.getLogger(__name__)

EASTERN = ZoneInfo("America/New_York")
_PATH_RE = re.compile(r"edgar/data/(\d+)/(\d{10}-\d{2}-\d{6})\.txt$")
_DATE_RE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_RIGHT_RE = re.compile(
    r"\s(?P<cik>\d{1,10})\s+(?P<date>\d{8}|\d{4}-\d{2}-\d{2})\s+(?P<path>edgar/\S+)\s*$")


@dataclass(frozen=True, slots=True)
class IndexRow:
    form: str
    company_name: str
    cik: int
    filed: date
    accession: str
    path: str


def _day(text: str) -> date | None:
    found = _DATE_RE.match(text.strip())
    return date(int(found[1]), int(found[2]), int(found[3])) if found else None


def _accession(path: str) -> str | None:
    found = _PATH_RE.search(path.strip())
    return found.group(2) if found else None


def parse_master_index(text: str) -> list[IndexRow]:
    """``master.idx``: ``CIK|Company Name|Form Type|Date Filed|File Name`` rows."""
    rows = []
    started = False
    for line in text.splitlines():
        if not started:
            started = line.startswith("-----")
            continue
        parts = line.split("|")
        if len(parts) != 5 or not parts[0].strip().isdigit():
            continue
        filed, accession = _day(parts[3]), _accession(parts[4])
        if filed is None or accession is None:
            continue
        rows.append(IndexRow(parts[2].strip(), parts[1].strip(), int(parts[0]), filed,
                             accession, parts[4].strip()))
    return rows


def parse_form_index(text: str) -> list[IndexRow]:
    """``form.idx``: fixed-width columns (Form Type, Company Name, CIK, Date Filed, File
    Name), sorted by form. The right-hand columns are read from the end of the line, the
    form/company split from the header's column offsets (form types contain spaces)."""
    lines = text.splitlines()
    name_at = None
    rows = []
    started = False
    for line in lines:
        if not started:
            if line.startswith("Form Type"):
                name_at = line.find("Company Name")
            started = line.startswith("-----") and name_at is not None
            continue
        right = _RIGHT_RE.search(line)
        if right is None or name_at is None:
            continue
        left = line[:right.start()]
        if len(left) > name_at and left[name_at - 1] == " ":
            form, company = left[:name_at], left[name_at:]
        else:  # a form type wider than its column: fall back on the double space
            form, _, company = left.partition("  ")
        filed, accession = _day(right["date"]), _accession(right["path"])
        if filed is None or accession is None:
            continue
        rows.append(IndexRow(form.strip(), company.strip(), int(right["cik"]), filed,
                             accession, right["path"]))
    return rows


def parse_index(content: bytes) -> list[IndexRow]:
    """A daily or quarterly ``form.idx`` or ``master.idx``, told apart by their header."""
    text = content.decode("latin-1")
    if re.search(r"^CIK\|Company Name\|Form Type", text, re.MULTILINE):
        return parse_master_index(text)
    if re.search(r"^Form Type\s+Company Name", text, re.MULTILINE):
        return parse_form_index(text)
    raise ParseError("not an EDGAR form.idx or master.idx")


def daily_index_path(day: date, kind: str = "form") -> str:
    quarter = (day.month - 1) // 3 + 1
    return f"/Archives/edgar/daily-index/{day.year}/QTR{quarter}/{kind}.{day:%Y%m%d}.idx"


class EdgarDailyIndexSettings(SourceSettings):
    every: float = Field(default=3600.0, gt=0)
    every_off_hours: float | None = Field(default=3600.0, gt=0)
    forms: list[str] = Field(default_factory=lambda: ["8-K", "8-K/A"])
    index: Literal["form", "master"] = "form"
    lookback_days: int = Field(default=7, ge=1, le=90)


class EdgarDailyIndexSource(Source):
    """Queues the day's filings of watched companies from the daily index, once per day."""

    Settings = EdgarDailyIndexSettings

    @property
    def options(self) -> EdgarDailyIndexSettings:
        assert isinstance(self.settings, EdgarDailyIndexSettings)
        return self.settings

    def due_days(self, now: datetime) -> list[date]:
        """Past business days in the lookback window not reconciled yet, oldest first."""
        today = now.astimezone(EASTERN).date()
        done = set(self.state.get("done", ()))
        holidays = set(self.context.http.settings.holidays)
        days = []
        for back in range(self.options.lookback_days, 0, -1):
            day = today - timedelta(days=back)
            if day.weekday() < 5 and day not in holidays and day.isoformat() not in done:
                days.append(day)
        return days

    async def poll(self) -> list[Filing]:
        now = self.context.clock.now()
        wanted = {f.upper() for f in self.options.forms}
        http = self.context.http
        done = list(self.state.get("done", ()))
        found: list[Filing] = []
        for day in self.due_days(now):
            url = http.url(daily_index_path(day, self.options.index))
            try:
                result = await http.get(url, expect=(*TEXT_TYPES, "octet-stream"))
            except NotFoundError:
                logger.info("daily index of %s is not there (yet)", day,
                            extra={"source": self.name})
                continue
            rows = parse_index(result.content)
            for row in rows:
                if row.form.upper() in wanted and self.context.watchlist.watches(row.cik):
                    found.append(Filing(
                        accession=row.accession, cik=row.cik, form=row.form, filed=row.filed,
                        company_name=row.company_name, source=self.name,
                        index_url=http.url(f"/Archives/edgar/data/{row.cik}/"
                                           f"{accession_folder(row.accession)}/"
                                           f"{row.accession}-index.htm"),
                    ))
            logger.info("daily index of %s: %d rows, %d of interest", day, len(rows),
                        sum(1 for f in found if f.filed == day), extra={"source": self.name})
            done.append(day.isoformat())
        horizon = (now.astimezone(EASTERN).date() -
                   timedelta(days=self.options.lookback_days)).isoformat()
        self.state = {**self.state, "done": sorted(d for d in set(done) if d >= horizon)}
        return found
