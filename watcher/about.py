"""The list of partners in a company's "About" paragraph, as (partner, product) pairs.

Companies restate their partnerships in the boilerplate that closes every release, in a few
recurring shapes, all handled by one grammar:

- ``ORG (PRODUCT, indication; territory), ORG (PRODUCT, ...) and ORG (...)``
- ``PRODUCT for X, licensed to ORG; PRODUCT ..., which is the subject of an option agreement
  with ORG; and a research collaboration with ORG``
- ``ORG, which is developing PRODUCT ...; ORG, with which the Company is co-developing PRODUCT``
- ``The Company has licensed PRODUCT to ORG for A and to ORG for B, and has granted options to
  license PRODUCT to ORG and PRODUCT to ORG``

A sentence is cut into segments at semicolons and at ", and" / ", as well as" / ", while"
(outside parentheses); inside a segment, one organisation takes every product, one product
goes to every organisation, and equal numbers pair up in order. Products in a segment without
an organisation are the company's own. A segment with an organisation and no product that
refers back ("P is in Phase 3; it is licensed to A", "; B holds the rights in Japan") takes the
products of the segment before.

Pure: ``about_pairs(sentences, recognizer)`` -> the pairs, or None when no paragraph of the
release lists partners.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from watcher.mentions import Mention, Recognizer

_SEGMENT_BREAK = re.compile(
    r";\s*(?:and\s+)?|,\s+(?:and|as\s+well\s+as|while|whereas|but|plus)\s+(?!(?:to|related|"
    r"other|commerciali[sz]e|develop|market)\b)")
_PARENTHESES = re.compile(r"\s*\(([^()]*)\)")
_LATTER = re.compile(r"\bthe\s+latter\b", re.IGNORECASE)
# A segment that names a partner but no product, and speaks of the product before it: "P is in
# Phase 3; it is licensed in Europe to A", "..., and will be co-promoted with B", "; C holds
# the rights in Japan".
_REFERS_BACK = re.compile(
    r"^\s*(?:(?:it|which|they|the\s+(?:product|compound|drug|antibody|molecule))\s+)?(?:is|are|was|"
    r"were|will\s+be|would\s+be|has\s+been|have\s+been|is\s+being|are\s+being|remains?)\s+"
    r"(?:[\w\-.]+\s+){0,4}?(?:sub)?(?:licen[cs]ed|partnered|co-?promoted|co-?marketed|co-?developed|"
    r"marketed|developed|commerciali[sz]ed|sold|distributed)\b|"
    r"\b(?:holds?|owns?|retains?|has|have)\s+(?:the|its|their)\s+(?:[\w\-.]+\s+){0,2}?rights\b"
    r"(?!\s+to\b)", re.IGNORECASE)
_FORMER = re.compile(r"\bthe\s+former\b", re.IGNORECASE)
_RELATION_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\boption\b", re.IGNORECASE), "option_granted"),
    (re.compile(r"\bco-?develop|\bcollaborat|\bjointly\b|\balliance\b", re.IGNORECASE),
     "collaborating"),
    (re.compile(r"\blicen[cs]|\brights\b|\bpartnered\b|\bdeveloping\b|\baccess\b",
                re.IGNORECASE), "licensed"),
)


@dataclass(frozen=True, slots=True)
class AboutPair:
    """One (partner, product) pair listed in the About paragraph; product ``""`` = platform."""

    partner: str
    product: str
    relationship: str | None
    evidence: str


def _segments(sentence: str) -> list[tuple[int, int]]:
    """Spans of the sentence cut at list boundaries that are not inside parentheses."""
    depth = 0
    cuts: list[tuple[int, int]] = []
    i = 0
    while i < len(sentence):
        ch = sentence[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ";,":
            m = _SEGMENT_BREAK.match(sentence, i)
            if m:
                cuts.append((i, m.end()))
                i = m.end()
                continue
        i += 1
    spans: list[tuple[int, int]] = []
    start = 0
    for cut_start, cut_end in cuts:
        spans.append((start, cut_start))
        start = cut_end
    spans.append((start, len(sentence)))
    return [s for s in spans if s[1] > s[0]]


def _relationship(text: str) -> str | None:
    for pattern, status in _RELATION_WORDS:
        if pattern.search(text):
            return status
    return None


def _parenthetical(sentence: str, orgs: Sequence[Mention],
                   products: Sequence[Mention]) -> list[tuple[Mention, list[Mention]]] | None:
    """``ORG (PRODUCT, ...)`` lists: each organisation takes the products in the parentheses
    right after it. None when the sentence does not use that shape."""
    groups: list[tuple[Mention, list[Mention]]] = []
    for org in orgs:
        m = _PARENTHESES.match(sentence, org.end)
        if not m:
            continue
        start, end = m.start(1), m.end(1)
        inside = [p for p in products if start <= p.start and p.end <= end]
        if inside:
            groups.append((org, inside))
    return groups or None


# Words between two organisations that start a deal of its own for the second one.
_OWN_CLAUSE = re.compile(
    r"\b(?:Company|it|we|also|collaborat\w*|alliance|partnership|agreement|option|research|"
    r"co-?develop\w*)\b", re.IGNORECASE)


def _coordinated(sentence: str, orgs: Sequence[Mention]) -> bool:
    """Organisations that share what the segment names ("licensed to A in Europe and to B in
    Japan"), rather than each standing in a clause of its own ("its license with A for P, the
    Company also has a research collaboration with B")."""
    return not any(_OWN_CLAUSE.search(sentence[a.end:b.start]) for a, b in pairwise(orgs))


def _nearest(orgs: Sequence[Mention], product: Mention) -> Mention:
    return min(orgs, key=lambda o: abs(o.start - product.start))


def about_pairs(sentences: Sequence[str], recognizer: Recognizer) -> list[AboutPair]:
    """The partner list of the company's About paragraph (sentences given in order)."""
    pairs: list[AboutPair] = []
    seen: set[tuple[str, str]] = set()

    def add(org: Mention, product: Mention | None, text: str, evidence: str) -> None:
        key = (org.name, product.name if product else "")
        if key in seen:
            return
        seen.add(key)
        pairs.append(AboutPair(org.name, key[1], _relationship(text), evidence))

    previous_products: list[Mention] = []
    for sentence in sentences:
        said: list[Mention] = []  # the products of the sentence's segments so far
        orgs = recognizer.orgs(sentence)
        products = recognizer.products(sentence)
        if not orgs:
            previous_products = products or previous_products
            continue
        grouped = _parenthetical(sentence, orgs, products)
        if grouped is not None:
            for org, inside in grouped:
                for product in inside:
                    add(org, product, sentence, sentence)
            previous_products = products
            continue
        for start, end in _segments(sentence):
            text = sentence[start:end]
            seg_orgs = [o for o in orgs if start <= o.start < end]
            seg_products = [p for p in products if start <= p.start < end]
            if not seg_products and _LATTER.search(text) and previous_products:
                seg_products = [previous_products[-1]]
            elif not seg_products and _FORMER.search(text) and previous_products:
                seg_products = [previous_products[0]]
            elif not seg_products and seg_orgs and said and _REFERS_BACK.search(text):
                seg_products = said
            if seg_products:
                previous_products = seg_products
                said = seg_products
            if not seg_orgs:
                continue
            if not seg_products:
                for org in seg_orgs:
                    add(org, None, text, sentence)
            elif len(seg_orgs) == 1:
                for product in seg_products:
                    add(seg_orgs[0], product, text, sentence)
            elif len(seg_products) == 1:
                if _coordinated(sentence, seg_orgs):
                    for org in seg_orgs:
                        add(org, seg_products[0], text, sentence)
                else:
                    # "In addition to its license with A for P, the Company has a research
                    # collaboration with B": P is A's; B is a platform partner
                    nearest = _nearest(seg_orgs, seg_products[0])
                    for org in seg_orgs:
                        add(org, seg_products[0] if org is nearest else None, text, sentence)
            elif len(seg_products) == len(seg_orgs):
                for org, product in zip(seg_orgs, seg_products, strict=True):
                    add(org, product, text, sentence)
            else:
                taken: set[int] = set()
                for product in seg_products:
                    nearest = _nearest(seg_orgs, product)
                    taken.add(nearest.start)
                    add(nearest, product, text, sentence)
                for org in seg_orgs:
                    # "licensed P to A for X and to B for Y": B takes the product before it
                    earlier = [p for p in seg_products if p.end <= org.start]
                    if org.start not in taken and earlier:
                        add(org, earlier[-1], text, sentence)
    # A partner listed with products is not also listed as a platform partner.
    with_products = {p.partner for p in pairs if p.product}
    return [p for p in pairs if p.product or p.partner not in with_products]
