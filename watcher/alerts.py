"""Changes of one (filing, document) -> one ``watcher.alert.v1`` Alert: id, severity, title and
the exact JSON body every notifier sends. Pure."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from watcher.extract import canonical_org
from watcher.models import Alert, Change, Company, Comparison, Exhibit, Filing, Release, WatchItem

SCHEMA = "watcher.alert.v1"
_ALERT_NAMESPACE = uuid.UUID("8f4c1a52-3a5e-5a0e-9a57-2f6d0c1c7e11")
HIGH_STATUSES = frozenset({"not_advancing", "terminated", "rights_returned", "discontinued",
                           "on_hold", "delayed"})
_MAX_DIFF_ITEMS = 20


def alert_id(accession: str, doc_type: str) -> str:
    """The idempotency key of the alert of one document: identical across retries and
    restarts, and across instances, because it depends only on what was filed."""
    return str(uuid.uuid5(_ALERT_NAMESPACE, f"{accession}/{doc_type.upper()}"))


def severity(changes: Sequence[Change]) -> str:
    if any(c.kind in ("partner_removed", "product_removed") or c.to_status in HIGH_STATUSES
           for c in changes):
        return "high"
    if any(c.kind in ("status_changed", "milestone_reached") for c in changes):
        return "medium"
    return "low"


_PHRASES = {
    "not_advancing": "{partner} elected not to advance {product}",
    "terminated": "{partner} terminated its agreement on {product}",
    "rights_returned": "rights to {product} returned by {partner}",
    "licensed": "{product} licensed to {partner}",
    "option_exercised": "{partner} exercised its option on {product}",
    "option_granted": "{partner} granted an option on {product}",
    "renegotiating": "{partner} renegotiating the agreement on {product}",
    "acquired": "{partner} acquired {product}",
}


def _subject(change: Change) -> str:
    return " / ".join(x for x in (change.partner, change.product) if x) or "(unnamed)"


def describe_change(change: Change) -> str:
    """One line for a human: ``GlaxoSmithKline elected not to advance cantuzumab mertansine``."""
    partner = change.partner or "a partner"
    product = change.product or "the program"
    if change.kind == "status_changed":
        phrase = _PHRASES.get(change.to_status or "")
        if phrase:
            return phrase.format(partner=partner, product=product)
        to = (change.to_status or "?").replace("_", " ")
        return f"{_subject(change)}: {change.field} now {to}"
    if change.kind == "milestone_reached":
        return f"{_subject(change)}: milestone reached"
    return f"{_subject(change)}: {change.kind.replace('_', ' ')}"


def _rank(change: Change) -> int:
    if change.kind in ("partner_removed", "product_removed") or \
            change.to_status in HIGH_STATUSES:
        return 0
    return {"status_changed": 1, "milestone_reached": 2}.get(change.kind, 3)


def title(company: Company, changes: Sequence[Change]) -> str:
    name = canonical_org(company.name) or f"CIK {company.cik}"
    lead = min(changes, key=_rank)
    more = len(changes) - 1
    return f"{name}: {describe_change(lead)}" + (f" (+{more} more)" if more else "")


def _change_payload(change: Change) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": change.kind,
        "partner": change.partner,
        "product": change.product,
        "field": change.field,
        "from": change.from_status,
        "to": change.to_status,
        "modality": change.modality,
        "confidence": change.confidence,
        "evidence": change.evidence,
        "rule": change.rule,
        "previous": None,
    }
    if change.previous is not None:
        body["previous"] = {
            "accession": change.previous.accession,
            "filed": change.previous.filed.isoformat() if change.previous.filed else None,
            "evidence": change.previous.evidence,
        }
    return body


def _watch_payload(item: WatchItem) -> dict[str, Any]:
    return {"partner": item.partner, "product": item.product, "field": item.field,
            "to": item.to_status, "modality": item.modality, "evidence": item.evidence,
            "rule": item.rule}


def diff_payload(comparison: Comparison) -> dict[str, Any]:
    return {
        "compared_with": [
            {"accession": c.accession, "filed": c.filed.isoformat() if c.filed else None,
             "similarity": c.similarity}
            for c in comparison.compared_with
        ],
        "changed": [
            {"section": p.section, "before": p.previous_text, "after": p.text, "diff": p.diff}
            for p in comparison.revised[:_MAX_DIFF_ITEMS]
        ],
        "added": [p.text for p in comparison.added[:_MAX_DIFF_ITEMS]],
        "removed": [d.text for d in comparison.dropped[:_MAX_DIFF_ITEMS]],
        "unified": comparison.unified,
    }


def build_alert(
    *,
    company: Company,
    filing: Filing,
    exhibit: Exhibit,
    release: Release,
    comparison: Comparison,
    changes: Sequence[Change],
    watch: Sequence[WatchItem],
    created_at: datetime,
) -> Alert:
    """The alert for one document; callers only build one when ``changes`` is not empty."""
    ident = alert_id(filing.accession, exhibit.doc_type)
    level = severity(changes)
    heading = title(company, changes)
    payload: dict[str, Any] = {
        "schema": SCHEMA,
        "id": ident,
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "severity": level,
        "title": heading,
        "company": {"cik": company.cik, "name": company.name, "tickers": list(company.tickers)},
        "filing": {
            "accession": filing.accession,
            "form": filing.form,
            "filed": filing.filed.isoformat() if filing.filed else None,
            "items": list(filing.items),
            "url": filing.index_url,
        },
        "document": {
            "type": exhibit.doc_type,
            "url": exhibit.url,
            "headline": release.headline,
            "sha256": exhibit.sha256,
        },
        "changes": [_change_payload(c) for c in changes],
        "watch": [_watch_payload(w) for w in watch],
        "diff": diff_payload(comparison),
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Alert(id=ident, accession=filing.accession, doc_type=exhibit.doc_type,
                 cik=company.cik, severity=level, title=heading, created_at=created_at,
                 payload=payload, body=body)


DIGEST_SCHEMA = "watcher.digest.v1"


def digest_id(alert_ids: Sequence[str]) -> str:
    """The id of a digest: the same alerts make the same digest, whatever the attempt."""
    return str(uuid.uuid5(_ALERT_NAMESPACE, "digest:" + ",".join(sorted(alert_ids))))


def build_digest(alerts: Sequence[Alert], created_at: datetime) -> tuple[str, bytes]:
    """One ``watcher.digest.v1`` body carrying several alerts' payloads, oldest first."""
    ident = digest_id([a.id for a in alerts])
    payload = {
        "schema": DIGEST_SCHEMA,
        "id": ident,
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "count": len(alerts),
        "alerts": [a.payload for a in alerts],
    }
    return ident, json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                             default=str).encode("utf-8")
