"""An exhibit (full-submission SGML, plain text of any era, HTML of any era) -> one canonical
Release.

Pure: bytes in, ``Release`` out, no I/O. The stages:

1. unwrap: a full submission or a ``<DOCUMENT>`` wrapper gives its EX-99 document
   (``watcher.sgml``); PDFs, images and other binaries are refused as unsupported;
2. decode: BOM, declared charset, UTF-8, cp1252 (``decode``);
3. front end: ``watcher.htmlblocks`` or ``watcher.blocks`` turn the text into blocks
   (paragraphs, list items, table rows, page breaks);
4. back end (``build_release``): characters unified and repaired (``watcher.text``), page
   artefacts and running headers dropped, paragraphs cut by page breaks joined, headline,
   sub-headlines and dateline found, sections assigned, sentences split, content hashed.

The content hash covers the words of the canonical text only, so whitespace, markup, quote
style and letter case never change it, and normalizing the canonical text again gives the
same hash.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Literal

from watcher.blocks import Block, join_hyphenated, text_blocks
from watcher.errors import (
    NormalizeError,
    ParseError,
    ResponseTooLargeError,
    UnsupportedDocumentError,
)
from watcher.htmlblocks import DEFAULT_MAX_DEPTH, html_blocks
from watcher.models import Paragraph, Release, canonical_text_of
from watcher.sgml import is_press_release_type, looks_like_submission, split_submission
from watcher.text import DATE, clean, date_of, needs_repair, search_date, split_sentences

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "build_release",
    "content_hash",
    "decode",
    "normalize_exhibit",
    "normalize_text",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# ---------------------------------------------------------------- entry points


def normalize_exhibit(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
                      max_depth: int = DEFAULT_MAX_DEPTH) -> Release:
    """Turn one exhibit's bytes into a Release; ``NormalizeError`` when that is impossible
    (``UnsupportedDocumentError`` for PDFs, images and other binaries)."""
    if len(content) > max_bytes:
        raise NormalizeError(f"document of {len(content)} bytes exceeds the limit of "
                             f"{max_bytes} bytes")
    content = _unwrap_submission(content, max_bytes)
    _refuse_binary(content)
    text = decode(content, _declared_charset(content[:4096]))
    _refuse_binary_text(text)
    data = text.encode("utf-8", errors="replace")  # once, for the scans and the parser
    repair = needs_repair(data)
    if looks_like_html(text):
        blocks = html_blocks(data, max_depth=max_depth)
        return build_release(blocks, html=True, repair=repair)
    return build_release(text_blocks(text), html=False, repair=repair)


def normalize_text(text: str) -> Release:
    """Normalize an already decoded document."""
    return normalize_exhibit(text.encode("utf-8"))


def content_hash(canonical: str) -> str:
    """SHA-256 of the words of a canonical text: case, spacing, punctuation-only and quote
    differences do not count. A word is a run of ASCII letters and digits or of any
    non-ASCII characters (which ``unify`` has already stripped of quotes and dashes)."""
    words = canonical.lower().encode("utf-8").translate(_WORD_BYTES)
    if len(words) < 1 << 20:
        # Faster, but a list of pieces: cut at double spaces (five times fewer pieces than
        # words, so fewer objects), strip the odd spaces of longer runs, drop empty pieces.
        single_spaced = b" ".join(filter(None, map(bytes.strip, words.split(b"  "))))
    else:
        single_spaced = _SPACE_RUNS.sub(b" ", words).strip()  # big documents take this
    return hashlib.sha256(single_spaced).hexdigest()


_SPACE_RUNS = re.compile(rb" {2,}")
# bytes.translate runs in C: every ASCII byte that is not a letter or digit becomes a space.
_WORD_BYTES = bytes(b if (chr(b).isalnum() and b < 128) or b >= 128 else 0x20
                    for b in range(256))

# ---------------------------------------------------------------- unwrap, refuse, decode


def _unwrap_submission(content: bytes, max_bytes: int) -> bytes:
    """A full submission -> its first EX-99 document; a lone ``<DOCUMENT>`` -> its text."""
    if not looks_like_submission(content[:1024]):
        return content
    try:
        documents = split_submission(content, is_press_release_type,
                                     max_document_bytes=max_bytes)
        if not documents:
            documents = split_submission(content, lambda doc_type: True,
                                         max_document_bytes=max_bytes)
    except ResponseTooLargeError as exc:
        raise NormalizeError(exc.message) from exc
    except ParseError as exc:  # the wrapper is broken (a truncated document)
        raise NormalizeError(f"unreadable SGML submission: {exc.message}") from exc
    if not documents:
        raise NormalizeError("the submission holds no document")
    press = [d for d in documents if is_press_release_type(d.doc_type)]
    return (press or documents)[0].content


_BINARY_SIGNATURES = (
    (b"%PDF", "a PDF"), (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"), (b"PK\x03\x04", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an OLE (Word/Excel) file"), (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"), (b"BM", "a BMP image"), (b"\x1f\x8b", "a gzip file"),
    (b"{\\rtf", "an RTF file"),
)
_UUENCODED = re.compile(rb"^\s*begin [0-7]{3,4} (\S+)", re.IGNORECASE)
_PDF_WRAPPER = re.compile(rb"^\s*<PDF>", re.IGNORECASE)


def _refuse_binary(content: bytes) -> None:
    head = content[:16].lstrip()
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature) and (len(signature) > 2 or b"\x00" in content[:64]):
            raise UnsupportedDocumentError(f"the exhibit is {what}, not a text document")
    match = _UUENCODED.match(content[:256])
    if match:
        name = match.group(1).decode("latin-1")
        raise UnsupportedDocumentError(f"the exhibit is a uuencoded file ({name})")
    if _PDF_WRAPPER.match(content[:64]):
        raise UnsupportedDocumentError("the exhibit is a PDF document")


# Control characters other than tab, line breaks and form feed: in UTF-8 each is one byte that
# no other character's encoding holds, so counting bytes (in C) counts the characters.
_ODD_BYTES = bytes((*range(0x09), 0x0b, *range(0x0e, 0x20)))
_REPLACEMENT_UTF8 = "\ufffd".encode()


def _refuse_binary_text(text: str) -> None:
    sample = text[:8192]
    if not sample:
        return
    data = sample.encode("utf-8", errors="replace")
    if not any(map(data.__contains__, _ODD_BYTES)) and \
            (sample.isascii() or _REPLACEMENT_UTF8 not in data):
        return  # nothing odd at all (the usual case): memchr is faster than counting
    odd = len(data) - len(data.translate(None, _ODD_BYTES))
    if not sample.isascii():
        odd += data.count(_REPLACEMENT_UTF8)  # U+FFFD: what a decoder could not read
    if odd * 20 > len(sample):
        raise UnsupportedDocumentError("binary content, not a press release")


_HTML_TAG = re.compile(
    r"<(?:html|body|head|p|div|font|br|center|span|h[1-6]|pre|td|tr|li|ul|ol|b|i|u|strong|"
    r"em|a|title|meta|!doctype|xml)[\s>/]", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """HTML rather than plain text (whose SGML ``<TABLE>``/``<S>``/``<C>``/``<PAGE>`` tags do
    not count)."""
    return bool(_HTML_TAG.search(text, 0, 16384))


_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{2,40})""",
                      re.IGNORECASE)
