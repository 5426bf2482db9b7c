"""EDGAR's latest-filings Atom feed (``getcurrent``): one request per poll when nothing is new.

The feed lists every party to a filing (filer, subject, reporting owner...), so entries are
grouped by accession; the CIK comes from the title, item codes only from "Item N.NN:" lines
in the summary. Paging goes on until a page holds an accession seen at the last poll, the
feed ends (SEC answers 503 past its window of ~5,000 entries) or ``max_pages``.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree
from pydantic import Field

from watcher.config import SourceSettings
from watcher.errors import ParseError, TransientFetchError
from watcher.http import XML_TYPES
from watcher.models import Filing
from watcher.sources.base import Source, Watchlist

logger = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
TITLE_RE = re.compile(
    r"^(?P<form>.+?) - (?P<name>.*) \((?P<cik>\d{1,10})\) \((?P<role>[^)]*)\)\s*$"
)
ACCESSION_RE = re.compile(r"\d{10}-\d{2}-\d{6}")
FILED_RE = re.compile(r"Filed:\s*</b>\s*(\d{4}-\d{2}-\d{2})")
ITEM_RE = re.compile(r"Item\s+(\d{1,2}\.\d{2})\s*:")

# Feeds are untrusted XML: no DTDs, no entity expansion, no network, no huge trees.
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of the feed: one party (filer, subject, ...) of one filing."""

    accession: str
    cik: int
    company_name: str
    role: str
    form: str
    filed: date | None
    items: tuple[str, ...]
    link: str
    updated: datetime | None


