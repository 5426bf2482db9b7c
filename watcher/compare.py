"""A release against the company's whole history -> Comparison, paragraph by paragraph.

Consecutive releases report different news; what repeats is the company's own text (the About
paragraph with its partners, product descriptions, deal histories). So each paragraph of a new
release is looked up among *all* the company's earlier paragraphs through an index, never by
scanning earlier releases:

1. ``fingerprint_release`` (pure) reduces each paragraph to its words without noise (numbers,
   dates, prices, case, quote styles, punctuation, trademark signs, user ignore patterns) and
   a key (a hash of those words; by default of their multiset, so list order does not count);
   MinHash band hashes of the words find near repeats (``band_hashes``).
2. A ``HistoryIndex`` answers for those fingerprints (I/O): exact repeats by key, near
   candidates by shared LSH bands (the best few per paragraph, from buckets of bounded size,
   so a lookup costs the same at 10 or 10,000 earlier releases), and the paragraphs of the
   latest earlier release. ``MemoryIndex`` is the in-memory implementation (tests, bench,
   ``watcher diff``); the store keeps the same index in SQL.
3. ``compare_release`` (pure) classifies each paragraph as unchanged, revised (with a word diff
   against its closest earlier version) or new, finds the recurring paragraphs of the latest
   earlier release that disappeared (dropped), says which earlier releases were closest, and
   writes a unified diff. About paragraphs are compared with the latest earlier About section
   first, so a partner leaving the About list shows up as removed words.

Everything here is deterministic: ties are broken by recency, then by key.
"""

from __future__ import annotations

import difflib
import hashlib
import heapq
import re
import struct
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import chain
from typing import Literal, Protocol

from rapidfuzz.distance import Indel

from watcher.models import (
    ComparedRelease,
    Comparison,
    DroppedParagraph,
    Paragraph,
    ParagraphMatch,
    StoredRelease,
)

ABOUT = "about"
DEFAULT_SECTIONS: tuple[str, ...] = ("body", "quotes", ABOUT, "tables")

# Layout of the index. Changing any of these (or the noise rules: bump NOISE_VERSION) changes
# every stored fingerprint; the store notices through ``CompareOptions.index_signature`` and
# rebuilds the company's index.
NOISE_VERSION = 1
BANDS = 16          # LSH bands per paragraph
ROWS = 3            # MinHash values per band: P(candidate) = 1 - (1 - J**ROWS)**BANDS
BUCKET_SIZE = 32    # most recent distinct paragraphs kept per band bucket: bounds a lookup
_BINS = BANDS * ROWS
_MASK63 = (1 << 63) - 1  # band hashes fit a signed 64-bit column (SQLite INTEGER, BIGINT)


# ------------------------------------------------------------------------------ options

@dataclass(frozen=True, slots=True)
class CompareOptions:
    """How to compare; built from the ``compare:`` section of config.yaml."""

    sections: tuple[str, ...] = DEFAULT_SECTIONS
    revised_threshold: float = 0.6   # word similarity from which a paragraph is "revised"
    about_threshold: float = 0.4     # the same, between two About paragraphs
    ignore: tuple[str, ...] = ()     # regular expressions whose matches never count
    ignore_order: bool = True        # the same words in another order are unchanged
    dropped_sections: tuple[str, ...] = (ABOUT,)  # where a disappeared paragraph is reported
    dropped_min_occurrences: int = 2  # ... once it has recurred (appeared in 2+ releases)
    candidates: int = 16             # near candidates the index returns per paragraph

    @property
    def index_signature(self) -> str:
        """What the stored fingerprints depend on; a change means re-indexing."""
        parts = [f"v{NOISE_VERSION}", f"{BANDS}x{ROWS}/{BUCKET_SIZE}",
                 f"order={'no' if self.ignore_order else 'yes'}",
                 "sections=" + ",".join(self.sections), *self.ignore]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


DEFAULT_OPTIONS = CompareOptions()


