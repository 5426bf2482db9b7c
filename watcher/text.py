"""Character- and sentence-level text handling for normalize: one spelling for every quote,
dash and space, mojibake and left-over entities repaired, dates parsed, sentences split.

Pure string functions, no I/O; each is idempotent (applying it twice changes nothing more).
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import date

# ---------------------------------------------------------------- characters

_TRANSLATE: dict[int, str] = str.maketrans({
    # quotes and primes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u0060": "'", "\u2039": "'", "\u203a": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    # dashes and minus signs
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
    # spaces (the exotic ones become a plain space, the invisible ones disappear)
    "\u00a0": " ", "\u2000": " ", "\u2001": " ", "\u2002": " ", "\u2003": " ", "\u2004": " ",
    "\u2005": " ", "\u2006": " ", "\u2007": " ", "\u2008": " ", "\u2009": " ", "\u200a": " ",
    "\u202f": " ", "\u205f": " ", "\u3000": " ", "\t": " ", "\r": " ", "\n": " ", "\f": " ",
    "\v": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
    "\ufffd": "",
    # symbols that 1990s plain text spelled out
    "\u2122": "(TM)", "\u00ae": "(R)", "\u00a9": "(C)", "\u2120": "(SM)",
    "\u2026": "...", "\u2022": "*", "\u25cf": "*", "\u25aa": "*", "\u25a0": "*", "\u25e6": "*",
    "\u2023": "*", "\u2043": "*", "\u00b7": "*", "\u2219": "*", "\u25cb": "*", "\u27a2": "*",
    "\u2713": "*", "\u2714": "*", "\x85": "...",
})
# C1 controls are cp1252 characters read as latin-1: give them their cp1252 meaning.
_TRANSLATE.update({
    b: _TRANSLATE.get(ord(c), c)
    for b, c in ((b, bytes([b]).decode("cp1252", errors="ignore")) for b in range(0x80, 0xA0))
    if c and b != 0x85
})
# str.translate with a dict is slow (tens of microseconds a paragraph): substitute the few
# special characters a paragraph holds with one regex pass instead.
_REPLACEMENTS = {chr(code): str(value) for code, value in _TRANSLATE.items() if value is not None}
_SPECIAL = re.compile("[" + "".join(re.escape(c) for c in sorted(_REPLACEMENTS)) + "]")


_COMMON = tuple((c, _REPLACEMENTS[c]) for c in "\u2019\u201c\u201d\u2014\u2013\u00a0\u2018")


def _replace_special(match: re.Match[str]) -> str:
    return _REPLACEMENTS[match.group()]


# C0 controls other than the whitespace handled above, DEL and C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SPACES = re.compile(r"  +")  # not " {2,}": a literal start is found faster
_TAG_RESIDUE = re.compile(r"</?[A-Za-z][A-Za-z0-9:_.-]*(?:\s[^<>]{0,200})?/?>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# Mojibake: UTF-8 bytes that were decoded as cp1252 (or latin-1). The lead byte of a UTF-8
# sequence shows up as one of "ÂÃÄ..ô", each continuation byte as a cp1252 character of
# 0x80-0xBF. Only runs that turn back into valid UTF-8 are replaced.
_CP1252_OF_BYTE = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b)
                   for b in range(0x80, 0x100)}
_BYTE_OF_CHAR = {c: b for b, c in _CP1252_OF_BYTE.items()}
_CONT = "".join(re.escape(_CP1252_OF_BYTE[b]) for b in range(0x80, 0xC0))
_LEAD2 = "".join(re.escape(_CP1252_OF_BYTE[b]) for b in range(0xC2, 0xE0))
_LEAD3 = "".join(re.escape(_CP1252_OF_BYTE[b]) for b in range(0xE0, 0xF0))
_LEAD4 = "".join(re.escape(_CP1252_OF_BYTE[b]) for b in range(0xF0, 0xF5))
# One character at a time: an invalid sequence next to valid ones must not keep those
# from being repaired (and repairing twice must change nothing more).
_MOJIBAKE = re.compile(
    f"[{_LEAD2}][{_CONT}]|[{_LEAD3}][{_CONT}]{{2}}|[{_LEAD4}][{_CONT}]{{3}}")
_MOJIBAKE_HINT = re.compile(f"[{_LEAD2}{_LEAD3}{_LEAD4}][{_CONT}]")


def _unmojibake(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        return bytes(_BYTE_OF_CHAR[c] for c in run).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return run


def repair_mojibake(text: str) -> str:
    """"â€™" -> "’", "Ã©" -> "é": undo UTF-8 read as cp1252, where it is unambiguous."""
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text
    return _MOJIBAKE.sub(_unmojibake, text)


def unescape_entities(text: str) -> str:
    """Entities left in the text (double-escaped HTML, entities in SGML plain text)."""
    for _ in range(3):  # "&amp;amp;#8217;" needs more than one round
        if "&" not in text or not _ENTITY.search(text):
            break
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    return text


_C1 = re.compile("[\x80-\x9f]")
_SUSPECT = re.compile("[\x80-\x9f\u00c2-\u00f4]")


def _cp1252_of_c1(match: re.Match[str]) -> str:
    return bytes([ord(match.group())]).decode("cp1252", errors="ignore")


_WHITESPACE_CONTROLS = re.compile(r"[\t\n\r\f\v]")
_C0 = re.compile(r"[\x00-\x1f\x7f]")
# Every byte that is a C0 control or DEL -> 0, every other byte -> 1: ``bytes.translate`` and a
# search for 0 run in C, several times faster than a regex or ``str.isprintable``. (UTF-8 never
# spells other characters with these bytes.)
_C0_MARKS = bytes(0 if b < 0x20 or b == 0x7f else 1 for b in range(256))


def _has_c0(text: str) -> bool:
    """Does ``text`` hold a C0 control character or DEL? (For ASCII text: is it not
    ``isprintable``?)"""
    data = text.encode("ascii") if text.isascii() else \
        text.encode("utf-8", errors="surrogatepass")
    return 0 in data.translate(_C0_MARKS)


def unify(text: str, *, repair: bool = True) -> str:
    """One spelling for quotes, dashes, spaces and symbols; NFC; single spaces; trimmed.

    ``repair=False`` skips looking for C1 controls and mojibake: for text from a document
    that ``needs_repair`` found free of them (the scan costs more than the rest)."""
    if text.isascii():  # most paragraphs: no mojibake, nothing to translate, one C0 test
        if 0 in text.encode("ascii").translate(_C0_MARKS):
            text = _C0.sub("", _WHITESPACE_CONTROLS.sub(" ", text))
        if "  " in text:
            text = _SPACES.sub(" ", text)
        return text.strip()
    if repair:
        if _has_c0(text):
            text = _C0.sub("", _WHITESPACE_CONTROLS.sub(" ", text))
        if not text.isascii():
            # C1 controls are cp1252 read as latin-1; then undo mojibake (whose lead bytes
            # read as one of "ÂÃ..ô"): both rare, so one scan decides whether to look on.
            for _ in range(3):
                if not _SUSPECT.search(text):
                    break
                if _C1.search(text):
                    text = _C1.sub(_cp1252_of_c1, text)
                repaired = repair_mojibake(text)
                if repaired == text:
                    break
                text = repaired
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        for common, plain in _COMMON:  # str.replace runs in C: the usual suspects first
            if common in text:
                text = text.replace(common, plain)
        if not text.isascii():
            text = _SPECIAL.sub(_replace_special, text)
    if text.isascii():
        if _has_c0(text):  # the same as "not text.isprintable()" here, and faster
            text = _C0.sub("", _WHITESPACE_CONTROLS.sub(" ", text))
    elif not text.isprintable():
        text = _C0.sub("", _WHITESPACE_CONTROLS.sub(" ", text))
        if not text.isascii():
            text = _CONTROLS.sub("", text)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def clean(text: str, *, repair: bool = True) -> str:
    """A block's text as it goes into a Release: entities, stray tags, ``unify``."""
    if "&" in text:
        text = unescape_entities(text)
        repair = True  # an entity may have spelled out mojibake or a control character
    if "<" in text:
        text = _TAG_RESIDUE.sub(" ", text)
    return unify(text, repair=repair)


