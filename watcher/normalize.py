"""An exhibit (plain text with ``<PAGE>`` markers, or HTML of any era) -> one canonical Release.

Pure: bytes in, ``Release`` out, no I/O. Two front ends turn the input into raw text blocks
(``_text_blocks`` for plain text, ``_html_blocks`` for HTML); one back end (``_build_release``)
cleans the blocks, finds headline, dateline and sections, splits sentences and hashes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

import lxml.html
from lxml import etree

from watcher.errors import NormalizeError, UnsupportedDocumentError
from watcher.models import Paragraph, Release

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-",
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200b": "", "\ufeff": "",
    "\u00ad": "", "\u2022": "*", "\u00b7": "*",
})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_PAGE_MARKER = re.compile(r"^\s*</?PAGE>\s*$", re.IGNORECASE | re.MULTILINE)
_EXHIBIT_LINE = re.compile(r"^\s*(exhibit|ex\.?)\s*99(\.\d+)?\s*$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^\s*(-\s*\d{1,3}\s*-|\d{1,3}|page \d{1,3}( of \d{1,3})?)\s*$",
                          re.IGNORECASE)
_END_MARK = re.compile(r"^\s*(#\s*){1,3}\s*$|^\s*-\s*(end|30)\s*-\s*$", re.IGNORECASE)
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Za-z.'\- ]+(?:,\s*[A-Za-z.'\- ]+){{0,2}}?)\s*,?\s*"
    rf"(?:\((?:[A-Za-z ]+)\)\s*)?"
    rf"(?P<date>(?:{_MONTHS})\.?\s+\d{{1,2}}\s*,\s*\d{{4}})"
    rf"\s*(?:/[A-Za-z ]+/)?\s*(?:--|-|:)\s*",
    re.IGNORECASE,
)
_ABOUT_HEADING = re.compile(r"^about\b", re.IGNORECASE)
_FORWARD_HEADING = re.compile(
    r"^(forward[- ]looking statements?|safe harbor|cautionary (note|statement)|"
    r"this (press )?release (includes|contains) forward[- ]looking|"
    r"(certain )?statements (made )?in this (press )?release|"
    r"this (press |news )?release (may contain|contains) ['\"]?forward[- ]looking)",
    re.IGNORECASE,
)
_CONTACT_HEADING = re.compile(r"^(media |investor |company )?contacts?\s*:?", re.IGNORECASE)
_QUOTE = re.compile(r'"[^"]{20,}"|\bsaid\b.*"', re.IGNORECASE)
_ABBREVIATIONS = frozenset("""
inc ltd co corp plc llc lp l.p n.v s.a a.g ag nv sa bv mr mrs ms dr prof sr jr st no nos vs
etc e.g i.e ph.d m.d u.s u.k u.s.a jan feb mar apr jun jul aug sep sept oct nov dec approx est
fig al dept gov mt ft cf
""".split())
_SENTENCE_END = re.compile(r'(?<=[.!?])["\')\]]*\s+(?=["\'(\[]?[A-Z0-9])')


def unify(text: str) -> str:
    """Smart quotes, dashes and exotic spaces to their plain forms; NFC; collapsed spaces."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    return _SPACES.sub(" ", text).strip()


def decode(content: bytes, declared: str | None = None) -> str:
    """Bytes -> text: BOM, then the declared charset, then UTF-8, then cp1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    candidates = [c for c in (declared, "utf-8", "cp1252") if c]
    for encoding in candidates:
        try:
            return content.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return content.decode("latin-1")


_HTML_TAG = re.compile(r"<(html|body|p|div|table|font|br|center|b|span)[\s>/]", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_TAG.search(text[:8000]))


def normalize_exhibit(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Release:
    """Turn one exhibit's bytes into a Release; NormalizeError when that is impossible."""
    if len(content) > max_bytes:
        raise NormalizeError(f"document of {len(content)} bytes exceeds the limit of {max_bytes}")
    if content.startswith(b"%PDF"):
        raise UnsupportedDocumentError("PDF exhibits are not supported")
    if content[:4] in (b"\x89PNG", b"GIF8") or content[:3] == b"\xff\xd8\xff":
        raise UnsupportedDocumentError("image exhibits are not supported")
    declared = _declared_charset(content[:2048])
    text = decode(content, declared)
    if text.count("\x00") > len(text) // 100 + 1:
        raise UnsupportedDocumentError("binary content is not a press release")
    blocks = _html_blocks(text) if looks_like_html(text) else _text_blocks(text)
    return _build_release(blocks)


