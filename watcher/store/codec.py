"""Dataclasses <-> JSON text for the store: the one place that knows the stored shapes."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date
from functools import cache
from typing import Any

from watcher.models import (
    AliasLink,
    Change,
    Comparison,
    Fact,
    LedgerEntry,
    Paragraph,
    PreviousMention,
    Release,
    TimelineItem,
    WatchItem,
)


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def plain(value: Any) -> Any:
    """A dataclass tree as JSON-ready dicts and lists. Like ``dataclasses.asdict`` for our
    frozen models, without its deep copy of every value (which cost a tenth of a pipeline
    run); dates stay dates until ``dumps``."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def dumps(value: Any) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def release_to_json(release: Release) -> str:
    return dumps({
        "headline": release.headline,
        "subheadlines": list(release.subheadlines),
        "dateline_place": release.dateline_place,
        "dateline_date": release.dateline_date,
        "dateline": release.dateline,
        "content_hash": release.content_hash,
        "paragraphs": [[p.text, p.section, p.kind, list(p.sentences), p.heading]
                       for p in release.paragraphs],
    })


def release_from_json(text: str) -> Release:
    data = json.loads(text)
    return Release(
        headline=data["headline"],
        subheadlines=tuple(data["subheadlines"]),
        dateline_place=data["dateline_place"],
        dateline_date=_date(data["dateline_date"]),
        dateline=data.get("dateline", ""),  # absent from releases stored before it existed
        content_hash=data["content_hash"],
        paragraphs=tuple(_paragraph(row) for row in data["paragraphs"]),
    )


def _paragraph(row: list[Any]) -> Paragraph:
    """[text, section, kind, sentences] as first stored, [.., heading] since."""
    text, section, kind, sentences = row[:4]
    heading = row[4] if len(row) > 4 else ""
    return Paragraph(text=text, section=section, kind=kind, sentences=tuple(sentences),
                     heading=heading)


def _mention(data: dict[str, Any] | None) -> PreviousMention | None:
    if not data:
        return None
    return PreviousMention(data["accession"], _date(data["filed"]), data["evidence"])


def ledger_to_json(entry: LedgerEntry) -> str:
    return dumps(plain(entry))


def _timeline(items: list[dict[str, Any]] | None) -> tuple[TimelineItem, ...]:
    return tuple(
        TimelineItem(accession=i["accession"], filed=_date(i["filed"]), kind=i["kind"],
                     field=i.get("field"), status=i.get("status"), evidence=i["evidence"],
                     rule=i.get("rule", ""))
        for i in items or ()
    )


def ledger_from_json(text: str) -> LedgerEntry:
    """Rows written before a field existed load with that field's default."""
    data = json.loads(text)
    return LedgerEntry(
        partner=data["partner"],
        product=data["product"],
        relationship=data.get("relationship"),
        stage=data.get("stage"),
        first_accession=data.get("first_accession", ""),
        first_filed=_date(data.get("first_filed")),
        last_accession=data.get("last_accession", ""),
        last_filed=_date(data.get("last_filed")),
        relationship_source=_mention(data.get("relationship_source")),
        stage_source=_mention(data.get("stage_source")),
        active=bool(data.get("active", True)),
        in_about=bool(data.get("in_about", False)),
        milestones=tuple(data.get("milestones", ())),
        history=_timeline(data.get("history")),
    )


def alias_from_row(kind: str, alias: str, canonical: str, evidence: str, rule: str,
                   accession: str) -> AliasLink:
    return AliasLink(kind="product" if kind == "product" else "partner", alias=alias,
                     canonical=canonical, evidence=evidence, rule=rule, accession=accession)


def facts_to_json(facts: list[Fact]) -> str:
    return dumps(plain(facts))


def changes_to_json(changes: list[Change]) -> str:
    return dumps(plain(changes))


def watch_to_json(items: list[WatchItem]) -> str:
    return dumps(plain(items))


def comparison_to_json(comparison: Comparison) -> str:
    # by hand: dataclasses.asdict deep-copies every string, a third of the cost of a compare
    return dumps({
        "compared_with": [{"accession": c.accession, "filed": c.filed,
                           "similarity": c.similarity, "paragraphs": c.paragraphs}
                          for c in comparison.compared_with],
        "paragraphs": [{"status": p.status, "section": p.section, "text": p.text,
                        "similarity": p.similarity, "previous_text": p.previous_text,
                        "previous_accession": p.previous_accession, "diff": p.diff,
                        "removed": list(p.removed), "added": list(p.added)}
                       for p in comparison.paragraphs],
        "dropped": [{"section": d.section, "text": d.text, "accession": d.accession}
                    for d in comparison.dropped],
        "unified": comparison.unified,
    })