# Declarations that mean "some single-byte western code page": cp1252 reads them all.
_WESTERN = frozenset(("us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin-1", "latin1",
                      "l1", "cp1252", "windows-1252", "x-cp1252", "iso-8859-15", "cp819",
                      "ansi_x3.4-1968"))


def _declared_charset(head: bytes) -> str | None:
    lowered = head.lower()
    if b"charset" not in lowered and b"encoding" not in lowered:
        return None
    match = _CHARSET.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="replace").lower()
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("watcher-latin1", _latin1_fallback)


def decode(content: bytes, declared: str | None = None) -> str:
    """Bytes -> text: a BOM wins; then a declared charset other than the western single-byte
    ones; then UTF-8 when the bytes are valid UTF-8; then cp1252 (bytes it leaves undefined
    are read as latin-1, and their meaning restored by ``watcher.text``)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"),
                          (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            body = content[len(bom):] if encoding == "utf-8" else content
            return body.decode(encoding, errors="replace").lstrip("\ufeff")
    if declared and declared not in _WESTERN and codecs.lookup(declared).name != "utf-8":
        try:
            return content.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="watcher-latin1")


# ---------------------------------------------------------------- the back end

_EXHIBIT_LINE = re.compile(
    r"^(?:exhibit|ex\.?|ex-|exh\.?)\s*(?:no\.?\s*)?99(?:[.\-]?\s*\(?[0-9a-z]{1,3}\)?)?[.:]?"
    r"(?:\s*(?:-\s*)?(?:press|news)\s+release)?$", re.IGNORECASE)
_END_MARK = re.compile(
    r"^(?:[#*\s]+|-+\s*(?:end|30|xxx|0)\s*-+|\(?end\)?|\(?-?\s*more\s*-?\)?|"
    r"\(?-?\s*continued\s*-?\)?|\(cont(?:inued|\.|'d)?\))$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(
    r"^(?:-\s*\d{1,3}\s*-|page\s+\d{1,3}(?:\s+of\s+\d{1,3})?|\d{1,3}\s+of\s+\d{1,3}|"
    r"[ivx]{1,4}\s*-\s*\d{1,3})$", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^(?:\d{1,3}|[ivx]{1,4})$", re.IGNORECASE)
_RELEASE_LABEL = re.compile(
    r"^(?:for immediate release|immediate release|for release|news release|press release|"
    r"media release|news|release|news announcement|for immediate distribution)\s*[:.]?$",
    re.IGNORECASE)
_BULLET_TEXT = re.compile(r"^(?:\*+\s*|(?:o|-(?!-)|>)\s+)(?=\S)")


_ALNUM = re.compile(r"[^\W_]")


def _bare_number(text: str) -> bool:
    """``_BARE_NUMBER.match(text)``; it never matches more than five characters."""
    return len(text) <= 5 and bool(_BARE_NUMBER.match(text))


def _is_junk(block: Block, html: bool) -> bool:
    text = block.text
    if len(text) > 60 or block.kind == "table_row":
        return False
    if not (text[0].isalnum() or _ALNUM.search(text)):  # ([^\W_] is str.isalnum)
        return True
    if _EXHIBIT_LINE.match(text) or _END_MARK.match(text) or _PAGE_NUMBER.match(text) \
            or _RELEASE_LABEL.match(text):
        return True
    return _bare_number(text) and (block.indented or block.centered)


def _clean_blocks(blocks: Iterable[Block], html: bool, repair: bool = True) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if block.kind == "page_break":
            if out and out[-1].kind != "page_break":
                out.append(block)
            continue
        kind = block.kind
        cells: tuple[str, ...] = ()
        if kind == "table_row":
            joined = clean(block.text, repair=repair)  # one pass for the row
            if joined == block.text:
                cells = block.cells
            else:
                cells = tuple(joined.split(" | "))
                if len(cells) != len(block.cells) or not all(cells):
                    cells = tuple(c for c in (clean(c, repair=repair) for c in block.cells)
                                  if c)
            if len(cells) > 1:
                text = " | ".join(cells) if cells is not block.cells else block.text
            else:
                kind = "text"
                text = cells[0] if cells else ""
                cells = ()
        else:
            text = clean(block.text, repair=repair)
        if not text:
            continue
        lead = clean(block.lead, repair=repair) if block.lead else ""
        if text == block.text and kind == block.kind and lead == block.lead:
            cleaned = block  # already clean (most table rows): no need for a copy
        else:
            cleaned = Block(text, kind, cells, block.strong, block.centered, block.italic,
                            block.indented, lead)
        if len(text) <= 60 and kind != "table_row" and _is_junk(cleaned, html):
            continue
        if kind != "table_row":
            bullet = _BULLET_TEXT.match(text) if text[0] in "*o->" else None
            if bullet and (kind == "list_item" or text[0] != "-" or not html):
                cleaned = Block(text[bullet.end():], "list_item", cells, block.strong,
                                block.centered, block.italic, block.indented, cleaned.lead)
        out.append(cleaned)
    while out and out[-1].kind == "page_break":
        out.pop()
    return out


def _drop_page_furniture(blocks: list[Block]) -> list[Block]:
    """Page numbers at page edges and running headers and footers (the same short line at
    the top, or at the bottom, of several pages); then join paragraphs that a page break cut
    in two."""
    pages: list[list[Block]] = [[]]
    for block in blocks:
        if block.kind == "page_break":
            if pages[-1]:
                pages.append([])
        else:
            pages[-1].append(block)
    if len(pages) == 1:
        return pages[0]
    for page in pages:
        while page and _bare_number(page[-1].text):
            page.pop()
        while page and _bare_number(page[0].text):
            page.pop(0)
    edges = [(_edge_key(page[0]), _edge_key(page[-1])) if page else ("", "") for page in pages]
    tops = Counter(top for (top, _), page in zip(edges, pages, strict=True) if page)
    bottoms = Counter(bottom for (_, bottom), page in zip(edges, pages, strict=True) if page)
    out: list[Block] = []
    for number, (page, (top, bottom)) in enumerate(zip(pages, edges, strict=True)):
        if page and tops[top] >= 2 and top:
            page = page[1:]
        if page and bottoms[bottom] >= 2 and bottom:  # (page[-1] is still the last block)
            page = page[:-1]
        if number and out and page and _continues(out[-1], page[0]):
            first = page[0]
            page = page[1:]
            out[-1] = Block(join_hyphenated(out[-1].text, first.text), out[-1].kind,
                            out[-1].cells, out[-1].strong and first.strong, out[-1].centered,
                            out[-1].italic, out[-1].indented, out[-1].lead)
        out.extend(page)
    return out


def _edge_key(block: Block) -> str:
    """What a running header or footer repeats ("" for what cannot be one: a sentence, a
    table row, a long paragraph)."""
    text = block.text
    if block.kind != "text" or len(text) > 100 or text.endswith((".", "!", "?", ":", ",")):
        return ""
    return _DIGIT_RUN.sub("#", text.lower())


_DIGIT_RUN = re.compile(r"\d+")


def _continues(previous: Block, block: Block) -> bool:
    """Was ``block`` (first on its page) the rest of ``previous`` (last on the page before)?"""
    if previous.kind != "text" or block.kind != "text" or previous.indented \
            or block.indented or previous.centered:
        return False
    prev = previous.text
    if prev.endswith((",", ";", "-", "(", " and", " or", " the", " of", " to", " a", " an",
                      " in", " with", " for")):
        return True
    if prev.endswith((".", "!", "?", ":", '"', ")")) or len(prev) < 40:
        return False
    return block.text[:1].islower() or block.text[:1].isdigit()


# ---------------------------------------------------------------- headline and dateline

_WIRE_TAIL = re.compile(
    r"(?:\s*(?:-{1,3}|/|,)?\s*(?:\([^()]{2,60}\)|/[^/]{2,60}/)\s*(?:-{1,3}|/)?\s*)+$")
_WIRE_HEAD = re.compile(r"\s*(?:-{1,3}\s*)?(?:\([^()]{2,60}\)|/[^/]{2,60}/)")
# A dateline without a date: "KEARNEY, NE -- (BUSINESS WIRE) -- The Buckle, Inc. ..."
_WIRE_DATELINE = re.compile(
    r"(?P<place>[A-Z][^()/\n]{1,60}?)\s*,?\s*-{1,3}\s*(?P<wire>\([^()]{2,40}\)|/[^/]{2,40}/)"
    r"\s*(?:-{1,3}\s*|$)")
_YEAR = re.compile(r"(?:19|20)\d\d")
_WIRE_NAME = re.compile(r"wire|news|press|\bpr\b", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*(?:-{1,3}|:|\||/)\s*")
_PLACE_WORD = re.compile(r"^(?:[A-Z0-9][\w.'&-]*|of|de|la|le|du|am|an|on|upon|sur|and|the|"
                         r"del|da|do|dos|van|von|der|den)$")


def _dateline(text: str) -> tuple[str, date | None, str, str] | None:
    """(place, date, dateline as printed, rest of the paragraph) when ``text`` opens with a
    dateline: "CAMBRIDGE, MA, JUNE 24, 2002 - ...", "LA JOLLA, Calif.--(BUSINESS WIRE)--
    April 14, 1997--...", "PHILADELPHIA, Feb. 12, 2024 (GLOBE NEWSWIRE) -- ...",
    "Silicon Valley, CA (April 16, 2025) - ..."."""
    match = search_date(text, 160) if _YEAR.search(text, 0, 160) else None
    dated = _dated_dateline(text, match) if match else None
    if dated is not None:
        return dated
    if "(" not in text[:100] and "/" not in text[:100]:
        return None  # no wire service to stand in for the date
    wired = _WIRE_DATELINE.match(text)
    if wired is None or not _WIRE_NAME.search(wired.group("wire")) or \
            not _is_place(wired.group("place").strip(" ,")):
        return None
    printed = text[:wired.end()].strip().rstrip(" -").strip()
    return wired.group("place").strip(" ,"), None, printed, text[wired.end():].strip()


def _dated_dateline(text: str, match: re.Match[str]) -> tuple[str, date | None, str, str] | None:
    prefix = text[:match.start()]
    parenthesized = prefix.rstrip().endswith("(")
    place = prefix.rstrip(" (")
    if "(" in place or "/" in place:  # (what every _WIRE_TAIL match holds)
        place = _WIRE_TAIL.sub("", place)
    place = place.strip(" ,-(/:")
    if len(place) > 60:
        return None
    if not _is_place(place):
        return None
    if not place and prefix.strip(" (-"):
        return None
    cut = match.end()
    if parenthesized:
        closing = re.match(r"\s*\)", text[cut:])
        cut += closing.end() if closing else 0
    wire = _WIRE_HEAD.match(text, cut)
    if wire:
        cut = wire.end()
    printed = text[:cut].strip()
    rest = text[cut:]
    separator = _SEPARATOR.match(rest)
    if separator:
        rest = rest[separator.end():]
    elif rest.strip():
        return None
    return place, date_of(match), printed, rest.strip()


_PLACE_SEPARATORS = re.compile(r"[\s,]+")


def _is_place(place: str) -> bool:
    words = [w for w in _PLACE_SEPARATORS.split(place) if w]
    return len(words) <= 8 and all(_PLACE_WORD.match(w) for w in words)


_LETTERHEAD = re.compile(  # on lower-cased text
    r"\b(?:phone|tel|telephone|fax|facsimile|e-?mail|www\.|https?://|p\.?o\.? box|suite)\b|"
    r"@|\b[a-z]{2}\s+\d{5}(?:-\d{4})?\b|\b(?:nasdaq|nyse|amex|otc|tsx)\s*:")


# What each alternative of _LETTERHEAD needs in the text: searching for these few words first
# (in C) spares most paragraphs the slow scan of the whole pattern.
_LETTERHEAD_WORDS = ("@", "tel", "phone", "fax", "facsimile", "mail", "www.", "http", " box",
                     "suite", "nasdaq", "nyse", "amex", "otc", "tsx")
_ZIP_DIGITS = re.compile(r"\d\d\d\d\d")


def _letterhead(lowered: str) -> bool:
    """``_LETTERHEAD.search(lowered)``, faster."""
    return (any(word in lowered for word in _LETTERHEAD_WORDS)
            or bool(_ZIP_DIGITS.search(lowered))) and bool(_LETTERHEAD.search(lowered))


def _headline_like(block: Block) -> bool:
    text = block.text
    if block.kind == "table_row" or len(text) > 300 or _letterhead(text.lower()) \
            or _has_contact_detail(text):
        return False
    words = text.split()
    if len(words) < 2 or not any(c.isalpha() for c in text):
        return False
    return not (DATE.fullmatch(text.strip(" .")) or _is_contact_start(text))


def _is_prose(block: Block) -> bool:
    return block.kind == "text" and len(block.text) >= 150 and \
        block.text.rstrip('"\')').endswith((".", "!", "?"))


def _head(blocks: list[Block]) -> tuple[int, tuple[str, date | None, str, str] | None]:
    """(number of head blocks, the dateline (``_dateline`` of the first block after the
    head) or None)."""
    prose_seen = 0
    for index, block in enumerate(blocks[:25]):
        if block.kind == "text":
            dateline = _dateline(block.text)
            if dateline is not None:
                return index, dateline
        if _is_prose(block):
            prose_seen += 1
            if prose_seen >= 2:
                break
    # no dateline: the head is what comes before the first prose paragraph
    for index, block in enumerate(blocks[:12]):
        if _is_prose(block) or block.kind == "table_row":
            return index, None
    return min(1, len(blocks)), None


# ---------------------------------------------------------------- sections

_ABOUT = re.compile(r"^about\b", re.IGNORECASE)
_FORWARD_HEADING = re.compile(
    r"forward[- ]looking|safe[- ]harbou?r|cautionary|private securities litigation",
    re.IGNORECASE)
_FORWARD_HEADING_LOWER = re.compile(
    r"forward[- ]looking|safe[- ]harbou?r|cautionary|private securities litigation")


def _forward_heading(text: str) -> bool:
    """``_FORWARD_HEADING.search(text)``: on ASCII text, its case-sensitive twin on the
    lower-cased text, which the regex engine searches much faster."""
    if text.isascii():
        return bool(_FORWARD_HEADING_LOWER.search(text.lower()))
    return bool(_FORWARD_HEADING.search(text))


# Case-insensitive alternations are slow: these run on lower-cased text instead.
_FORWARD_PARAGRAPH = re.compile(
    r"forward[- ]looking (?:statement|information)|safe[- ]harbou?r|private securities "
    r"litigation reform act")
_CONTACT_START = re.compile(  # on lower-cased text
    r"(?:(?:media|investors?|company|press|corporate|analysts?|financial|public)"
    r"(?:\s+(?:relations|and media|& media|and investors?|& investors?))?\s+)?"
    r"contacts?\b(?!\s+(?:us|lens|lenses|tracing))|"
    r"(?:investors?|media|press|investor relations|media relations)\s*[:\-]|"
    r"for (?:further|more|additional) information\b")
_CONTACT_PREFIXES = ("media", "investor", "company", "press", "corporate", "analyst",
                     "financial", "public", "contact", "for ")
_PHONE = re.compile(r"\(?\b\d{3}\)?[\s.\-/]\d{3}[\s.\-]\d{4}\b|\+\d{1,3}[\s\d().\-]{7,}\d")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+\.\w")


# What every _PHONE match holds, but "+" ("\d\d\d", not "\d{3}": a character set first is
# searched for faster).
_PHONE_HINT = re.compile(r"\d\d\d[\s.\-]\d{4}")
# ASCII characters as classes: "0" a digit, " " what \s matches, "." and "-" themselves, "x"
# anything else. On ASCII text _PHONE_HINT matches exactly where the classes read "000 0000",
# "000.0000" or "000-0000": a translate and three substring searches, all in C, instead of
# a regex that stops at every digit of a table row.
_PHONE_CLASSES = bytes(
    0x30 if 0x30 <= b <= 0x39 else 0x20 if chr(b).isspace() else b if b in (0x2e, 0x2d)
    else 0x78 for b in range(256))


def _phone_hint(text: str) -> bool:
    """``_PHONE_HINT.search(text)``, faster."""
    if not text.isascii():
        return bool(_PHONE_HINT.search(text))
    classes = text.encode("ascii").translate(_PHONE_CLASSES)
    return b"000 0000" in classes or b"000.0000" in classes or b"000-0000" in classes


def _has_contact_detail(text: str) -> bool:
    """A telephone number or an e-mail address."""
    if "@" in text and _EMAIL.search(text):
        return True
    return bool(("+" in text or _phone_hint(text)) and _PHONE.search(text))
_RUN_IN = re.compile(
    r"^(about [^.:;]{2,80}?|forward[- ]looking statements?|safe harbou?r statements?|"
    r"cautionary (?:note|statement)s?(?: regarding forward[- ]looking statements)?)"
    r"\s*(?::|\.|-{1,2})\s+(?=\S)", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]{2,}"')
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|stated|states|commented|comments|added|adds|noted|notes|explained|"
    r"continued|remarked|observed|according to)\b", re.IGNORECASE)
_NAME_ENDING = re.compile(
    r"\b(?:Inc|Corp|Co|Ltd|L\.P|S\.A|N\.V|A\.G|plc|S\.p\.A|Jr|Sr|B\.V|L\.L\.C|U\.S|Ph\.D|M\.D)"
    r"\.$", re.IGNORECASE)


def _is_forward_looking(text: str) -> bool:
    """Does this paragraph open the safe-harbor text ("This press release contains
    forward-looking statements ...")?"""
    if text.startswith('"'):
        return False
    head = text[:400].lower()
    return ("forward" in head or "harbo" in head or "litigation" in head) and \
        bool(_FORWARD_PARAGRAPH.search(head))


def _is_contact_start(text: str) -> bool:
    """"Contact:", "Media Contacts", "Investors:", "For more information ..."."""
    head = text[:60].lower()
    return head.startswith(_CONTACT_PREFIXES) and bool(_CONTACT_START.match(head))


def _is_contact_like(block: Block, contact_start: bool) -> bool:
    """``contact_start``: ``_is_contact_start(block.text)``, which the caller knows."""
    text = block.text
    if contact_start:
        return True
    if block.kind != "table_row" and text.rstrip("\"')").endswith((".", "!", "?")) \
            and text.count(" ") >= 5:
        return False  # a sentence: a telephone number in it does not make it a contact
    return _has_contact_detail(text)


def _is_heading(block: Block, html: bool, section: str) -> bool:
    if block.kind != "text":
        return False
    text = block.text
    if len(text) > 120 or text[0] in "\"'(":
        return False
    stripped = text.rstrip()
    # (a _NAME_ENDING match is at most six characters long, at the very end)
    if stripped.endswith((".", ",", ";")) and \
            not _NAME_ENDING.search(stripped, max(0, len(stripped) - 6)):
        return False
    if (". " in text or "! " in text or "? " in text) and _SENTENCE_BREAK.search(text):
        return False
    words = text.split()
    if len(words) > 16:
        return False
    if _ABOUT.match(text) or (_forward_heading(text) and len(words) <= 10) or \
            (_is_contact_start(text) and len(words) <= 4 and not _has_contact_detail(text)):
        return True
    if block.strong or block.indented:
        return True
    if text.isascii():  # all letters upper case, and more than three of them
        if text.isupper() and sum(c.isalpha() for c in text) > 3:
            return True
    else:
        letters = [c for c in text if c.isalpha()]
        if letters and all(c.isupper() for c in letters) and len(letters) > 3:
            return True
    if html or section == "contacts" or len(words) > 10 or stripped.endswith("."):
        return False
    capitalized = [w for w in words if w[:1].isalpha() and w.lower() not in _SMALL_WORDS]
    return bool(capitalized) and all(w[0].isupper() for w in capitalized) and \
        not _has_contact_detail(text)


# "[a-z][a-z]" rather than "[a-z]{2}": a pattern that opens with a character set is searched
# for faster; callers first look for one of the three ". " it needs.
_SENTENCE_BREAK = re.compile(r"[a-z][a-z][.!?] +[A-Z]")
_SMALL_WORDS = frozenset("""
a an and as at but by for from in into of on or the to with vs via per over under
""".split())


def _heading_section(text: str) -> str:
    if _ABOUT.match(text):
        return "about"
    if _forward_heading(text):
        return "forward_looking"
    if _is_contact_start(text) or _CONTACT_WORD.search(text):
        return "contacts"
    return "body"


_CONTACT_WORD = re.compile(r"\bcontacts?\b", re.IGNORECASE)


def _is_quote(text: str, previous_quote: bool) -> bool:
    if '"' not in text:
        return previous_quote and len(text) < 120 and text.startswith("-")
    if text.startswith('"') and len(text) > 40:
        return True
    quoted = sum(len(m.group(0)) for m in _QUOTED.finditer(text))
    return quoted * 10 >= len(text) * 3 or (quoted >= 25 and bool(_ATTRIBUTION.search(text)))




def _numeric_row(block: Block) -> bool:
    return block.kind == "table_row" and any(any(ch.isdigit() for ch in c) for c in block.cells)


def build_release(raw_blocks: Iterable[Block], *, html: bool = False,
                  repair: bool = True) -> Release:
    """The back end shared by every front end: blocks -> Release. ``repair=False`` when the
    document is known to hold no mojibake or C1 controls (``watcher.text.needs_repair``)."""
    blocks = _drop_page_furniture(_clean_blocks(raw_blocks, html, repair))
    if not blocks:
        raise NormalizeError("no text found in the document")
    head_count, found_dateline = _head(blocks)

    headline = ""
    subheadlines: list[str] = []
    head_contacts: list[Block] = []
    place: str | None = None
    when: date | None = None
    dateline_text = ""
    head = blocks[:head_count]
    candidates = [i for i, b in enumerate(head) if _headline_like(b)]
    headline_like = set(candidates)
    emphasized = [i for i in candidates
                  if (head[i].strong or head[i].centered or head[i].text.isupper()
                      or not html) and len(head[i].text.split()) >= 4]
    chosen = emphasized[0] if emphasized else (candidates[0] if candidates else None)
    for index, block in enumerate(head):
        if chosen is not None and index == chosen:
            headline = block.text
        elif chosen is not None and index > chosen and (
                index in headline_like or block.kind == "list_item"):
            subheadlines.append(block.text)
        else:
            if len(block.text) < 100 and when is None:
                found = search_date(block.text)
                if found:  # a date above the dateline ("For release June 3, 2002")
                    when = date_of(found)
            head_contacts.append(block)
    body = blocks[head_count:]
    if found_dateline is not None:
        place, dated, dateline_text, rest = found_dateline
        place = place or None
        when = dated or when
        first = body[0]
        body = ([Block(rest, first.kind, first.cells, first.strong, first.centered,
                       first.italic, first.indented)] if rest else []) + body[1:]

    paragraphs: list[Paragraph] = []
    for block in head_contacts:
        paragraphs.append(Paragraph(block.text, "contacts", _paragraph_kind(block),
                                    _sentences(block), ""))
    paragraphs.extend(_sections(body, html))
    if not headline and not paragraphs:
        raise NormalizeError("no text found in the document")
    subs = tuple(subheadlines)
    canonical = canonical_text_of(headline, subs, dateline_text, paragraphs)
    return Release(
        headline=headline,
        paragraphs=tuple(paragraphs),
        content_hash=content_hash(canonical),
        subheadlines=subs,
        dateline_place=place,
        dateline_date=when,
        dateline=dateline_text,
    )


def _paragraph_kind(block: Block) -> Literal["text", "list_item", "table_row"]:
    if block.kind == "list_item" or block.kind == "table_row":
        return block.kind
    return "text"


def _sentences(block: Block) -> tuple[str, ...]:
    if block.kind == "table_row":
        return (block.text,)
    return split_sentences(block.text)


def _sections(blocks: list[Block], html: bool) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    section = "body"
    heading = ""
    pending: list[str] = []  # headings not yet followed by a paragraph
    previous_quote = False
    for block in blocks:
        text = block.text
        kind = block.kind
        if _is_heading(block, html, section):
            keyword_section = _heading_section(text)
            if not pending or keyword_section != "body":
                # a plain heading right under "About X" (a sub-title) does not end it
                section = keyword_section
            pending.append(text)
            continue
        run_in = block.lead if block.lead and _RUN_IN.match(block.lead + " x") else ""
        if not run_in and kind == "text":
            match = _RUN_IN.match(text) if text[0] in "aAfFsScC" or not text[0].isascii() \
                else None
            if match and (match.group(1)[:1].isupper()):
                run_in = match.group(1)
        if run_in and text.startswith(run_in) and len(text) > len(run_in) + 1:
            section = _heading_section(run_in)
            pending.append(run_in.strip())
            text = text[len(run_in):].lstrip(" :.-")
            block = Block(text, kind, block.cells)
        new_heading = " - ".join(pending) if pending else None
        pending = []
        if new_heading is not None and new_heading == heading:
            # the same heading again (a table repeating its header): its words stay, as text
            paragraphs.append(Paragraph(new_heading, section, "text",
                                        split_sentences(new_heading), heading))
            new_heading = None
        before = section
        contact_start = _is_contact_start(text)
        if _is_contact_like(block, contact_start) and (
                section != "body" or contact_start or kind == "table_row"
                or not _is_prose(block)):
            if section not in ("about",) or contact_start:
                section = "contacts"
        elif section == "contacts" and (_is_prose(block) or _numeric_row(block)):
            section = "body"
        elif kind == "text" and section != "forward_looking" and _is_forward_looking(text):
            section = "forward_looking"
        elif section in ("forward_looking", "about") and _numeric_row(block):
            section = "body"
        if new_heading is not None:
            heading = new_heading
        elif section != before:
            heading = ""  # the section changed under the same heading: it no longer applies
        target: str = section
        if section == "body":
            if kind == "table_row":
                target = "tables"
            elif _is_quote(text, previous_quote):
                target = "quotes"
        previous_quote = target == "quotes"
        sentences = (text,) if kind == "table_row" else split_sentences(text)  # (_sentences)
        paragraphs.append(Paragraph(text, target, _paragraph_kind(block), sentences, heading))
    for text in pending:  # headings at the very end: keep their words as paragraphs
        paragraphs.append(Paragraph(text, section, "text", split_sentences(text), heading))
    return paragraphs
