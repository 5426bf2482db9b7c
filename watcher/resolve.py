"""A filing -> its press-release exhibits.

The ``-index.htm`` page lists the documents with their Type: keep the EX-99* documents
(keyed on Type, never on the file name) and fetch them. When the index page is missing,
unreadable or lists no typed documents (old filings), or a listed exhibit cannot be fetched,
stream the full submission ``<acc>.txt`` through the SGML splitter instead, stopping after
the last press release. An 8-K/A is linked to the 8-K it amends (same period of report, in
the company's submissions JSON). Press releases from RSS feeds have no EDGAR filing at all:
their page is the document.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html

from watcher.errors import FetchError, NotFoundError, ParseError
from watcher.http import HTML_TYPES, EdgarClient
from watcher.models import DocumentRef, Exhibit, Filing, accession_folder
from watcher.sgml import SgmlDocument, SubmissionSplitter

logger = logging.getLogger(__name__)

PRESS_RELEASE_TYPE = re.compile(r"^EX-99(\.[0-9A-Z]{1,4})?$", re.IGNORECASE)
ITEM_RE = re.compile(r"Item\s+(\d{1,2}\.\d{2})")
SYNTHETIC_PREFIX = "rss-"
RELEASE_TYPE = "PRESS RELEASE"  # doc type of a release read from a company's own feed
# EDGAR appends these after every document the filer submitted: no exhibit follows them.
TRAILER_TYPE = re.compile(r"^(EX-101\..*|XML|ZIP|EXCEL|JSON|PDF)$", re.IGNORECASE)
_HEADER_LIMIT = 256 * 1024

# 8-K item titles as the SGML header writes them ("ITEM INFORMATION:"), to their codes.
ITEM_TITLES: dict[str, str] = {
    "entry into a material definitive agreement": "1.01",
    "termination of a material definitive agreement": "1.02",
    "bankruptcy or receivership": "1.03",
    "mine safety": "1.04",
    "material cybersecurity incidents": "1.05",
    "completion of acquisition or disposition of assets": "2.01",
    "results of operations and financial condition": "2.02",
    "creation of a direct financial obligation": "2.03",
    "triggering events that accelerate or increase": "2.04",
    "costs associated with exit or disposal activities": "2.05",
    "material impairments": "2.06",
    "notice of delisting or failure to satisfy": "3.01",
    "unregistered sales of equity securities": "3.02",
    "material modification to rights of security holders": "3.03",
    "changes in registrant's certifying accountant": "4.01",
    "non-reliance on previously issued financial statements": "4.02",
    "changes in control of registrant": "5.01",
    "departure of directors or certain officers": "5.02",
    "amendments to articles of incorporation or bylaws": "5.03",
    "temporary suspension of trading under registrant's employee benefit plans": "5.04",
    "amendments to the registrant's code of ethics": "5.05",
    "change in shell company status": "5.06",
    "submission of matters to a vote of security holders": "5.07",
    "shareholder director nominations": "5.08",
    "regulation fd disclosure": "7.01",
    "other events": "8.01",
    "financial statements and exhibits": "9.01",
}


@dataclass(frozen=True, slots=True)
class FilingIndex:
    documents: tuple[DocumentRef, ...]
    filed: date | None
    items: tuple[str, ...]
    form: str | None
    report_date: date | None = None
    amends: str | None = None
    full_text: bool = False  # the exhibits came from the full submission .txt


# -- pure parts -------------------------------------------------------------------------

def index_url(base_url: str, filing: Filing) -> str:
    """The filing's ``-index.htm`` on the configured host (feed links are not trusted)."""
    return f"{folder_url(base_url, filing)}/{filing.accession}-index.htm"


def folder_url(base_url: str, filing: Filing) -> str:
    return f"{base_url}/Archives/edgar/data/{filing.cik}/{accession_folder(filing.accession)}"