# Entities for the characters that start mojibake (U+00C2..U+00F4) or are C1 controls.
_SUSPECT_ENTITY = re.compile(
    rb"&#(?:1[2-5]\d|19[4-9]|2[0-3]\d|24[0-4]);|&#[xX](?:[89][0-9a-fA-F]|[cC][2-9a-fA-F]|"
    rb"[dDeE][0-9a-fA-F]|[fF][0-4]);|&(?:[AEIOUYaeiouy](?:circ|grave|acute|uml|tilde|ring)|"
    rb"AElig|aelig|Ccedil|ccedil|ETH|eth|Ntilde|ntilde|times|divide|Oslash|oslash|THORN|"
    rb"thorn|szlig);")
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
# Control bytes but tab, line breaks and form feed. Looking for each with memchr (vectorized)
# is several times faster than one pass of bytes.translate over the whole document.
_CONTROL_BYTES = bytes((*range(0x09), *range(0x0e, 0x20), 0x7f))


def _holds_control_byte(data: bytes) -> bool:
    """Does ``data`` hold one of ``_CONTROL_BYTES``?"""
    return any(map(data.__contains__, _CONTROL_BYTES))  # (map: no Python frame per byte)


def needs_repair(document: str | bytes) -> bool:
    """Could any text of this decoded document (or of its UTF-8 encoding) hold mojibake or
    control characters (directly or spelled as entities)? When not, ``clean(...,
    repair=False)`` is exact and faster. Scans in C only: it runs on every byte of every
    exhibit."""
    data = document if isinstance(document, bytes) else \
        document.encode("utf-8", errors="surrogatepass")
    if b"\xc3" in data or (b"\xc2" in data and _C1_UTF8.search(data)):
        return True  # U+00C0..U+00FF (mojibake lead characters) or C1 controls
    if _holds_control_byte(data):
        return True
    return b"&" in data and bool(_SUSPECT_ENTITY.search(data))