def parse_xml(content: bytes, what: str, source: str) -> Any:
    try:
        root = etree.fromstring(content, parser=SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{what} is not valid XML: {exc}", source=source) from exc
    if root is None:
        raise ParseError(f"{what} is empty", source=source)
    return root


def _text(node: Any, tag: str) -> str:
    found = node.find(tag)
    return (found.text or "") if found is not None else ""


def _datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_current_entries(content: bytes, *, source: str = "edgar_current") -> list[FeedEntry]:
    """Every entry of a getcurrent Atom page, in feed order (newest first)."""
    root = parse_xml(content, "latest-filings feed", source)
    if root.tag != f"{ATOM}feed":
        raise ParseError("latest-filings feed has no Atom <feed> root", source=source)
    entries = []
    for node in root.iter(f"{ATOM}entry"):
        title = TITLE_RE.match(_text(node, f"{ATOM}title").strip())
        accession = ACCESSION_RE.search(_text(node, f"{ATOM}id"))
        if title is None or accession is None:
            continue
        category = node.find(f"{ATOM}category")
        form = (category.get("term") if category is not None else None) or title["form"]
        summary = html.unescape(_text(node, f"{ATOM}summary"))
        filed = FILED_RE.search(summary)
        link = node.find(f"{ATOM}link")
        entries.append(FeedEntry(
            accession=accession.group(0),
            cik=int(title["cik"]),
            company_name=title["name"].strip(),
            role=title["role"].strip(),
            form=form.strip(),
            filed=date.fromisoformat(filed.group(1)) if filed else None,
            items=tuple(dict.fromkeys(ITEM_RE.findall(summary))),
            link=(link.get("href") or "") if link is not None else "",
            updated=_datetime(_text(node, f"{ATOM}updated")),
        ))
    return entries


def filings_from_entries(entries: Iterable[FeedEntry], watchlist: Watchlist | None = None, *,
                         source: str = "edgar_current") -> list[Filing]:
    """One filing per accession, in feed order. Its company is a watched party, the filer
    first (a joint 8-K lists several filers; a Form 4 lists issuer and owner)."""
    parties: dict[str, list[FeedEntry]] = {}
    for entry in entries:
        parties.setdefault(entry.accession, []).append(entry)
    filings = []
    for accession, group in parties.items():
        candidates = [e for e in group if watchlist is None or watchlist.watches(e.cik)]
        if not candidates:
            continue
        chosen = min(candidates, key=lambda e: (e.role.lower() != "filer",
                                                e.role.lower() == "reporting"))
        items = tuple(dict.fromkeys(i for e in group for i in e.items))
        filings.append(Filing(
            accession=accession, cik=chosen.cik, form=chosen.form, filed=chosen.filed,
            company_name=chosen.company_name, items=items, accepted=chosen.updated,
            index_url=chosen.link, source=source,
        ))
    return filings


def parse_current_feed(content: bytes, *, source: str = "edgar_current") -> list[Filing]:
    """Filings listed in a getcurrent Atom page, one per accession, in feed order."""
    return filings_from_entries(parse_current_entries(content, source=source), source=source)


class EdgarCurrentSettings(SourceSettings):
    forms: list[str] = Field(default_factory=lambda: ["8-K", "8-K/A"])
    count: int = Field(default=100, ge=10, le=100)
    max_pages: int = Field(default=10, ge=1, le=51)


class EdgarCurrentSource(Source):
    """Polls the latest-filings feed for the configured forms, keeps watched companies."""

    Settings = EdgarCurrentSettings

    @property
    def options(self) -> EdgarCurrentSettings:
        assert isinstance(self.settings, EdgarCurrentSettings)
        return self.settings

    def feed_url(self, form: str, start: int = 0) -> str:
        return self.context.http.url(
            "/cgi-bin/browse-edgar?action=getcurrent"
            f"&type={form}&company=&dateb=&owner=include"
            f"&start={start}&count={self.options.count}&output=atom"
        )

    def query_forms(self) -> list[str]:
        # type=8-K also lists 8-K/A, so one request covers both.
        return sorted({f.upper().split("/")[0] for f in self.options.forms})

    async def poll(self) -> list[Filing]:
        wanted = {f.upper() for f in self.options.forms}
        seen_by_form: dict[str, list[str]] = dict(self.state.get("seen", {}))
        new_state: dict[str, Any] = {"validators": dict(self.state.get("validators", {})),
                                     "seen": dict(seen_by_form)}
        found: dict[str, Filing] = {}
        for form in self.query_forms():
            entries = await self._pages(form, seen_by_form.get(form), new_state)
            for filing in filings_from_entries(entries, self.context.watchlist,
                                               source=self.name):
                if filing.form.upper() in wanted:
                    found.setdefault(filing.accession, filing)
        self.state = new_state
        return list(found.values())

    async def _pages(self, form: str, seen: list[str] | None,
                     new_state: dict[str, Any]) -> list[FeedEntry]:
        """Entries of the pages not seen yet; updates the form's ``seen`` in ``new_state``."""
        http = self.context.http
        known = set(seen or ())
        collected: list[FeedEntry] = []
        for page in range(self.options.max_pages):
            url = self.feed_url(form, page * self.options.count)
            if page == 0:
                result = await http.get(url, conditional=True, validators=self.validators(url),
                                        expect=XML_TYPES)
                if result.not_modified:
                    return []
                self.remember(new_state, result)
            else:
                try:
                    result = await http.get(url, retries=0, expect=XML_TYPES)
                except TransientFetchError as exc:
                    if exc.status == 503:  # SEC's answer past the end of the feed
                        logger.info("latest-filings feed ends before entry %d",
                                    page * self.options.count, extra={"source": self.name})
                        break
                    raise
            entries = parse_current_entries(result.content, source=self.name)
            if page == 0:
                new_state["seen"][form] = list(dict.fromkeys(e.accession for e in entries))
            collected.extend(entries)
            if seen is None:
                break  # first poll ever: history is the backfill's job, not ours
            if not entries or len(entries) < self.options.count or \
                    any(e.accession in known for e in entries):
                break
        else:
            logger.warning("latest-filings feed: no known accession in %d pages; the nightly "
                           "reconciliation will catch anything older",
                           self.options.max_pages, extra={"source": self.name})
        return collected