def full_text_url(base_url: str, filing: Filing) -> str:
    return f"{folder_url(base_url, filing)}/{filing.accession}.txt"


def is_press_release(doc_type: str) -> bool:
    return bool(PRESS_RELEASE_TYPE.match(doc_type.strip()))


def is_synthetic(accession: str) -> bool:
    """A release from a company feed (no EDGAR accession), see ``sources.rss``."""
    return accession.startswith(SYNTHETIC_PREFIX)


def is_amendment(form: str) -> bool:
    return form.upper().endswith("/A")


def _document_href(href: str) -> str:
    # Inline XBRL documents are linked through the viewer: /ix?doc=/Archives/...
    parts = urlsplit(href)
    if parts.path.rstrip("/").endswith("/ix"):
        target = parse_qs(parts.query).get("doc")
        if target:
            return target[0]
    return href


def _cell_text(cell: Any) -> str:
    return " ".join(cell.text_content().split())


def _iso_date(text: str) -> date | None:
    return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def parse_filing_index(content: bytes, page_url: str) -> FilingIndex:
    """Documents, filing date, items, form and period of report from an ``-index.htm``."""
    try:
        root: Any = lxml.html.fromstring(content)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ParseError(f"filing index is not readable HTML: {exc}") from exc
    documents: list[DocumentRef] = []
    for table in root.xpath('//table[contains(@class, "tableFile")]'):
        rows = table.xpath("./tr|./tbody/tr")
        if not rows:
            continue
        header = [_cell_text(c).lower() for c in rows[0].xpath("./th|./td")]
        if "type" not in header or "document" not in header:
            continue
        col = {name: header.index(name) for name in header}
        for row in rows[1:]:
            cells = row.xpath("./td")
            if len(cells) < len(header):
                continue
            links = cells[col["document"]].xpath(".//a/@href")
            if not links:
                continue
            href = _document_href(str(links[0]))
            seq_text = _cell_text(cells[col["seq"]]) if "seq" in col else ""
            size_text = _cell_text(cells[col["size"]]) if "size" in col else ""
            documents.append(DocumentRef(
                doc_type=_cell_text(cells[col["type"]]),
                url=urljoin(page_url, href),
                filename=href.rsplit("/", 1)[-1],
                sequence=int(seq_text) if seq_text.isdigit() else 0,
                description=_cell_text(cells[col["description"]]) if "description" in col else "",
                size=int(size_text) if size_text.isdigit() else None,
            ))
    if not documents:
        raise ParseError("filing index lists no documents")
    info = _info_fields(root)
    form_nodes = root.xpath('//div[@id="formName"]/strong/text()')
    form = str(form_nodes[0]).replace("Form", "").strip() if form_nodes else None
    return FilingIndex(
        documents=tuple(documents),
        filed=_iso_date(info.get("filing date", "")),
        items=tuple(dict.fromkeys(ITEM_RE.findall(info.get("items", "")))),
        form=form,
        report_date=_iso_date(info.get("period of report", "")),
    )


def _info_fields(root: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    for head in root.xpath('//div[@class="infoHead"]'):
        value = head.getnext()
        if value is not None and value.get("class") == "info":
            fields[_cell_text(head).lower()] = _cell_text(value)
    return fields


def item_code(title: str) -> str | None:
    """``Results of Operations and Financial Condition`` -> ``2.02``."""
    text = " ".join(title.lower().replace("\u2019", "'").split())
    for known, code in ITEM_TITLES.items():
        if text.startswith(known) or (known.startswith(text[:40]) and len(text) >= 12):
            return code
    return None


def parse_sgml_header(header: bytes) -> FilingIndex:
    """Form, filing date, items and period of report from a full submission's header."""
    text = header.decode("latin-1")

    def value(name: str) -> str:
        found = re.search(rf"^\s*{name}:\s*(.+?)\s*$", text, re.MULTILINE)
        return found.group(1) if found else ""

    def day(name: str) -> date | None:
        raw = value(name)
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8])) \
            if re.fullmatch(r"\d{8}", raw) else None

    items = [item_code(m) for m in re.findall(r"^\s*ITEM INFORMATION:\s*(.+?)\s*$", text,
                                               re.MULTILINE)]
    return FilingIndex(documents=(), filed=day("FILED AS OF DATE"),
                       items=tuple(dict.fromkeys(i for i in items if i)),
                       form=value("CONFORMED SUBMISSION TYPE") or None,
                       report_date=day("CONFORMED PERIOD OF REPORT"), full_text=True)