# ---------------------------------------------------------------- dates

_MONTH_NUMBERS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
         r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)")
DATE = re.compile(
    rf"\b(?:(?P<m1>{MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y1>(?:19|20)\d\d)"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{MONTH})\.?,?\s+(?P<y2>(?:19|20)\d\d))\b",
    re.IGNORECASE,
)


# Every spelling of a month that DATE knows starts with one of these.
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")


def search_date(text: str, end: int | None = None) -> re.Match[str] | None:
    """``DATE.search(text, 0, end)``, faster: a few substring tests rule out most ASCII
    paragraphs (no month name, no date) before the slow case-blind scan."""
    head = text if end is None else text[:end]
    if head.isascii():
        lowered = head.lower()
        if not any(stem in lowered for stem in _MONTH_STEMS):
            return None
    return DATE.search(text, 0, len(head))


def date_of(match: re.Match[str]) -> date | None:
    """The date a ``DATE`` match names, or None when it names no real day."""
    month = match.group("m1") or match.group("m2")
    day = match.group("d1") or match.group("d2")
    year = match.group("y1") or match.group("y2")
    try:
        return date(int(year), _MONTH_NUMBERS[month.lower()], int(day))
    except (KeyError, ValueError):
        return None


def parse_date(text: str) -> date | None:
    """The first date written out in ``text`` ("June 24, 2002", "Sept. 15, 2008", "8 March
    2024"), or None."""
    match = search_date(text)
    return date_of(match) if match else None


# ---------------------------------------------------------------- sentences

# Abbreviations that always lead into what follows: a period after them never ends a sentence.
_PREFIXES = frozenset("""
mr mrs ms messrs mmes dr prof rev hon gen col lt sgt capt cmdr adm gov sen rep pres supt
st mt ft pt e.g i.e cf vs viz approx incl dept univ assoc est fig figs eq ref refs vol vols
ch sec sect art para no nos op
""".split())
# Abbreviations that need a number after them (else the period may end the sentence).
_NUMBERED = frozenset("no nos fig figs vol vols op ch sec sect art para p pp".split())
# Months: "Feb. 12" continues; "in Feb. The" ends.
_MONTHS_ABBR = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
# Endings of company names and personal post-nominals: a following capitalized word starts a
# new sentence ("licensed to Corvane, Inc. Halvard is ..."), unless it continues the name.
_NAME_ENDINGS = frozenset("""
inc corp co ltd plc llc llp lp l.p l.l.c n.v s.a s.a.s s.p.a a.g ag nv sa bv b.v gmbh k.k
s.r.l pty pte ab oy as asa a/s se kgaa cie et al etc
ph.d m.d jr sr esq d.v.m pharm.d m.b.a m.s b.s b.a m.a r.n d.o d.sc m.p.h j.d ll.m c.p.a
""".split())
# Words that continue a company name after its suffix ("Co. Ltd.", "Inc. (Nasdaq: X)").
_NAME_CONTINUATIONS = frozenset("ltd limited inc llc plc co corp gmbh ag sa nv kg kk".split())
# Dotted abbreviations that end sentences only before a typical sentence opener.
_AMBIGUOUS = frozenset("u.s u.k u.s.a e.u u.n a.m p.m n.a p.r.c".split())
_OPENERS = frozenset("""
the a an this that these those there it its we our us i he she his her they their in on at
as for with under upon after before during since following if when while although though
however additionally also each all both neither no not one such to from by through today
based further furthermore moreover accordingly separately subject other other's net total
revenue revenues cash in this our as of what where why how who which shares results
""".split())
# Words before a single capital letter that make it a label, not an initial ("Phase I.").
_LABELS = frozenset("""
phase stage class type part grade series group arm cohort schedule tier category level
division appendix exhibit annex form item section vitamin hepatitis factor plan study
""".split())

