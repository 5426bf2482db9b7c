"""EDGAR's latest-filings Atom feed (``getcurrent``): one request per poll when nothing is new.

The feed lists every filer of a filing (filer, subject, reporting...), so entries are
deduplicated on accession; item codes appear only as "Item N.NN:" lines in the summary.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import date
from typing import Any

from lxml import etree
from pydantic import Field

from watcher.config import SourceSettings
from watcher.errors import ParseError
from watcher.models import Filing
from watcher.sources.base import Source

logger = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
TITLE_RE = re.compile(
    r"^(?P<form>.+?) - (?P<name>.*) \((?P<cik>\d{1,10})\) \((?P<role>[^)]*)\)\s*$"
)
ACCESSION_RE = re.compile(r"\d{10}-\d{2}-\d{6}")
FILED_RE = re.compile(r"Filed:\s*</b>\s*(\d{4}-\d{2}-\d{2})")
ITEM_RE = re.compile(r"Item\s+(\d{1,2}\.\d{2})\s*:")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False)


def parse_current_feed(content: bytes, *, source: str = "edgar_current") -> list[Filing]:
    """Filings listed in a getcurrent Atom page, one per accession, in feed order."""
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"latest-filings feed is not valid XML: {exc}", source=source) from exc
    if root is None or root.tag != f"{ATOM}feed":
        raise ParseError("latest-filings feed has no Atom <feed> root", source=source)
    seen: dict[str, Filing] = {}
    for entry in root.iter(f"{ATOM}entry"):
        filing = _entry_filing(entry, source)
        if filing is None:
            continue
        known = seen.get(filing.accession)
        # The "(Filer)" entry names the company that filed; prefer it over "(Subject)" ones.
        if known is None or (filing.index_url and not known.index_url):
            seen[filing.accession] = filing
    return list(seen.values())


def _text(entry: Any, tag: str) -> str:
    node = entry.find(f"{ATOM}{tag}")
    return (node.text or "") if node is not None else ""


def _entry_filing(entry: Any, source: str) -> Filing | None:
    title = TITLE_RE.match(_text(entry, "title").strip())
    accession_match = ACCESSION_RE.search(_text(entry, "id"))
    if title is None or accession_match is None:
        return None
    category = entry.find(f"{ATOM}category")
    form = category.get("term") if category is not None else title["form"]
    summary = html.unescape(_text(entry, "summary"))
    filed_match = FILED_RE.search(summary)
    link = entry.find(f"{ATOM}link")
    return Filing(
        accession=accession_match.group(0),
        cik=int(title["cik"]),
        form=(form or title["form"]).strip(),
        filed=date.fromisoformat(filed_match.group(1)) if filed_match else None,
        company_name=title["name"].strip(),
        items=tuple(dict.fromkeys(ITEM_RE.findall(summary))),
        index_url=(link.get("href") or "") if link is not None else "",
        source=source,
    )


class EdgarCurrentSettings(SourceSettings):
    forms: list[str] = Field(default_factory=lambda: ["8-K", "8-K/A"])
    count: int = Field(default=100, ge=10, le=100)


class EdgarCurrentSource(Source):
    """Polls the latest-filings feed for the configured forms, keeps watched companies."""

    Settings = EdgarCurrentSettings

    def feed_url(self, form: str, start: int = 0) -> str:
        assert isinstance(self.settings, EdgarCurrentSettings)
        return self.context.http.url(
            "/cgi-bin/browse-edgar?action=getcurrent"
            f"&type={form}&company=&dateb=&owner=include"
            f"&start={start}&count={self.settings.count}&output=atom"
        )

    async def poll(self) -> list[Filing]:
        assert isinstance(self.settings, EdgarCurrentSettings)
        # type=8-K also lists 8-K/A, so one request covers both.
        forms = {f.upper() for f in self.settings.forms}
        query_forms = sorted({f.split("/")[0] for f in forms})
        found: list[Filing] = []
        for form in query_forms:
            result = await self.context.http.get(self.feed_url(form), conditional=True)
            if result.not_modified:
                continue
            for filing in parse_current_feed(result.content, source=self.name):
                if filing.form.upper() in forms and self.context.watchlist.watches(filing.cik):
                    found.append(filing)
        return found
