"""Plain-text renderings for terminals: an alert as a few readable lines, a ledger as a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from watcher.models import LedgerEntry


def _subject(item: dict[str, Any]) -> str:
    return " / ".join(x for x in (item.get("partner"), item.get("product")) if x) or "(unnamed)"


def format_alert(payload: dict[str, Any]) -> str:
    """Title, then one line per change and per watch item, each with its evidence."""
    filing = payload.get("filing", {})
    document = payload.get("document", {})
    lines = [
        f"ALERT [{payload.get('severity')}] {payload.get('title')}",
        f"  filing {filing.get('accession')} ({filing.get('form')}, filed {filing.get('filed')})"
        f" {document.get('url')}",
    ]
    for change in payload.get("changes", []):
        if change["kind"] == "status_changed":
            what = f"{change.get('field')}: {change.get('from') or '?'} -> {change.get('to')}"
        else:
            what = change["kind"].replace("_", " ")
        lines.append(f"  * {_subject(change)}: {what}")
        lines.append(f'      "{change.get("evidence")}"')
    for item in payload.get("watch", []):
        lines.append(f"  ? watch {_subject(item)}: {item.get('to')} ({item.get('modality')})")
        lines.append(f'      "{item.get("evidence")}"')
    return "\n".join(lines)


def render_ledger(title: str, entries: Sequence[LedgerEntry]) -> str:
    lines = [f"{title}: {len(entries)} partner/product pair(s)"]
    if not entries:
        return lines[0]
    rows = [("PARTNER", "PRODUCT", "RELATIONSHIP", "STAGE", "FIRST SEEN", "LAST SEEN")]
    rows += [(e.partner, e.product or "(platform)", e.relationship or "-", e.stage or "-",
              str(e.first_filed or e.first_accession), str(e.last_filed or e.last_accession))
             for e in entries]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
              for row in rows]
    return "\n".join(lines)