def find_original(amendment: Filing, candidates: Sequence[Filing]) -> str | None:
    """The accession of the filing an amendment amends: the latest earlier filing of the
    base form (8-K for 8-K/A) of the same company and the same period of report."""
    if not is_amendment(amendment.form) or amendment.report_date is None:
        return None
    base = amendment.form.upper()[:-2]
    matches = [c for c in candidates
               if c.cik == amendment.cik and c.form.upper() == base
               and c.report_date == amendment.report_date and c.accession != amendment.accession
               and (amendment.filed is None or c.filed is None or c.filed <= amendment.filed)]
    if not matches:
        return None
    return max(matches, key=lambda c: (c.filed or date.min, c.accession)).accession


def link_amendments(filings: Sequence[Filing], candidates: Sequence[Filing]) -> list[Filing]:
    """``filings`` with ``amends`` set on each amendment whose original is in candidates."""
    linked = []
    for filing in filings:
        if is_amendment(filing.form) and filing.amends is None:
            original = find_original(filing, candidates)
            if original is not None:
                filing = replace(filing, amends=original)
        linked.append(filing)
    return linked


# -- fetching -------------------------------------------------------------------------

async def fetch_exhibits(client: EdgarClient, filing: Filing) -> tuple[FilingIndex, list[Exhibit]]:
    """The filing's index and the raw bytes of each of its press-release documents."""
    if is_synthetic(filing.accession):
        return await fetch_release_page(client, filing)
    url = index_url(client.settings.base_url, filing)
    index: FilingIndex | None = None
    try:
        page = await client.get(url, expect=HTML_TYPES)
        index = parse_filing_index(page.content, url)
    except NotFoundError as exc:
        logger.info("no index page (%s); reading the full submission", exc,
                    extra={"accession": filing.accession, "cik": filing.cik})
    except ParseError as exc:
        logger.warning("index page unreadable (%s); reading the full submission", exc,
                       extra={"accession": filing.accession, "cik": filing.cik})
    exhibits: list[Exhibit] | None = None
    if index is not None and any(d.doc_type for d in index.documents):
        exhibits = await _fetch_listed(client, filing, index)
    if index is None or exhibits is None:
        expected = [d for d in index.documents if is_press_release(d.doc_type)] \
            if index is not None else []
        header, exhibits = await fetch_from_full_text(client, filing, expected)
        index = _merge(index, header)
    if is_amendment(filing.form) and filing.amends is None and index.amends is None:
        index = replace(index, amends=await find_amended(
            client, replace(filing, report_date=filing.report_date or index.report_date)))
    return index, exhibits


def _merge(index: FilingIndex | None, header: FilingIndex) -> FilingIndex:
    if index is None:
        return header
    return replace(index, filed=index.filed or header.filed, items=index.items or header.items,
                   form=index.form or header.form,
                   report_date=index.report_date or header.report_date, full_text=True)


async def _fetch_listed(client: EdgarClient, filing: Filing,
                        index: FilingIndex) -> list[Exhibit] | None:
    """The listed press releases; None when one of them cannot be fetched (then the full
    submission is read instead)."""
    exhibits = []
    for doc in index.documents:
        if not is_press_release(doc.doc_type):
            continue
        try:
            result = await client.get(doc.url)
        except NotFoundError as exc:
            logger.warning("%s %s is listed but missing (%s); reading the full submission",
                           doc.doc_type, doc.filename, exc,
                           extra={"accession": filing.accession, "cik": filing.cik})
            return None
        exhibits.append(Exhibit(
            accession=filing.accession,
            doc_type=doc.doc_type.upper(),
            filename=doc.filename,
            url=doc.url,
            content=result.content,
            sequence=doc.sequence,
            description=doc.description,
        ))
    return exhibits