# "[.!?][.!?]*" rather than "[.!?]+": a pattern that opens with a character set lets the
# regex engine skip to the next candidate in C (a repeat does not), here 40% faster. A literal
# first is several times faster again: most paragraphs hold no "!" or "?", and there the
# two patterns find the same boundaries.
_BOUNDARY = re.compile(r"([.!?][.!?]*)[\"')\]]*(?=\s)")
_PERIOD_BOUNDARY = re.compile(r"(\.[.!?]*)[\"')\]]*(?=\s)")
# What follows a boundary: spaces, opening quotes or brackets, the word up to the next space.
_NEXT_WORD = re.compile(r"\s*([\"'(\[]*)([^ ]*)")
# The abbreviation lists as one lookup: the kind of each word, by the first list that holds
# it in the order _ends_sentence asks them.
_NUMBERED_WORD, _PREFIX_WORD, _MONTH_WORD, _NAME_ENDING_WORD, _AMBIGUOUS_WORD = range(1, 6)
_ABBREVIATIONS: dict[str, int] = {
    word: kind
    for kind, words in ((_AMBIGUOUS_WORD, _AMBIGUOUS), (_NAME_ENDING_WORD, _NAME_ENDINGS),
                        (_MONTH_WORD, _MONTHS_ABBR), (_PREFIX_WORD, _PREFIXES),
                        (_NUMBERED_WORD, _NUMBERED))
    for word in words
}
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]")


def _ends_sentence(text: str, end: int, stop: int) -> bool:
    """Does the punctuation ending at ``end`` (text[stop] is the mark) close a sentence?"""
    match = _NEXT_WORD.match(text, end)
    assert match is not None  # (every part of the pattern may be empty)
    opener, word = match.group(1, 2)
    if not word and not opener:
        return False  # nothing follows (or only spaces)
    first = (word or " ")[0]
    if first.islower():
        return False  # "Inc. announced", "approx. ten"
    if text[stop] != ".":
        return True  # "?" and "!" end sentences before anything that is not lower case
    token_start = text.rfind(" ", 0, stop) + 1
    token = text[token_start:stop + 1]
    core = token.lstrip("\"'([").rstrip(".").lower()
    if not core:
        return True
    if len(core) == 1 and core.isalpha() and token.lstrip("\"'([")[:1].isupper():
        # "Marcus J. Oyelaran" (an initial) against "into Phase I. The" (a label)
        before_start = text.rfind(" ", 0, max(0, token_start - 1)) + 1
        before = text[before_start:token_start].strip()
        return before.lower().strip("\"'(") in _LABELS
    kind = _ABBREVIATIONS.get(core)
    if kind is None:
        pass
    elif kind == _NUMBERED_WORD:
        return not (first.isdigit() or first in "#(")
    elif kind == _PREFIX_WORD:
        return False
    elif kind == _MONTH_WORD:
        return not first.isdigit()
    elif kind == _NAME_ENDING_WORD:
        if opener.startswith("("):
            return False  # "Inc. (Nasdaq: X)"
        return word.lower().rstrip(".,;:") not in _NAME_CONTINUATIONS
    else:
        return word.lower().strip(",;:") in _OPENERS
    if "." in core and len(core) <= 6 and _DOTTED.fullmatch(core):
        # an unknown dotted abbreviation ("N.J.", "R.I."): only before a sentence opener
        return word.lower().strip(",;:") in _OPENERS
    return True


def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences of one paragraph. Survives "Inc.", "Ph.D.", "U.S.", "No. 5", "Dr. Ray",
    "J. Smith", "Feb. 12" and "a.m. Eastern", and still ends a sentence at "... Corvane,
    Inc. Halvard is based in Boston."."""
    sentences: list[str] = []
    start = 0
    boundary = _BOUNDARY if "!" in text or "?" in text else _PERIOD_BOUNDARY
    for match in boundary.finditer(text):
        end = match.end()
        # the last sentence mark of the run decides ("?!" and "..." included)
        if _ends_sentence(text, end, match.end(1) - 1):
            sentence = text[start:end].strip()
            if sentence:
                sentences.append(sentence)
            start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return tuple(sentences)
