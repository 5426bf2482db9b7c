"""Per-company Atom feeds (``browse-edgar?action=getcompany&CIK=...&output=atom``): a light
per-company poll that supports conditional GET, for watchlists that want a company's own
feed rather than the submissions JSON.

Each entry's ``<content>`` carries the accession (spelled ``accession-nunber`` in feeds of
2016 and earlier), filing date and type, the index link and ``<items-desc>`` free text;
the company is in ``<company-info>``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import Field

from watcher.config import SourceSettings
from watcher.errors import FetchError, NotFoundError, ParseError, ThrottledError
from watcher.http import XML_TYPES
from watcher.models import Filing
from watcher.sources.base import Source
from watcher.sources.edgar_current import ATOM, _datetime, _text, parse_xml

logger = logging.getLogger(__name__)

ITEMS_RE = re.compile(r"(\d{1,2}\.\d{2})")
_ACCESSION_TAGS = ("accession-number", "accession-nunber")  # sic: the 2016-era spelling


@dataclass(frozen=True, slots=True)
class CompanyFeed:
    cik: int | None
    name: str
    filings: tuple[Filing, ...]


def parse_company_feed(content: bytes, *, source: str = "edgar_company") -> CompanyFeed:
    """The company and its filings from a getcompany Atom feed."""
    root = parse_xml(content, "company feed", source)
    if root.tag != f"{ATOM}feed":
        raise ParseError("company feed has no Atom <feed> root", source=source)
    info = root.find(f"{ATOM}company-info")
    cik_text = _text(info, f"{ATOM}cik").strip() if info is not None else ""
    cik = int(cik_text) if cik_text.isdigit() else None
    name = _text(info, f"{ATOM}conformed-name").strip() if info is not None else ""
    filings = []
    for entry in root.iter(f"{ATOM}entry"):
        content_node = entry.find(f"{ATOM}content")
        if content_node is None:
            continue
        fields: dict[str, str] = {}
        for child in content_node:
            tag = child.tag.split("}", 1)[-1] if isinstance(child.tag, str) else ""
            fields[tag] = (child.text or "").strip()
        accession = next((fields[t] for t in _ACCESSION_TAGS if fields.get(t)), "")
        form = fields.get("filing-type", "")
        if not re.fullmatch(r"\d{10}-\d{2}-\d{6}", accession) or not form or cik is None:
            continue
        filed_text = fields.get("filing-date", "")
        filed = date.fromisoformat(filed_text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}",
                                                               filed_text) else None
        filings.append(Filing(
            accession=accession, cik=cik, form=form, filed=filed, company_name=name,
            items=tuple(dict.fromkeys(ITEMS_RE.findall(fields.get("items-desc", "")))),
            accepted=_datetime(_text(entry, f"{ATOM}updated")),
            index_url=fields.get("filing-href", ""), source=source,
        ))
    return CompanyFeed(cik, name, tuple(filings))


class EdgarCompanySettings(SourceSettings):
    every: float = Field(default=600.0, gt=0)
    forms: list[str] = Field(default_factory=lambda: ["8-K", "8-K/A"])
    count: int = Field(default=40, ge=10, le=100)
    companies_per_poll: int = Field(default=50, ge=1)


class EdgarCompanySource(Source):
    """Each watched company's Atom feed, a batch of companies per poll, conditional GET."""

    Settings = EdgarCompanySettings

    @property
    def options(self) -> EdgarCompanySettings:
        assert isinstance(self.settings, EdgarCompanySettings)
        return self.settings

    def feed_url(self, cik: int, form: str) -> str:
        return self.context.http.url(
            f"/cgi-bin/browse-edgar?action=getcompany&CIK={cik:010d}&type={form}"
            f"&dateb=&owner=exclude&count={self.options.count}&output=atom")

    async def poll(self) -> list[Filing]:
        ciks = sorted(self.context.watchlist.ciks or ())
        if not ciks:
            return []
        wanted = {f.upper() for f in self.options.forms}
        query_forms = sorted({f.split("/")[0] for f in wanted})
        start = int(self.state.get("cursor", 0)) % len(ciks)
        count = min(self.options.companies_per_poll, len(ciks))
        new_state: dict[str, Any] = {**self.state,
                                     "validators": dict(self.state.get("validators", {}))}
        found: list[Filing] = []
        failures = 0
        for offset in range(count):
            cik = ciks[(start + offset) % len(ciks)]
            for form in query_forms:
                url = self.feed_url(cik, form)
                try:
                    result = await self.context.http.get(
                        url, conditional=True, validators=self.validators(url),
                        expect=XML_TYPES)
                    if result.not_modified:
                        continue
                    feed = parse_company_feed(result.content, source=self.name)
                except ThrottledError:
                    raise
                except (FetchError, ParseError) as exc:
                    failures += not isinstance(exc, NotFoundError)
                    logger.warning("company feed of CIK %d failed: %s", cik, exc,
                                   extra={"cik": cik, "source": self.name})
                    continue
                self.remember(new_state, result)
                found.extend(f for f in feed.filings if f.form.upper() in wanted)
        if failures and failures == count * len(query_forms):
            raise FetchError("every company feed of this poll failed", source=self.name)
        new_state["cursor"] = (start + count) % len(ciks)
        self.state = new_state
        return found
