"""Press releases published outside EDGAR: an RSS 2.0 or Atom feed (a company's newsroom, a
wire service) whose entries link to HTML releases, assigned to one company in config.

Such a release has no accession number. Its stable synthetic id is ``rss-`` followed by a
digest of the company and the entry's guid (or link), so a release seen again, after a
restart or in another instance, is the same filing and is never processed twice. The page
the entry links to is the document (see ``resolve.fetch_release_page``).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import Field, field_validator

from watcher.config import SourceSettings
from watcher.errors import ParseError
from watcher.http import XML_TYPES
from watcher.models import Filing
from watcher.resolve import RELEASE_TYPE, SYNTHETIC_PREFIX
from watcher.sources.base import Source, SourceContext
from watcher.sources.edgar_current import parse_xml

logger = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"


def synthetic_accession(cik: int, key: str) -> str:
    """The stable id of a release without an accession: same company + same entry id ->
    same id, whatever the feed URL or the time it is seen."""
    digest = hashlib.sha256(f"{cik}|{key.strip()}".encode()).hexdigest()
    return f"{SYNTHETIC_PREFIX}{digest[:24]}"


def _when(text: str | None) -> datetime | None:
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        when = parsedate_to_datetime(text)  # RSS: RFC 822
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))  # Atom: RFC 3339
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _child_text(node: Any, *tags: str) -> str:
    for tag in tags:
        found = node.find(tag)
        if found is not None and (found.text or "").strip():
            return str(found.text).strip()
    return ""


def parse_release_feed(content: bytes, *, source: str = "rss") -> list[dict[str, Any]]:
    """Entries of an RSS 2.0 or Atom feed: ``{"id", "title", "link", "published"}``."""
    root = parse_xml(content, "release feed", source)
    entries: list[dict[str, Any]] = []
    if root.tag == f"{ATOM}feed":
        for node in root.iter(f"{ATOM}entry"):
            link = ""
            for candidate in node.findall(f"{ATOM}link"):
                if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                    link = str(candidate.get("href"))
                    break
            entries.append({
                "id": _child_text(node, f"{ATOM}id") or link,
                "title": _child_text(node, f"{ATOM}title"),
                "link": link,
                "published": _when(_child_text(node, f"{ATOM}published", f"{ATOM}updated")),
            })
        return entries
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise ParseError("release feed is neither RSS 2.0 nor Atom", source=source)
    for node in channel.iter("item"):
        link = _child_text(node, "link")
        entries.append({
            "id": _child_text(node, "guid") or link,
            "title": _child_text(node, "title"),
            "link": link,
            "published": _when(_child_text(node, "pubDate")),
        })
    return entries


class RssSettings(SourceSettings):
    every: float = Field(default=300.0, gt=0)
    url: str
    cik: int = Field(gt=0)
    company: str = ""
    # Hosts the entries may link to besides the feed's own (a wire service's CDN, say).
    hosts: list[str] = Field(default_factory=list)
    max_requests_per_second: float = Field(default=1.0, gt=0, le=10)
    lookback_days: int = Field(default=7, ge=1)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value


class RssSource(Source):
    """One company's release feed; each entry becomes a filing with a synthetic id."""

    Settings = RssSettings

    def __init__(self, settings: SourceSettings, context: SourceContext) -> None:
        super().__init__(settings, context)
        options = self.options
        for host in (urlsplit(options.url).netloc, *options.hosts):
            context.http.allow_host(host, options.max_requests_per_second)

    @property
    def options(self) -> RssSettings:
        assert isinstance(self.settings, RssSettings)
        return self.settings

    async def poll(self) -> list[Filing]:
        options = self.options
        http = self.context.http
        new_state: dict[str, Any] = {**self.state,
                                     "validators": dict(self.state.get("validators", {}))}
        result = await http.get(options.url, conditional=True,
                                validators=self.validators(options.url), expect=XML_TYPES)
        if result.not_modified:
            return []
        self.remember(new_state, result)
        since = self.context.clock.now() - timedelta(days=options.lookback_days)
        filings = []
        for entry in parse_release_feed(result.content, source=self.name):
            link = urljoin(options.url, entry["link"]) if entry["link"] else ""
            if not link:
                continue
            if urlsplit(link).netloc.lower() not in http.allowed_hosts:
                logger.warning("release %s links off the configured hosts: skipped", link,
                               extra={"source": self.name, "cik": options.cik})
                continue
            published: datetime | None = entry["published"]
            if published is not None and published < since:
                continue
            filed: date | None = published.date() if published else None
            filings.append(Filing(
                accession=synthetic_accession(options.cik, entry["id"] or link),
                cik=options.cik, form=RELEASE_TYPE, filed=filed,
                company_name=options.company, accepted=published, index_url=link,
                source=self.name,
            ))
        self.state = new_state
        return filings
