"""Facts -> per-company partner state -> Change events.

Pure: the current ledger of one company and the facts of one release go in; the changes, the
watch items and the updated entries come out. Only stated facts move the ledger; historical
facts fill in what was true before (so a first release can still report a change);
conditional facts become watch items; hedged and negated facts do nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from watcher.models import Change, Fact, LedgerEntry, PreviousMention, WatchItem

PairKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class LedgerUpdate:
    changes: tuple[Change, ...]
    watch: tuple[WatchItem, ...]
    entries: tuple[LedgerEntry, ...]


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


def apply_facts(
    current: Mapping[PairKey, LedgerEntry],
    facts: Sequence[Fact],
    *,
    accession: str,
    filed: date | None,
) -> LedgerUpdate:
    """Apply one release's facts to a company's ledger."""
    state: dict[PairKey, LedgerEntry] = dict(current)
    touched: set[PairKey] = set()

    # Historical statements describe the past: they seed pairs we have never seen.
    for fact in facts:
        if fact.modality != "historical" or fact.partner is None or fact.field == "milestone":
            continue
        key = pair_key(fact.partner, fact.product)
        entry = state.get(key) or LedgerEntry(
            partner=fact.partner, product=key[1], first_accession=accession, first_filed=filed,
            last_accession=accession, last_filed=filed,
        )
        if _status(entry, fact.field) is None:
            entry = _with_status(entry, fact.field, fact.status,
                                 PreviousMention(accession, filed, fact.evidence))
            state[key] = entry
            touched.add(key)

    changes: list[Change] = []
    added_here: set[PairKey] = set()
    decided: set[tuple[PairKey, str]] = set()
    known_partners = {k[0] for k in state if k not in touched or k in current}
    for fact in facts:
        if fact.modality != "stated" or fact.partner is None:
            continue
        key = pair_key(fact.partner, fact.product)
        if fact.field == "milestone":
            changes.append(Change(
                kind="milestone_reached", partner=fact.partner, product=fact.product,
                evidence=fact.evidence, rule=fact.rule, confidence=fact.confidence,
            ))
            continue
        found = state.get(key)
        if found is not None:
            entry = found
        else:
            entry = LedgerEntry(partner=fact.partner, product=key[1],
                                first_accession=accession, first_filed=filed)
            if fact.partner not in known_partners:
                known_partners.add(fact.partner)
                changes.append(Change(
                    kind="partner_added", partner=fact.partner, product=None,
                    evidence=fact.evidence, rule=fact.rule, confidence=fact.confidence,
                ))
            if fact.product:
                changes.append(Change(
                    kind="product_added", partner=fact.partner, product=fact.product,
                    evidence=fact.evidence, rule=fact.rule, confidence=fact.confidence,
                ))
            added_here.add(key)
        if (key, fact.field) in decided:
            continue  # one change per pair and field per release: the first new status wins
        old = _status(entry, fact.field)
        if old != fact.status:
            decided.add((key, fact.field))
            if key not in added_here:
                changes.append(Change(
                    kind="status_changed", partner=fact.partner, product=fact.product,
                    field=fact.field, from_status=old, to_status=fact.status,
                    modality="stated", evidence=fact.evidence, rule=fact.rule,
                    confidence=fact.confidence,
                    previous=_source(entry, fact.field),
                ))
            entry = _with_status(entry, fact.field, fact.status,
                                 PreviousMention(accession, filed, fact.evidence))
        state[key] = replace(entry, last_accession=accession, last_filed=filed)
        touched.add(key)

    watch: list[WatchItem] = []
    seen_watch: set[tuple[str | None, str | None, str]] = set()
    for fact in facts:
        if fact.modality != "conditional" or fact.field == "milestone":
            continue
        marker = (fact.partner, fact.product, fact.status)
        if marker in seen_watch:
            continue
        seen_watch.add(marker)
        watch.append(WatchItem(partner=fact.partner, product=fact.product, field=fact.field,
                               to_status=fact.status, modality=fact.modality,
                               evidence=fact.evidence, rule=fact.rule))
    return LedgerUpdate(
        changes=tuple(changes),
        watch=tuple(watch),
        entries=tuple(state[k] for k in sorted(touched)),
    )