# ------------------------------------------------------------------------------ noise
#
# Noise is decided word by word: each whitespace-separated word is reduced once (cached) to a
# token and a kind, then a little context decides: a number is noise unless it names a stage
# ("Phase 2"); "million" after a number and a month name before one (a date) are noise too.

_WORD, _NUMBER, _MONTH, _WEEKDAY, _SCALE, _STAGE = range(6)
_KINDS: dict[str, int] = {
    **dict.fromkeys("january february march april may june july august september october "
                    "november december jan feb mar apr jun jul aug sep sept oct nov dec".split(),
                    _MONTH),
    **dict.fromkeys("monday tuesday wednesday thursday friday saturday sunday".split(),
                    _WEEKDAY),
    **dict.fromkeys("million billion thousand trillion percent".split(), _SCALE),
    **dict.fromkeys("phase stage part type grade class cohort step tier".split(), _STAGE),
}
# prices, share counts, percentages, phone numbers, numeric dates; not identifiers (ALD-214,
# 10-K, p38, 3rd), which keep their letters
_IS_NUMBER = re.compile(r"\d(?:[\d,.:/\-]*\d)?").fullmatch
_TRADEMARK = re.compile(r"\((?:tm|r|sm|c)\)|[™®℠©]")
_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-",
    "\u00ad": None, "\u200b": None, "\ufeff": None,
})
# Stripped from both ends of a word (inner ones stay: "ALD-214", "U.S.", "co-develop").
_EDGE_PUNCTUATION = "\"'.,;:!?()[]{}<>*|#•·…-/\\_~+=^&%$€£¥@«»"
# Too common to say which paragraphs are alike; left out of MinHash shingles only.
_STOPWORDS = frozenset("""
a an and are as at be been by for from has have in into is it its of on or that the their this
to was were which will with our we his her he she they said also such other company inc
""".split())


@lru_cache(maxsize=1 << 15)
def _classify(word: str) -> tuple[str, int]:
    """A word -> (token, kind): lower case, straight quotes, no trademark signs, no edge
    punctuation. An empty token is punctuation only."""
    token = word.translate(_TRANSLATE).lower()
    if "(" in token or not token.isascii():
        token = _TRADEMARK.sub("", token)
    token = token.strip(_EDGE_PUNCTUATION)
    if _IS_NUMBER(token):
        return token, _NUMBER
    return token, _KINDS.get(token, _WORD)


def _counted(words: Sequence[str]) -> list[tuple[int, str]]:
    """(index of the word, token) of the words that count."""
    kinds = [_classify(w) for w in words]
    out: list[tuple[int, str]] = []
    previous = -1  # kind of the previous word that was not punctuation only
    for i, (token, kind) in enumerate(kinds):
        if not token:
            continue
        if kind == _NUMBER:
            if previous == _STAGE:
                out.append((i, token))
        elif kind == _SCALE and previous == _NUMBER:
            pass
        elif kind in (_MONTH, _WEEKDAY) and _next_kind(kinds, i) in (_NUMBER, _MONTH):
            pass  # "June 24, 2002", "Monday, June 24"
        else:
            out.append((i, token))
        previous = kind
    return out


def _next_kind(kinds: Sequence[tuple[str, int]], i: int) -> int:
    for token, kind in kinds[i + 1:i + 3]:
        if token:
            return kind
    return -1


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


@lru_cache(maxsize=64)
def _ignore_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


# dashes between words separate them ("platform—now"); hyphens inside words do not
_DASHES = re.compile("[\u2012-\u2015]|--")


def _pieces(text: str, options: CompareOptions) -> tuple[list[str], list[int]]:
    """The words of ``text`` once user ignore patterns and dashes are blanked out, and for
    each the index of the original word it comes from (either can cut a word in pieces)."""
    if not options.ignore and not _DASHES.search(text):
        words = text.split()
        return words, list(range(len(words)))
    masked = text
    for pattern in _ignore_patterns(options.ignore):
        masked = pattern.sub(_blank, masked)  # same length: positions stay
    masked = _DASHES.sub(_blank, masked)
    pieces: list[str] = []
    owners: list[int] = []
    for n, match in enumerate(re.finditer(r"\S+", text)):
        for piece in masked[match.start():match.end()].split():
            pieces.append(piece)
            owners.append(n)
    return pieces, owners