def normalize_text(text: str) -> Release:
    """Normalize an already decoded document (used by tests and ``watcher ingest``)."""
    return normalize_exhibit(text.encode("utf-8"))


def _declared_charset(head: bytes) -> str | None:
    match = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", head, re.IGNORECASE)
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    # us-ascii and iso-8859-1 declarations are routinely wrong: cp1252 is a superset of both.
    return "cp1252" if name in ("us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1") else name


# ---------------------------------------------------------------- plain text front end

def _text_blocks(text: str) -> list[str]:
    """Blank-line separated blocks with hard wrapping undone; page artefacts dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"<(?:/?(?:TEXT|DOCUMENT)|TYPE|SEQUENCE|FILENAME|DESCRIPTION)>[^\n]*", "",
                  text, flags=re.IGNORECASE)
    text = _PAGE_MARKER.sub("\f", text)
    blocks: list[str] = []
    page_break_pending = False
    for raw in re.split(r"\n\s*\n|\f", text):
        if raw.strip() == "" and "\f" not in raw:
            continue
        lines = [line.strip() for line in raw.split("\n")]
        lines = [ln for ln in lines if ln and not _PAGE_NUMBER.match(ln)]
        if not lines:
            page_break_pending = True
            continue
        block = _join_lines(lines)
        # A paragraph cut by a page break continues in lower case or without a full stop.
        if blocks and (page_break_pending or not blocks[-1].rstrip().endswith(
                (".", "!", "?", ":", '"'))) and _continues(blocks[-1], block):
            blocks[-1] = blocks[-1].rstrip() + " " + block
        else:
            blocks.append(block)
        page_break_pending = False
    return blocks


def _continues(previous: str, block: str) -> bool:
    prev = previous.rstrip()
    if not prev or prev.isupper() or len(prev) < 60:
        return False
    return not prev.endswith((".", "!", "?", ":", '"')) and not block.isupper()


def _join_lines(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        if re.search(r"[a-z]-$", out) and line[:1].islower():
            out = out[:-1] + line  # end-of-line hyphenation
        else:
            out = out + " " + line
    return out


# ---------------------------------------------------------------- HTML front end

_BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "br", "center",
    "blockquote", "pre", "ul", "ol", "section", "article", "header", "footer", "hr", "title",
})
_SKIP_TAGS = frozenset({"script", "style", "head", "noscript", "template"})
_MAX_DEPTH = 500


def _html_blocks(text: str) -> list[str]:
    try:
        parser = lxml.html.HTMLParser(recover=True, remove_comments=True, no_network=True)
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (ValueError, etree.ParserError) as exc:
        raise NormalizeError(f"unreadable HTML: {exc}") from exc
    body = root.find("body")
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        joined = " ".join("".join(current).split())
        if joined:
            blocks.append(joined)
        current.clear()

    def walk(node: Any, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise NormalizeError(f"HTML nested deeper than {_MAX_DEPTH} levels")
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.lower().rsplit("}", 1)[-1]
        if tag in _SKIP_TAGS:
            if node.tail:
                current.append(node.tail)
            return
        if tag == "tr":
            flush()
            cells = [" ".join(c.text_content().split()) for c in node if isinstance(c.tag, str)]
            cells = [c for c in cells if c]
            if cells:
                blocks.append(" | ".join(cells))
            if node.tail:
                current.append(node.tail)
            return
        is_block = tag in _BLOCK_TAGS
        if is_block:
            flush()
        if node.text:
            current.append(node.text)
        for child in node:
            walk(child, depth + 1)
        if is_block:
            flush()
        if node.tail:
            current.append(node.tail)

    walk(body if body is not None else root, 0)
    flush()
    return blocks


# ---------------------------------------------------------------- shared back end

def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences of a paragraph; survives "Inc.", "Ph.D.", "U.S." and "No. 5"."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start:match.start()].rstrip()
        last_word = re.search(r"([A-Za-z.]+)[.!?][\"')\]]*$", candidate)
        if last_word and (last_word.group(1).lower().rstrip(".") in _ABBREVIATIONS
                          or re.fullmatch(r"[A-Z]", last_word.group(1))):
            continue
        sentence = text[start:match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return tuple(sentences)


def _is_heading(block: str) -> bool:
    stripped = re.sub(r"\b(Inc|Ltd|Corp|Co|Plc|S\.A|N\.V|L\.P)\.$", r"\1", block.rstrip(),
                      flags=re.IGNORECASE)
    return len(block) < 120 and not stripped.endswith((".", ",", ";")) and (
        block.isupper() or block.istitle() or len(block.split()) <= 8)


def _clean_blocks(blocks: Iterable[str]) -> Iterator[str]:
    for block in blocks:
        text = unify(block)
        if not text or _EXHIBIT_LINE.match(text) or _PAGE_NUMBER.match(text) \
                or _END_MARK.match(text):
            continue
        yield text


def _parse_date(text: str) -> date | None:
    cleaned = re.sub(r"\s+", " ", text.replace(".", "")).strip().title()
    cleaned = re.sub(r"\s*,\s*", ", ", cleaned).replace("Sept ", "Sep ")
    for fmt in ("%B %d, %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _build_release(raw_blocks: list[str]) -> Release:
    blocks = list(_clean_blocks(raw_blocks))
    if not blocks:
        raise NormalizeError("no text found in the document")
    dateline_index = next(
        (i for i, b in enumerate(blocks[:12]) if _DATELINE.match(b)), None
    )
    if dateline_index is not None:
        head_count = dateline_index
    else:
        head_count = 1 if _is_heading(blocks[0]) else 0
    headings = blocks[:head_count]
    headline = headings[0] if headings else ""
    subheadlines = tuple(headings[1:])
    place: str | None = None
    when: date | None = None
    paragraphs: list[Paragraph] = []
    section = "body"
    for index, block in enumerate(blocks[head_count:], start=head_count):
        text = block
        if index == dateline_index:
            match = _DATELINE.match(block)
            assert match is not None
            place = unify(match.group("place")).rstrip(",")
            when = _parse_date(match.group("date"))
            text = block[match.end():].strip()
            if not text:
                continue
        if _FORWARD_HEADING.match(text):
            section = "forward_looking"
        elif _ABOUT_HEADING.match(text) and _is_heading(text):
            section = "about"
            continue
        elif _CONTACT_HEADING.match(text) and len(text) < 60:
            section = "contacts"
        elif section != "forward_looking" and _is_heading(text) and section == "about" \
                and not _ABOUT_HEADING.match(text):
            section = "body"
        if _is_heading(text) and section not in ("contacts",):
            continue
        kind: Any = "table_row" if " | " in text else "text"
        para_section = section
        if para_section == "body" and _QUOTE.search(text):
            para_section = "quotes"
        if kind == "table_row" and para_section == "body":
            para_section = "tables"
        paragraphs.append(Paragraph(text=text, section=para_section, kind=kind,
                                    sentences=split_sentences(text)))
    if not headline and not paragraphs:
        raise NormalizeError("no text found in the document")
    digest = hashlib.sha256()
    for part in (headline, *(p.text for p in paragraphs)):
        digest.update(part.lower().encode("utf-8"))
        digest.update(b"\n")
    return Release(
        headline=headline,
        subheadlines=subheadlines,
        dateline_place=place,
        dateline_date=when,
        paragraphs=tuple(paragraphs),
        content_hash=digest.hexdigest(),
    )
