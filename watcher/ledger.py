"""Facts -> per-company partner state -> Change events.

Pure: the current ledger of one company and the extraction of one release go in; the
changes, the watch items, the updated entries and the aliases learned come out.

- Only stated facts move the ledger. Historical facts (and the restatements of the About
  paragraph) fill in what was already true, so a first release can still report a change
  ("licensed in 1999 ... has now elected not to advance") and the next change has its
  ``from``; conditional facts, and hedged ones about the deal itself, become watch items;
  negated facts do nothing.
- One change per pair and field per release: the strongest relationship status wins (a
  termination that returns the rights is a return of rights), and a restated earlier stage is
  no news (a Phase I told again once Phase II has started).
- A restated license is no change when the deal is already a license in another form
  (an exercised option, an extended or expanded collaboration, an acquired partner).
- The About list: a partner or product that leaves it without an announcement is
  ``partner_removed``/``product_removed``; one that joins it unannounced is added. A partner
  that leaves it because of news in the same release (an ending, a discontinued program) has
  that change only.
- ``product_added`` names the partner the product sits with: a product new to the company,
  or a known product in a deal stated with a partner it never had (licensed again after its
  rights came back).
- A pair that only the release's history sentences name ("in 2003, X declined its option on
  P") is known but not news: a deal stated on it in the same release is still announced, as an
  addition (not a change from the old ending).
- A stage never goes back, except out of a hold and when a sentence says so ("returned P to the
  research stage"). A pair new in a release whose stage no sentence told takes its product's
  clinical stage from the product's other pairs (at most phase_3: filings, approvals and
  launches are per territory).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from watcher.about import AboutPair
from watcher.extract import ENDED, RELATIONSHIP_RANK, Extraction
from watcher.models import (
    AliasLink,
    Change,
    ChangeKind,
    Fact,
    FactField,
    LedgerEntry,
    PreviousMention,
    TimelineItem,
    WatchItem,
)

PairKey = tuple[str, str]

STAGE_ORDER: tuple[str, ...] = (
    "research", "preclinical", "ind_filed", "phase_1", "phase_1_2", "phase_2", "phase_3",
    "filed", "approved", "marketed",
)
STAGE_SETBACKS = frozenset({"delayed", "on_hold", "discontinued"})
# Relationships under which the partner holds a license in some form: "licensed to X"
# restates them.
LICENSE_HELD = frozenset({"licensed", "option_exercised", "extended", "expanded", "acquired",
                          "collaborating", "renegotiating"})
ANNOUNCED_ENDINGS = frozenset({"terminated", "rights_returned", "not_advancing"})
# Statuses a partnership can start with (the others change a partnership that exists).
OPENING = frozenset({"in_discussion", "collaborating", "licensed", "option_granted",
                     "option_exercised"})
WATCHED_INTENTS = frozenset({"renegotiating", "in_discussion", "terminated", "not_advancing",
                             "rights_returned", "option_exercised"})
# Restating rules: they tell what is, not what just happened.
_STATE_RULES = frozenset({"stage.phase.in_progress", "stage.preclinical", "stage.research"})
# Rules that state a step back on purpose ("returned P to the research stage"): the one way a
# stage goes back other than a setback.
_STEP_BACK_RULES = frozenset({"stage.research.returned"})
MAX_HISTORY = 100


@dataclass(frozen=True, slots=True)
class LedgerUpdate:
    changes: tuple[Change, ...]
    watch: tuple[WatchItem, ...]
    entries: tuple[LedgerEntry, ...]
    aliases: tuple[AliasLink, ...] = ()


def pair_key(partner: str, product: str | None) -> PairKey:
    return (partner, product or "")


def _status(entry: LedgerEntry, fact_field: str) -> str | None:
    return entry.relationship if fact_field == "relationship" else entry.stage


def _source(entry: LedgerEntry, fact_field: str) -> PreviousMention | None:
    return entry.relationship_source if fact_field == "relationship" else entry.stage_source


def _with_status(entry: LedgerEntry, fact_field: str, status: str,
                 source: PreviousMention) -> LedgerEntry:
    if fact_field == "relationship":
        return replace(entry, relationship=status, relationship_source=source)
    return replace(entry, stage=status, stage_source=source)


def _stage_index(stage: str | None) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1


class _Book:
    """The ledger of one company while one release is applied."""

    def __init__(self, current: Mapping[PairKey, LedgerEntry], accession: str,
                 filed: date | None) -> None:
        self.state: dict[PairKey, LedgerEntry] = dict(current)
        self.before = dict(current)
        self.accession = accession
        self.filed = filed
        self.touched: set[PairKey] = set()
        self.changes: list[Change] = []
        # Pairs first seen in this release's history sentences only ("in 2003 X declined its
        # option on P"): known, but not yet news, so a deal stated about them still is.
        self.provisional: set[PairKey] = set()

    def mention(self, evidence: str) -> PreviousMention:
        return PreviousMention(self.accession, self.filed, evidence)

    def partners(self) -> set[str]:
        return {k[0] for k in self.state if k not in self.provisional}

    def products(self) -> set[str]:
        return {k[1] for k in self.state if k[1] and k not in self.provisional}

    def put(self, key: PairKey, entry: LedgerEntry, item: TimelineItem | None = None) -> None:
        if item is not None:
            entry = replace(entry, history=(*entry.history, item)[-MAX_HISTORY:])
        self.state[key] = replace(entry, last_accession=self.accession, last_filed=self.filed)
        self.touched.add(key)

    def item(self, kind: str, fld: FactField | None, status: str | None, evidence: str,
             rule: str = "") -> TimelineItem:
        return TimelineItem(self.accession, self.filed, kind, fld, status, evidence, rule)

    def new_entry(self, key: PairKey) -> LedgerEntry:
        return LedgerEntry(partner=key[0], product=key[1], first_accession=self.accession,
                           first_filed=self.filed)

    def change(self, kind: ChangeKind, partner: str, product: str | None, evidence: str,
               rule: str, confidence: float, **extra: object) -> Change:
        made = Change(kind=kind, partner=partner, product=product or None, evidence=evidence,
                      rule=rule, confidence=confidence, **extra)  # type: ignore[arg-type]
        self.changes.append(made)
        return made

    def ensure(self, key: PairKey, fact_evidence: str, rule: str, confidence: float, *,
               announce: bool, deal: bool = False) -> LedgerEntry:
        """The entry of a pair, created (and announced as added) when new.

        ``product_added`` names the partner the product sits with: a product new to the
        company, or a known product that goes to a partner new to the company (a product
        licensed again after its rights came back)."""
        found = self.state.get(key)
        if found is not None and key not in self.provisional:
            return found
        partner, product = key
        is_new_partner = partner not in self.partners()
        is_new_product = bool(product) and (product not in self.products() or is_new_partner
                                            or deal)
        self.provisional.discard(key)
        entry = found or self.new_entry(key)
        if announce and is_new_partner:
            self.change("partner_added", partner, product, fact_evidence, rule, confidence)
        if announce and is_new_product:
            self.change("product_added", partner, product, fact_evidence, rule, confidence)
        kind = "added" if announce and (is_new_partner or is_new_product) else "seen"
        self.put(key, entry, self.item(kind, None, None, fact_evidence, rule))
        return self.state[key]


def _strongest(facts: Iterable[Fact]) -> Fact:
    ordered = list(facts)
    return max(ordered, key=lambda f: (RELATIONSHIP_RANK.get(f.status, 0), -ordered.index(f)))


def _stage_choice(old: str | None, facts: Sequence[Fact], entry: LedgerEntry) -> Fact | None:
    """The stage fact of a release that moves the pair, if any: the first one in the text
    that is not a step back; when that is progress, the furthest progress its sentence states
    ("following approval of its CTA in October, it dosed the first patient in Phase 1")."""
    chosen = _first_stage_move(old, facts, entry)
    if chosen is None or chosen.status in STAGE_SETBACKS or old in STAGE_SETBACKS \
            or chosen.rule in _STEP_BACK_RULES:
        return chosen
    for fact in facts:
        if fact.evidence == chosen.evidence and fact.status in STAGE_ORDER \
                and _stage_index(fact.status) > _stage_index(chosen.status):
            chosen = fact
    return chosen


def _first_stage_move(old: str | None, facts: Sequence[Fact],
                      entry: LedgerEntry) -> Fact | None:
    for fact in facts:
        new = fact.status
        resumed = new == "resumed" or fact.rule.startswith("stage.resumed")
        if resumed:
            new = _stage_before_hold(entry) or ""
            if not new:
                continue
            fact = replace(fact, status=new)
        if new == old:
            return None
        if old is None:
            return fact
        if new in STAGE_SETBACKS:
            return fact
        if old in STAGE_SETBACKS:
            if fact.rule in _STATE_RULES:
                continue
            if old == "on_hold" and not resumed \
                    and _stage_index(new) <= _stage_index(_stage_before_hold(entry)):
                continue
            return fact
        if _stage_index(new) > _stage_index(old) or (
                fact.rule in _STEP_BACK_RULES and _stage_index(new) < _stage_index(old)):
            return fact
    return None


def _stage_before_hold(entry: LedgerEntry) -> str | None:
    for item in reversed(entry.history):
        if item.field == "stage" and item.status in STAGE_ORDER:
            return item.status
    return None


def _implied(old: str | None, new: str) -> bool:
    """A restatement, not a change: the partner already holds what the sentence says."""
    if old is None:
        return False
    if new in ("licensed", "collaborating") and old in LICENSE_HELD:
        return True
    return new == "option_granted" and old in (LICENSE_HELD | {"option_exercised"})


def apply_extraction(current: Mapping[PairKey, LedgerEntry], extraction: Extraction, *,
                     accession: str, filed: date | None) -> LedgerUpdate:
    """Apply one release's extraction to a company's ledger."""
    book = _Book(current, accession, filed)
    facts = list(extraction.facts)
    body = [f for f in facts if f.section != "about"]

    # 1. What earlier times were like: historical facts fill in unknown statuses.
    for fact in facts:
        if fact.modality != "historical" or fact.partner is None or fact.field == "milestone":
            continue
        key = pair_key(fact.partner, fact.product)
        if key not in book.state:
            book.provisional.add(key)
        _seed(book, fact, create=True)

    # 2. Deals announced: stated relationship facts, strongest per pair.
    stated_rel: dict[PairKey, list[Fact]] = {}
    for fact in body:
        if fact.modality == "stated" and fact.partner and fact.field == "relationship":
            stated_rel.setdefault(pair_key(fact.partner, fact.product), []).append(fact)
    announced_endings: set[str] = set()
    new_deals: set[PairKey] = set()
    for key, group in stated_rel.items():
        fact = _strongest(group)
        if fact.status in ANNOUNCED_ENDINGS | {"acquired"}:
            announced_endings.add(key[0])
        if key not in book.state and fact.status not in OPENING and not key[1]:
            continue  # the end of a deal never seen, on no product: a lease, a loan, ...
        if key in book.provisional and fact.status not in OPENING:
            # what happened to a deal the release tells the history of ("licensed in 1999
            # ... has now elected not to advance"): a change of that deal, not a new one
            book.provisional.discard(key)
        if key not in book.state or key in book.provisional:
            new_deals.add(key)
        entry = book.ensure(key, fact.evidence, fact.rule, fact.confidence, announce=True,
                            deal=fact.status in OPENING)
        old = entry.relationship
        if key not in book.before and old in ANNOUNCED_ENDINGS and fact.status in OPENING:
            # a pair new to the ledger whose history sentences tell an old ending ("X had
            # returned the rights in 2009") opens a new deal: added, not changed
            old = None
        if old == fact.status or _implied(old, fact.status):
            book.put(key, entry)
            continue
        if old is not None:
            book.change("status_changed", key[0], key[1], fact.evidence, fact.rule,
                        fact.confidence, field="relationship", from_status=old,
                        to_status=fact.status, modality="stated",
                        previous=entry.relationship_source)
            kind = "status_changed"
        else:
            kind = "seeded"
        entry = _with_status(entry, "relationship", fact.status, book.mention(fact.evidence))
        book.put(key, entry, book.item(kind, "relationship", fact.status, fact.evidence,
                                       fact.rule))

    # 3. The About list: unannounced arrivals and departures. A partner that stops developing
    #    its product in this release leaves the list because of that news, not silently.
    announced_endings |= {f.partner for f in body if f.partner and f.modality == "stated"
                          and f.field == "stage" and f.status == "discontinued"}
    if extraction.about:
        _about_diff(book, extraction.about, announced_endings,
                    frozenset(extraction.about_products))

    # 4. Stages and milestones.
    stated_stage: dict[PairKey, list[Fact]] = {}
    for fact in body:
        if fact.modality == "stated" and fact.partner and fact.field == "stage":
            stated_stage.setdefault(pair_key(fact.partner, fact.product), []).append(fact)
    for key, group in stated_stage.items():
        entry = book.ensure(key, group[0].evidence, group[0].rule, group[0].confidence,
                            announce=False)
        chosen = _stage_choice(entry.stage, group, entry)
        if chosen is None:
            book.put(key, entry)
            continue
        old = entry.stage
        # A setback on a deal whose stage we never knew is news (a partnership the About list
        # reveals, then "a new IND target date"); its progress is told by partner_added /
        # product_added, and anything on a deal announced in this very release is part of
        # the announcement.
        news = old is not None or (key not in new_deals and chosen.status in STAGE_SETBACKS)
        if news:
            book.change("status_changed", key[0], key[1], chosen.evidence, chosen.rule,
                        chosen.confidence, field="stage", from_status=old,
                        to_status=chosen.status, modality="stated",
                        previous=entry.stage_source)
            kind = "status_changed"
        else:
            kind = "seeded"
        entry = _with_status(entry, "stage", chosen.status, book.mention(chosen.evidence))
        book.put(key, entry, book.item(kind, "stage", chosen.status, chosen.evidence,
                                       chosen.rule))
    seen_payments: set[tuple[PairKey, str]] = set()
    for fact in body:
        if fact.modality != "stated" or fact.field != "milestone" or fact.partner is None:
            continue
        key = pair_key(fact.partner, fact.product)
        amount = fact.detail or "unspecified"
        paid = book.state.get(key)
        if paid is None or (key, amount) in seen_payments or amount in paid.milestones:
            continue
        seen_payments.add((key, amount))
        book.change("milestone_reached", key[0], key[1], fact.evidence, fact.rule,
                    fact.confidence)
        paid = replace(paid, milestones=(*paid.milestones, amount))
        book.put(key, paid, book.item("milestone_reached", "milestone", amount,
                                       fact.evidence, fact.rule))

    # 5. Restatements fill in what is still unknown: the About paragraph, and the stage a
    #    planned IND implies (no IND yet: preclinical).
    for fact in facts:
        if fact.section == "about" and fact.partner and fact.modality == "stated" \
                and fact.field != "milestone":
            _seed(book, fact, create=False)
    for fact in facts:
        if fact.field == "stage" and fact.status == "ind_filed" and fact.partner \
                and fact.modality == "hedged":
            key = pair_key(fact.partner, fact.product)
            planned = book.state.get(key)
            if planned is not None and planned.stage is None:
                planned = _with_status(planned, "stage", "preclinical",
                                       book.mention(fact.evidence))
                book.put(key, planned, book.item("seeded", "stage", "preclinical",
                                               fact.evidence, "stage.preclinical.ind_planned"))

    _inherit_stages(book)
    return LedgerUpdate(
        changes=tuple(book.changes),
        watch=tuple(_watch(book, facts)),
        entries=tuple(book.state[k] for k in sorted(book.touched)),
        aliases=extraction.aliases,
    )


def _inherit_stages(book: _Book) -> None:
    """A product that goes to a new partner is where its development is: a pair first seen in
    this release whose stage no sentence told takes the furthest stage of the product's other
    pairs ("licensed in Japan" while the Phase 3 trial runs: phase_3 for the new licensee).
    Clinical development is shared; filings, approvals and launches are per territory, so
    the stage taken is at most phase_3."""
    for key in sorted(book.touched):
        entry = book.state[key]
        if not key[1] or entry.stage is not None or entry.first_accession != book.accession:
            continue
        known = [(e.stage, e.stage_source) for k, e in book.state.items()
                 if k[1] == key[1] and k != key and e.stage in STAGE_ORDER]
        if not known:
            continue
        stage, source = max(known, key=lambda s: _stage_index(s[0]))
        assert stage is not None and source is not None
        if _stage_index(stage) > _stage_index("phase_3"):
            stage = "phase_3"
        book.put(key, _with_status(entry, "stage", stage, source),
                 book.item("seeded", "stage", stage, source.evidence, "stage.inherited"))


def _seed(book: _Book, fact: Fact, *, create: bool) -> None:
    assert fact.partner is not None
    key = pair_key(fact.partner, fact.product)
    entry = book.state.get(key)
    if entry is None:
        if not create:
            return
        entry = book.new_entry(key)
    if _status(entry, fact.field) is not None:
        if key in book.state:
            book.put(key, entry)
        return
    if fact.field == "stage" and fact.status == "resumed":
        return
    entry = _with_status(entry, fact.field, fact.status, book.mention(fact.evidence))
    book.put(key, entry, book.item("seeded", fact.field, fact.status, fact.evidence, fact.rule))


def _about_diff(book: _Book, about: Sequence[AboutPair], announced: set[str],
                named_products: frozenset[str] = frozenset()) -> None:
    listed = {pair_key(p.partner, p.product): p for p in about}
    listed_partners = {k[0] for k in listed}
    # a product still named (with another partner, or as the company's own) is not removed
    listed_products = {k[1] for k in listed if k[1]} | named_products
    previous = {k for k, e in book.state.items() if e.in_about}
    # Arrivals: pairs never seen before.
    for key, pair in listed.items():
        if key in book.state:
            continue
        entry = book.ensure(key, pair.evidence, "about.list", 0.7, announce=True)
        if pair.relationship and entry.relationship is None:
            entry = _with_status(entry, "relationship", pair.relationship,
                                 book.mention(pair.evidence))
        book.put(key, entry)
    # Departures: pairs the previous list had and this one does not.
    gone_partners: set[str] = set()
    for key in sorted(previous - set(listed)):
        partner, product = key
        entry = book.state[key]
        ended = entry.relationship in ENDED or partner in announced or any(
            e.relationship in ENDED for k, e in book.state.items() if k[0] == partner)
        still_listed = partner in listed_partners
        if not ended and not still_listed and partner not in gone_partners:
            gone_partners.add(partner)
            book.change("partner_removed", partner, product or None, _last_evidence(entry),
                        "about.list.partner_dropped", 0.7, previous=_last_mention(entry))
        if not ended and product and product not in listed_products:
            book.change("product_removed", partner, product, _last_evidence(entry),
                        "about.list.product_dropped", 0.7, previous=_last_mention(entry))
        kind = "removed" if not ended else "left_about_list"
        book.put(key, replace(entry, in_about=False, active=ended and entry.active),
                 book.item(kind, None, None, _last_evidence(entry), "about.list"))
    for key in listed:
        entry = book.state[key]
        if not entry.in_about or not entry.active:
            book.put(key, replace(entry, in_about=True, active=True))
        else:
            book.put(key, entry)


def _last_evidence(entry: LedgerEntry) -> str:
    return entry.history[-1].evidence if entry.history else ""


def _last_mention(entry: LedgerEntry) -> PreviousMention | None:
    if not entry.last_accession:
        return None
    return PreviousMention(entry.last_accession, entry.last_filed, _last_evidence(entry))


def _watch(book: _Book, facts: Sequence[Fact]) -> list[WatchItem]:
    watch: list[WatchItem] = []
    seen: set[tuple[str | None, str | None, str]] = set()
    for fact in facts:
        if fact.field == "milestone" or fact.section == "about":
            continue
        wanted = fact.modality == "conditional" or (
            fact.modality == "hedged" and fact.field == "relationship"
            and fact.status in WATCHED_INTENTS and fact.product is not None
            and pair_key(fact.partner or "", fact.product) in book.state)
        if not wanted:
            continue
        marker = (fact.partner, fact.product, fact.status)
        if marker in seen:
            continue
        seen.add(marker)
        watch.append(WatchItem(partner=fact.partner, product=fact.product, field=fact.field,
                               to_status=fact.status, modality=fact.modality,
                               evidence=fact.evidence, rule=fact.rule))
    return watch


def apply_facts(current: Mapping[PairKey, LedgerEntry], facts: Sequence[Fact], *,
                accession: str, filed: date | None) -> LedgerUpdate:
    """Apply facts without an About list (kept for callers that only have facts)."""
    return apply_extraction(current, Extraction(tuple(facts), None), accession=accession,
                            filed=filed)