def paragraph_tokens(text: str, options: CompareOptions = DEFAULT_OPTIONS) -> tuple[str, ...]:
    """The words that count, as tokens: lower case, straight quotes, no edge punctuation; no
    numbers, dates, prices or trademark signs; nothing a user ignore pattern matches."""
    pieces, _ = _pieces(text, options)
    return tuple(token for _, token in _counted(pieces))


def _word_tokens(text: str, options: CompareOptions) -> tuple[list[str], list[str], list[int]]:
    """The original words, the tokens (as ``paragraph_tokens``) and each token's word."""
    pieces, owners = _pieces(text, options)
    counted = _counted(pieces)
    return text.split(), [t for _, t in counted], [owners[i] for i, _ in counted]


def paragraph_key(tokens: Sequence[str], options: CompareOptions = DEFAULT_OPTIONS) -> str:
    """Equal keys = unchanged paragraphs: a hash of the words (of their multiset by default)."""
    ordered = sorted(tokens) if options.ignore_order else tokens
    return hashlib.blake2b("\x1f".join(ordered).encode(), digest_size=16).hexdigest()


# ------------------------------------------------------------------------------ fingerprints

@lru_cache(maxsize=1 << 15)
def _bin(token: str) -> tuple[int, int]:
    """(bin, value) of a word in the one-permutation MinHash: one stable 64-bit hash."""
    h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")
    return h % _BINS, h // _BINS


_EMPTY = 1 << 64


def band_hashes(tokens: Iterable[str]) -> tuple[int, ...]:
    """MinHash of the paragraph's distinct words (stopwords aside), cut into ``BANDS`` bands.

    One hash per word spread over ``_BINS`` bins (one-permutation hashing), empty bins filled
    from the next full one (densification): linear in the words, not in words x hashes.
    Two paragraphs share a band with probability ~ 1 - (1 - J**ROWS)**BANDS, J their Jaccard.
    """
    words = set(tokens)
    shingles = words - _STOPWORDS or words
    if not shingles:
        return ()
    bins = [_EMPTY] * _BINS
    for slot, value in map(_bin, shingles):
        if value < bins[slot]:
            bins[slot] = value
    if _EMPTY in bins:
        # an empty bin borrows from the next full one to its right (wrapping around), with
        # the distance mixed in so that borrowed values differ from the originals
        n = _BINS
        following = next(i for i, v in enumerate(bins) if v != _EMPTY) + n
        for i in range(n - 1, -1, -1):
            if bins[i] != _EMPTY:
                following = i
            else:
                bins[i] = (bins[following % n] * 0x9E3779B1 + following - i) & _MASK63
    out = []
    for band in range(0, _BINS, ROWS):
        h = band + 1
        for value in bins[band:band + ROWS]:
            h = (h * 0x100000001B3 ^ value) & _MASK63
        out.append(h)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ParagraphPrint:
    """One compared paragraph of a release, reduced to what the index needs."""

    position: int          # index in ``Release.paragraphs``
    section: str
    text: str
    tokens: tuple[str, ...]
    key: str

    @property
    def bands(self) -> tuple[int, ...]:
        """Its LSH band hashes: only needed when it has no exact repeat, so not stored."""
        return band_hashes(self.tokens)


@dataclass(frozen=True, slots=True)
class ReleasePrint:
    """The compared paragraphs of one release (sections outside the options, and paragraphs
    made only of noise, left out)."""

    paragraphs: tuple[ParagraphPrint, ...]


def fingerprint_release(paragraphs: Sequence[Paragraph],
                        options: CompareOptions = DEFAULT_OPTIONS) -> ReleasePrint:
    """What the index needs of a release: its compared paragraphs' tokens and keys."""
    if isinstance(paragraphs, tuple):
        # memoized: the release a filing is compared as is indexed, from its stored copy,
        # when the company's next filing comes (often the very next one, in a backfill)
        return _fingerprint_tuple(paragraphs, options)
    return _fingerprint(paragraphs, options)


