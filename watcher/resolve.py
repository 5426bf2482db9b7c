"""A filing -> its press-release exhibits: read the ``-index.htm`` Type column, keep the
EX-99* documents (keyed on Type, never on the file name) and fetch them."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html

from watcher.errors import ParseError
from watcher.http import EdgarClient
from watcher.models import DocumentRef, Exhibit, Filing, accession_folder

logger = logging.getLogger(__name__)

PRESS_RELEASE_TYPE = re.compile(r"^EX-99(\.[0-9A-Z]{1,4})?$", re.IGNORECASE)
ITEM_RE = re.compile(r"Item\s+(\d{1,2}\.\d{2})")


@dataclass(frozen=True, slots=True)
class FilingIndex:
    documents: tuple[DocumentRef, ...]
    filed: date | None
    items: tuple[str, ...]
    form: str | None


def index_url(base_url: str, filing: Filing) -> str:
    """The filing's ``-index.htm`` on the configured host (feed links are not trusted)."""
    return (f"{base_url}/Archives/edgar/data/{filing.cik}/"
            f"{accession_folder(filing.accession)}/{filing.accession}-index.htm")


def is_press_release(doc_type: str) -> bool:
    return bool(PRESS_RELEASE_TYPE.match(doc_type.strip()))


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


def parse_filing_index(content: bytes, page_url: str) -> FilingIndex:
    """Documents, filing date, items and form from an EDGAR ``-index.htm`` page."""
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
    filed_text = info.get("filing date", "")
    filed = date.fromisoformat(filed_text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", filed_text) \
        else None
    form_nodes = root.xpath('//div[@id="formName"]/strong/text()')
    form = str(form_nodes[0]).replace("Form", "").strip() if form_nodes else None
    return FilingIndex(
        documents=tuple(documents),
        filed=filed,
        items=tuple(dict.fromkeys(ITEM_RE.findall(info.get("items", "")))),
        form=form,
    )


def _info_fields(root: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    for head in root.xpath('//div[@class="infoHead"]'):
        value = head.getnext()
        if value is not None and value.get("class") == "info":
            fields[_cell_text(head).lower()] = _cell_text(value)
    return fields


async def fetch_exhibits(client: EdgarClient, filing: Filing) -> tuple[FilingIndex, list[Exhibit]]:
    """The filing's index and the raw bytes of each of its press-release documents."""
    url = index_url(client.settings.base_url, filing)
    page = await client.get(url)
    index = parse_filing_index(page.content, url)
    exhibits = []
    for doc in index.documents:
        if not is_press_release(doc.doc_type):
            continue
        result = await client.get(doc.url)
        exhibits.append(Exhibit(
            accession=filing.accession,
            doc_type=doc.doc_type.upper(),
            filename=doc.filename,
            url=doc.url,
            content=result.content,
            sequence=doc.sequence,
            description=doc.description,
        ))
    return index, exhibits