async def fetch_from_full_text(client: EdgarClient, filing: Filing,
                               expected: Sequence[DocumentRef] = ()) -> tuple[FilingIndex,
                                                                              list[Exhibit]]:
    """Stream ``<acc>.txt`` into the SGML splitter, keeping press releases and stopping
    after the last one: after the highest listed EX-99 sequence when the index was read,
    else at the first document EDGAR appends after the filer's own (XBRL, reports)."""
    url = full_text_url(client.settings.base_url, filing)
    max_doc = client.settings.max_document_bytes
    splitter = SubmissionSplitter(is_press_release, max_document_bytes=max_doc)
    last_sequence = max((d.sequence for d in expected), default=0)
    header = b""
    header_done = False
    documents: list[SgmlDocument] = []
    async with client.stream(url, max_bytes=max_doc * 5) as body:
        async for chunk in body:
            if not header_done:
                header += chunk
                end = header.find(b"</SEC-HEADER>")
                header_done = end >= 0 or len(header) > _HEADER_LIMIT
                if end >= 0:
                    header = header[:end]
            documents.extend(splitter.feed(chunk))
            if _past_last_release(splitter, documents, expected, last_sequence):
                break
        else:
            documents.extend(splitter.close())
    if not header_done and b"<SEC-DOCUMENT>" not in header[:1024] and not documents:
        raise ParseError("full submission has no SGML header", accession=filing.accession,
                         cik=filing.cik)
    info = parse_sgml_header(header)
    exhibits = [Exhibit(accession=filing.accession, doc_type=d.doc_type.upper(),
                        filename=d.filename or f"{filing.accession}-{d.sequence}.txt",
                        url=url, content=d.content, sequence=d.sequence,
                        description=d.description)
                for d in documents]
    return info, exhibits


def _past_last_release(splitter: SubmissionSplitter, documents: Sequence[SgmlDocument],
                       expected: Sequence[DocumentRef], last_sequence: int) -> bool:
    seen = splitter.documents_seen
    if expected and len(documents) >= len(expected):
        return True
    if last_sequence and any(seq > last_sequence for _, seq in seen):
        return True
    return any(TRAILER_TYPE.match(doc_type) for doc_type, _ in seen)


async def find_amended(client: EdgarClient, amendment: Filing) -> str | None:
    """The original of an amendment, looked up in the company's submissions JSON."""
    from watcher.sources.edgar_submissions import fetch_submissions  # late: it imports us

    if amendment.report_date is None:
        return None
    try:
        page = await fetch_submissions(client, amendment.cik, source=amendment.source)
    except (FetchError, ParseError) as exc:
        logger.warning("cannot link amendment to its original: %s", exc,
                       extra={"accession": amendment.accession, "cik": amendment.cik})
        return None
    return find_original(amendment, page.filings)


async def fetch_release_page(client: EdgarClient,
                             filing: Filing) -> tuple[FilingIndex, list[Exhibit]]:
    """A press release from a company feed: its page is the one document."""
    result = await client.get(filing.index_url, expect=(*HTML_TYPES, "text/plain"))
    name = urlsplit(filing.index_url).path.rsplit("/", 1)[-1] or "release.htm"
    doc = DocumentRef(RELEASE_TYPE, filing.index_url, name, 1)
    exhibit = Exhibit(accession=filing.accession, doc_type=RELEASE_TYPE, filename=name,
                      url=filing.index_url, content=result.content, sequence=1)
    return FilingIndex(documents=(doc,), filed=filing.filed, items=(), form=filing.form), \
        [exhibit]