def _fingerprint(paragraphs: Sequence[Paragraph], options: CompareOptions) -> ReleasePrint:
    out = []
    for position, p in enumerate(paragraphs):
        if p.section not in options.sections:
            continue
        tokens = paragraph_tokens(p.text, options)
        if not tokens:
            continue
        out.append(ParagraphPrint(position, p.section, p.text, tokens,
                                  paragraph_key(tokens, options)))
    return ReleasePrint(tuple(out))


@lru_cache(maxsize=32)
def _fingerprint_tuple(paragraphs: tuple[Paragraph, ...],
                       options: CompareOptions) -> ReleasePrint:
    return _fingerprint(paragraphs, options)


# ------------------------------------------------------------------------------ the index

@dataclass(frozen=True, slots=True)
class IndexedParagraph:
    """A distinct earlier paragraph of the company (one row however often it recurred)."""

    paragraph_id: int           # increases in the order paragraphs were first seen
    section: str
    key: str
    text: str
    tokens: tuple[str, ...]
    occurrences: int            # in how many earlier releases it appeared
    last_accession: str         # the latest earlier release it appeared in
    last_filed: date | None
    last_seen: int              # recency rank: higher = seen later (ties are broken by it)


@dataclass(frozen=True, slots=True)
class PreviousRelease:
    """The latest earlier release, paragraph by paragraph (for dropped and About-first)."""

    accession: str
    filed: date | None
    paragraphs: tuple[IndexedParagraph, ...]


@dataclass(frozen=True, slots=True)
class HistoryHits:
    """What the index found for one release: exact repeats by key, near candidates per
    paragraph of ``query`` (same order; none needed for a paragraph with an exact repeat), and
    the latest earlier release."""

    query: ReleasePrint
    exact: Mapping[str, tuple[IndexedParagraph, ...]] = field(default_factory=dict)
    near: tuple[tuple[IndexedParagraph, ...], ...] = ()
    previous: PreviousRelease | None = None


class HistoryIndex(Protocol):
    """The company's earlier paragraphs, queried by fingerprints (the I/O side of compare)."""

    def lookup(self, query: ReleasePrint) -> HistoryHits: ...


_ID_MASK = (1 << 40) - 1


def top_candidates(buckets: Iterable[Iterable[int]], limit: int) -> list[int]:
    """The ids of the ``limit`` paragraphs found in the most buckets; ties go to the most
    recent (the highest id)."""
    counts = Counter(chain.from_iterable(buckets))
    # count and id packed in one int: nlargest without a key function
    packed = heapq.nlargest(limit, ((n << 40) | ident for ident, n in counts.items()))
    return [v & _ID_MASK for v in packed]


def pack_bucket(ids: Sequence[int]) -> bytes:
    """A band bucket as stored: its paragraph ids, oldest first, 8 bytes each."""
    return struct.pack(f"<{len(ids)}q", *ids)


