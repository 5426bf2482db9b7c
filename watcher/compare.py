"""A release against the company's earlier releases -> Comparison, paragraph by paragraph.

Pure and deterministic. Consecutive releases report different news; what repeats is the
company's own text (About paragraph, product descriptions, deal histories). So every paragraph
of the new release is matched with its closest earlier paragraph (exact repeats by a
normalized key, near repeats by similarity), classified as unchanged, revised (with a word
diff) or new; recurring paragraphs of the latest release that found no successor are dropped.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from watcher.models import (
    ComparedRelease,
    Comparison,
    DroppedParagraph,
    Paragraph,
    ParagraphMatch,
    StoredRelease,
)

REVISED_THRESHOLD = 60.0
_NOISE = re.compile(
    r"\$?\d[\d,.]*(\s*(million|billion|thousand|%|percent))?|"
    r"\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"\S+")
COMPARED_SECTIONS = ("body", "quotes", "about", "tables")


def paragraph_key(text: str) -> str:
    """What a paragraph is, ignoring numbers, dates, case and spacing: equal keys = unchanged."""
    return " ".join(_NOISE.sub("#", text.lower()).split())


def word_diff(before: str, after: str) -> str:
    """Words removed as ``[-...-]`` and added as ``{+...+}``, like ``git diff --word-diff``."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False) \
            .get_opcodes():
        if op == "equal":
            out.extend(old[i1:i2])
            continue
        if i2 > i1:
            out.append("[-" + " ".join(old[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(new[j1:j2]) + "+}")
    return " ".join(out)


@dataclass(frozen=True, slots=True)
class _Earlier:
    key: str
    paragraph: Paragraph
    accession: str


def compare_release(release_paragraphs: Sequence[Paragraph],
                    history: Sequence[StoredRelease]) -> Comparison:
    """Compare a release's paragraphs with ``history`` (earlier releases, newest first)."""
    paragraphs = [p for p in release_paragraphs if p.section in COMPARED_SECTIONS]
    if not history:
        return Comparison(
            compared_with=(),
            paragraphs=tuple(ParagraphMatch(status="new", section=p.section, text=p.text)
                             for p in paragraphs),
        )
    earlier: list[_Earlier] = []
    by_key: dict[str, _Earlier] = {}
    for stored in history:
        for p in stored.release.paragraphs:
            if p.section not in COMPARED_SECTIONS:
                continue
            item = _Earlier(paragraph_key(p.text), p, stored.accession)
            earlier.append(item)
            by_key.setdefault(item.key, item)  # newest first: keep the latest occurrence
    keys = [e.key for e in earlier]
    matches: list[ParagraphMatch] = []
    hits: Counter[str] = Counter()
    matched_keys: set[str] = set()
    for p in paragraphs:
        key = paragraph_key(p.text)
        exact = by_key.get(key)
        if exact is not None:
            matches.append(ParagraphMatch("unchanged", p.section, p.text, 1.0,
                                          exact.paragraph.text, exact.accession))
            hits[exact.accession] += 1
            matched_keys.add(key)
            continue
        best = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=REVISED_THRESHOLD)
        if best is None:
            matches.append(ParagraphMatch("new", p.section, p.text))
            continue
        found = earlier[best[2]]
        matched_keys.add(found.key)
        hits[found.accession] += 1
        matches.append(ParagraphMatch(
            "revised", p.section, p.text, round(best[1] / 100.0, 3), found.paragraph.text,
            found.accession, word_diff(found.paragraph.text, p.text),
        ))
    latest = history[0]
    dropped = tuple(
        DroppedParagraph(p.section, p.text, latest.accession)
        for p in latest.release.paragraphs
        if p.section == "about" and paragraph_key(p.text) not in matched_keys
    )
    total = max(1, len(paragraphs))
    compared = tuple(
        ComparedRelease(s.accession, s.filed, round(hits[s.accession] / total, 3))
        for s in sorted(history, key=lambda s: -hits[s.accession])
        if hits[s.accession]
    )[:5]
    return Comparison(
        compared_with=compared,
        paragraphs=tuple(matches),
        dropped=dropped,
        unified=unified_diff(latest, paragraphs),
    )


def unified_diff(earlier: StoredRelease, paragraphs: Sequence[Paragraph]) -> str:
    """A unified diff, one paragraph per line, of the latest earlier release and this one."""
    before = [p.text for p in earlier.release.paragraphs if p.section in COMPARED_SECTIONS]
    after = [p.text for p in paragraphs]
    return "\n".join(difflib.unified_diff(before, after, fromfile=earlier.accession,
                                          tofile="this release", lineterm="", n=1))