def unpack_bucket(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(data) // 8}q", data))


def push_bucket(bucket: list[int], ident: int) -> None:
    """Add a paragraph to a band bucket, forgetting the oldest beyond ``BUCKET_SIZE``: a
    bucket never grows, so a lookup reads the same amount at any history length."""
    bucket.append(ident)
    if len(bucket) > BUCKET_SIZE:
        del bucket[:len(bucket) - BUCKET_SIZE]


class MemoryIndex:
    """The paragraph index of one company in memory: the same layout and answers as the
    store's index, without a database. ``add`` releases oldest first, then ``lookup``.

    Distinct paragraphs are numbered in the order they were first seen (``paragraph_id``;
    the store uses its row ids, which grow in the same order); each band bucket keeps the
    ``BUCKET_SIZE`` most recent of them.
    """

    def __init__(self, options: CompareOptions = DEFAULT_OPTIONS) -> None:
        self.options = options
        self._by_key: dict[tuple[str, str], int] = {}
        self._keys: dict[str, list[int]] = {}
        self._rows: list[IndexedParagraph] = []
        self._buckets: dict[int, list[int]] = {}
        self._previous: tuple[str, date | None, tuple[int, ...]] | None = None
        self._releases = 0

    def __len__(self) -> int:
        """Distinct paragraphs indexed."""
        return len(self._rows)

    def add(self, accession: str, filed: date | None, release: ReleasePrint) -> None:
        self._releases += 1
        seqs: list[int] = []
        counted: set[int] = set()
        for p in release.paragraphs:
            seq = self._by_key.get((p.section, p.key))
            if seq is None:
                seq = len(self._rows)
                self._by_key[(p.section, p.key)] = seq
                self._keys.setdefault(p.key, []).append(seq)
                self._rows.append(IndexedParagraph(seq, p.section, p.key, p.text, p.tokens, 1,
                                                   accession, filed, self._releases))
                for band in p.bands:
                    push_bucket(self._buckets.setdefault(band, []), seq)
            elif seq not in counted:
                old = self._rows[seq]
                self._rows[seq] = IndexedParagraph(seq, old.section, old.key, old.text,
                                                   old.tokens, old.occurrences + 1, accession,
                                                   filed, self._releases)
            counted.add(seq)
            seqs.append(seq)
        self._previous = (accession, filed, tuple(seqs))

    def lookup(self, query: ReleasePrint) -> HistoryHits:
        rows = self._rows
        exact = {p.key: tuple(rows[i] for i in self._keys[p.key])
                 for p in query.paragraphs if p.key in self._keys}
        empty: list[int] = []
        near = tuple(
            () if p.key in exact else tuple(rows[i] for i in top_candidates(
                (self._buckets.get(b, empty) for b in p.bands), self.options.candidates))
            for p in query.paragraphs
        )
        previous = None
        if self._previous is not None:
            accession, filed, seqs = self._previous
            previous = PreviousRelease(accession, filed, tuple(rows[i] for i in seqs))
        return HistoryHits(query, exact, near, previous)


# ------------------------------------------------------------------------------ word diffs

Mark = Literal["", "removed", "added", "moved"]


@dataclass(frozen=True, slots=True)
class WordSegment:
    text: str
    mark: Mark = ""


@dataclass(frozen=True, slots=True)
class WordDiff:
    """Two paragraphs word by word. ``before``/``after`` cover each text completely (for a
    side-by-side view); ``removed``/``added`` are the phrases that really changed (noise and,
    when order is ignored, words that only moved, left out); ``inline`` is the new text with
    ``[-removed-]`` and ``{+added+}`` marks, like ``git diff --word-diff``."""

    before: tuple[WordSegment, ...]
    after: tuple[WordSegment, ...]
    removed: tuple[str, ...]
    added: tuple[str, ...]
    inline: str


def _moved_runs(deleted: list[tuple[str, ...]], inserted: list[tuple[str, ...]]
                ) -> tuple[set[int], set[int]]:
    """Runs made only of words that appear on the other side: moves, not changes."""
    moved_del: set[int] = set()
    moved_ins: set[int] = set()
    free = list(range(len(inserted)))
    for i, run in enumerate(deleted):  # a run that moved whole
        for j in free:
            if inserted[j] == run:
                moved_del.add(i)
                moved_ins.add(j)
                free.remove(j)
                break
    rest_del = Counter(t for i, r in enumerate(deleted) if i not in moved_del for t in r)
    rest_ins = Counter(t for j, r in enumerate(inserted) if j not in moved_ins for t in r)
    common = rest_del & rest_ins
    for runs, moved in ((deleted, moved_del), (inserted, moved_ins)):
        pool = Counter(common)
        for i, run in enumerate(runs):
            if i in moved:
                continue
            need = Counter(run)
            if all(pool[t] >= n for t, n in need.items()):
                pool.subtract(need)
                moved.add(i)
    return moved_del, moved_ins


def diff_words(before: str, after: str, options: CompareOptions = DEFAULT_OPTIONS) -> WordDiff:
    """A word-level diff that ignores the same noise as the comparison.

    The diff runs on tokens; each original word then takes the mark of its tokens (removed or
    added beats moved beats unchanged) and noise-only words the mark around them, so that
    the two texts are covered word for word.
    """
    words_a, tok_a, own_a = _word_tokens(before, options)
    words_b, tok_b, own_b = _word_tokens(after, options)
    opcodes = difflib.SequenceMatcher(None, tok_a, tok_b, autojunk=False).get_opcodes()
    deleted: list[tuple[int, int, int]] = []   # (token start, token end, anchor token in b)
    inserted: list[tuple[int, int]] = []
    for op, i1, i2, j1, j2 in opcodes:
        if op in ("delete", "replace"):
            deleted.append((i1, i2, j1))
        if op in ("insert", "replace"):
            inserted.append((j1, j2))
    moved_del, moved_ins = (
        _moved_runs([tuple(tok_a[i1:i2]) for i1, i2, _ in deleted],
                    [tuple(tok_b[j1:j2]) for j1, j2 in inserted])
        if options.ignore_order else (set(), set()))

    marks_a: list[Mark] = [""] * len(words_a)
    marks_b: list[Mark] = [""] * len(words_b)
    anchors: dict[int, int] = {}  # first word of a removed run -> word of b it goes before
    for n, (i1, i2, j1) in enumerate(deleted):
        mark: Mark = "moved" if n in moved_del else "removed"
        for i in range(i1, i2):
            _mark(marks_a, own_a[i], mark)
        if mark == "removed":
            anchors.setdefault(own_a[i1], own_b[j1] if j1 < len(own_b) else len(words_b))
    for n, (j1, j2) in enumerate(inserted):
        for j in range(j1, j2):
            _mark(marks_b, own_b[j], "moved" if n in moved_ins else "added")
    _spread(marks_a, own_a)
    _spread(marks_b, own_b)

    removed_runs = _runs(words_a, marks_a, "removed")
    added_runs = _runs(words_b, marks_b, "added")
    at: dict[int, list[str]] = {}
    for first, text in removed_runs:
        anchor = anchors.get(first)
        if anchor is None:  # a run that starts on a noise word: anchor on its first token
            anchor = next((anchors[w] for w in range(first, len(words_a)) if w in anchors),
                          len(words_b))
        at.setdefault(anchor, []).append(f"[-{text}-]")
    inline: list[str] = []
    added_at = dict(added_runs)
    k = 0
    while k <= len(words_b):
        inline.extend(at.get(k, ()))
        if k == len(words_b):
            break
        if k in added_at:
            inline.append(f"{{+{added_at[k]}+}}")
            while k < len(words_b) and marks_b[k] == "added":
                k += 1
            continue
        inline.append(words_b[k])
        k += 1
    return WordDiff(_segments(words_a, marks_a), _segments(words_b, marks_b),
                    tuple(t for _, t in removed_runs), tuple(t for _, t in added_runs),
                    " ".join(inline))


_STRENGTH = {"": 0, "moved": 1, "removed": 2, "added": 2}


def _mark(marks: list[Mark], word: int, mark: Mark) -> None:
    if _STRENGTH[mark] > _STRENGTH[marks[word]]:
        marks[word] = mark


def _spread(marks: list[Mark], owners: Sequence[int]) -> None:
    """Noise-only words (no token) between two words of the same mark take that mark."""
    has_tokens = set(owners)
    previous: Mark | None = None
    pending: list[int] = []
    for w, mark in enumerate(marks):
        if w not in has_tokens:
            pending.append(w)
            continue
        if pending and previous == mark:
            for p in pending:
                marks[p] = mark
        pending = []
        previous = mark


def _runs(words: Sequence[str], marks: Sequence[Mark], mark: Mark) -> list[tuple[int, str]]:
    """(first word, text) of each run of consecutive words with ``mark``."""
    out: list[tuple[int, str]] = []
    start = -1
    for w, m in enumerate([*marks, ""]):
        if m == mark and start < 0:
            start = w
        elif m != mark and start >= 0:
            out.append((start, " ".join(words[start:w])))
            start = -1
    return out


def _segments(words: Sequence[str], marks: Sequence[Mark]) -> tuple[WordSegment, ...]:
    out: list[WordSegment] = []
    for word, mark in zip(words, marks, strict=True):
        if out and out[-1].mark == mark:
            out[-1] = WordSegment(out[-1].text + " " + word, mark)
        else:
            out.append(WordSegment(word, mark))
    return tuple(out)


def word_diff(before: str, after: str, options: CompareOptions = DEFAULT_OPTIONS) -> str:
    """Words removed as ``[-...-]`` and added as ``{+...+}``, like ``git diff --word-diff``."""
    return diff_words(before, after, options).inline


# ------------------------------------------------------------------------------ compare

def similarity(a: Sequence[str], b: Sequence[str], cutoff: float = 0.0) -> float:
    """Word-level similarity 2*LCS/(len a + len b), as difflib's ratio but exact and in C;
    0.0 below ``cutoff``."""
    return float(Indel.normalized_similarity(a, b, score_cutoff=cutoff))


def _threshold(q: ParagraphPrint, c: IndexedParagraph, options: CompareOptions) -> float:
    if q.section == ABOUT and c.section == ABOUT:
        return options.about_threshold
    return options.revised_threshold


def _rank(c: IndexedParagraph) -> tuple[int, str]:
    return (c.last_seen, c.key)


def _closest(q: ParagraphPrint, pool: Iterable[IndexedParagraph],
             options: CompareOptions) -> tuple[IndexedParagraph, float] | None:
    """The most similar candidate above its threshold: same section first, then any."""
    best: dict[bool, tuple[float, tuple[int, str], IndexedParagraph]] = {}
    for c in pool:
        if c.section not in options.sections:
            continue
        score = similarity(q.tokens, c.tokens, _threshold(q, c, options))
        if not score:
            continue
        same = c.section == q.section
        entry = (score, _rank(c), c)
        if same not in best or entry[:2] > best[same][:2]:
            best[same] = entry
    for same in (True, False):
        if same in best:
            return best[same][2], best[same][0]
    return None


def _exact(q: ParagraphPrint, found: Sequence[IndexedParagraph]) -> IndexedParagraph | None:
    if not found:
        return None
    return max(found, key=lambda c: (c.section == q.section, _rank(c)))


def compare_release(history: HistoryHits, options: CompareOptions = DEFAULT_OPTIONS, *,
                    label: str = "this release") -> Comparison:
    """Classify every paragraph of ``history.query`` against what the index found. Pure."""
    query = history.query.paragraphs
    previous = history.previous
    prev_paragraphs = previous.paragraphs if previous is not None else ()
    repeated = {q.key for q in query if q.key in history.exact}
    prev_about = [p for p in prev_paragraphs if p.section == ABOUT]
    # the latest release's other paragraphs are candidates too (a safety net under the LSH
    # index), except those this release repeats exactly
    prev_pool = [p for p in prev_paragraphs if p.key not in repeated]
    near_lists = history.near or tuple(() for _ in query)
    matches: list[ParagraphMatch] = []
    matched: list[IndexedParagraph | None] = []
    credit: dict[str, float] = defaultdict(float)
    counted: Counter[str] = Counter()
    filed: dict[str, date | None] = {}
    for q, near in zip(query, near_lists, strict=True):
        found = _exact(q, history.exact.get(q.key, ()))
        if found is not None:
            matches.append(ParagraphMatch("unchanged", q.section, q.text, 1.0, found.text,
                                          found.last_accession))
            score = 1.0
        else:
            best = _closest(q, prev_about, options) if q.section == ABOUT else None
            if best is None:
                seen = {c.paragraph_id for c in near}
                best = _closest(q, [*near, *(c for c in prev_pool if c.paragraph_id not in seen)],
                                options)
            if best is None:
                matches.append(ParagraphMatch("new", q.section, q.text))
                matched.append(None)
                continue
            found, score = best
            words = diff_words(found.text, q.text, options)
            matches.append(ParagraphMatch(
                "revised", q.section, q.text, round(score, 3), found.text,
                found.last_accession, words.inline, words.removed, words.added))
        matched.append(found)
        credit[found.last_accession] += score * len(q.tokens)
        counted[found.last_accession] += 1
        filed[found.last_accession] = found.last_filed

    dropped = _dropped(query, matched, previous, options)
    total = sum(len(q.tokens) for q in query) or 1
    compared = sorted(credit, key=lambda acc: (-credit[acc], -(_ordinal(filed[acc])), acc))
    return Comparison(
        compared_with=tuple(ComparedRelease(acc, filed[acc], round(credit[acc] / total, 3),
                                            counted[acc]) for acc in compared[:5]),
        paragraphs=tuple(matches),
        dropped=dropped,
        unified=unified_diff(matches, dropped,
                             fromfile=previous.accession if previous else "earlier releases",
                             tofile=label),
    )


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day is not None else 0


def _dropped(query: Sequence[ParagraphPrint], matched: Sequence[IndexedParagraph | None],
             previous: PreviousRelease | None,
             options: CompareOptions) -> tuple[DroppedParagraph, ...]:
    """Recurring paragraphs of the latest earlier release, in the sections where disappearing
    means something (the About section by default: news and financial tables come and go),
    that nothing in this release repeats or revises."""
    if previous is None:
        return ()
    covered = {c.key for c in matched if c is not None} | {q.key for q in query}
    out = []
    seen: set[str] = set()
    for p in previous.paragraphs:
        if p.key in covered or p.key in seen or p.section not in options.dropped_sections \
                or p.occurrences < options.dropped_min_occurrences:
            continue
        seen.add(p.key)
        # revised by a paragraph that found an even closer earlier version: not dropped
        if any(similarity(q.tokens, p.tokens, _threshold(q, p, options)) for q in query):
            continue
        out.append(DroppedParagraph(p.section, p.text, previous.accession))
    return tuple(out)


def unified_diff(matches: Sequence[ParagraphMatch], dropped: Sequence[DroppedParagraph], *,
                 fromfile: str, tofile: str, context: int = 1) -> str:
    """A unified diff, one paragraph per line, of this release against the earlier versions of
    its paragraphs: unchanged paragraphs are context (in this release's order and wording, so
    noise and moves do not show), revised ones show their closest earlier version, dropped
    ones close their section."""
    rows: list[tuple[str, str | None, str | None]] = []
    for m in matches:
        if m.status == "unchanged":
            rows.append((m.section, m.text, m.text))
        elif m.status == "revised":
            rows.append((m.section, m.previous_text, m.text))
        else:
            rows.append((m.section, None, m.text))
    for d in dropped:
        at = max((i for i, r in enumerate(rows) if r[0] == d.section), default=len(rows) - 1)
        rows.insert(at + 1, (d.section, d.text, None))
    before = [b for _, b, _ in rows if b is not None]
    after = [a for _, _, a in rows if a is not None]
    return "\n".join(difflib.unified_diff(before, after, fromfile=fromfile, tofile=tofile,
                                          lineterm="", n=context))


def compare_with_releases(paragraphs: Sequence[Paragraph], earlier: Sequence[StoredRelease],
                          options: CompareOptions = DEFAULT_OPTIONS, *,
                          label: str = "this release") -> Comparison:
    """Compare with ``earlier`` releases (oldest first) through a throw-away in-memory index:
    for ``watcher diff``, tests and one-off comparisons."""
    index = MemoryIndex(options)
    for stored in earlier:
        index.add(stored.accession, stored.filed,
                  fingerprint_release(stored.release.paragraphs, options))
    hits = index.lookup(fingerprint_release(paragraphs, options))
    return compare_release(hits, options, label=label)
