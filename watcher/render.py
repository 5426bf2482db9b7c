"""Plain-text renderings for terminals: an alert as a few readable lines, a ledger as a table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from watcher.models import AliasLink, LedgerEntry, TimelineItem


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


def render_ledger(title: str, entries: Sequence[LedgerEntry],
                  aliases: Sequence[AliasLink] = (), *, timeline: bool = True) -> str:
    """The ledger as a table, then each partner's timeline (oldest first) and its aliases."""
    lines = [f"{title}: {len(entries)} partner/product pair(s)"]
    if not entries:
        return lines[0]
    rows = [("PARTNER", "PRODUCT", "RELATIONSHIP", "STAGE", "FIRST SEEN", "LAST SEEN", "")]
    rows += [(e.partner, e.product or "(platform)", e.relationship or "-", e.stage or "-",
              str(e.first_filed or e.first_accession), str(e.last_filed or e.last_accession),
              "" if e.active else "(dropped)")
             for e in entries]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
              for row in rows]
    if not timeline:
        return "\n".join(lines)
    by_partner: dict[str, list[tuple[str, TimelineItem]]] = {}
    for entry in entries:
        for item in entry.history:
            by_partner.setdefault(entry.partner, []).append((entry.product, item))
    for partner in sorted(by_partner):
        lines.append("")
        names = sorted({a.alias for a in aliases if a.kind == "partner" and a.canonical == partner})
        lines.append(f"{partner}" + (f" (also: {', '.join(names)})" if names else ""))
        # oldest first; items without a date keep the order they were recorded in
        items = sorted(by_partner[partner],
                       key=lambda pi: pi[1].filed or (min(
                           (i.filed for _, i in by_partner[partner] if i.filed),
                           default=None) or date.min))
        for product, item in items:
            what = item.kind.replace("_", " ")
            if item.field == "milestone" and item.status:
                what = f"{what} {_money(item.status)}"
            elif item.field and item.status:
                what = f"{what}: {item.field} {item.status}"
            evidence = " ".join(item.evidence.split())
            if len(evidence) > 110:
                evidence = evidence[:107] + "..."
            lines.append(f"  {item.filed or '?'}  {product or '(platform)'}: {what}")
            if evidence:
                lines.append(f'      "{evidence}"')
    products = [a for a in aliases if a.kind == "product"]
    if products:
        lines.append("")
        lines.append("product names: " + "; ".join(f"{a.alias} = {a.canonical}"
                                                    for a in products))
    return "\n".join(lines)


def _money(amount: str) -> str:
    """``"2500000"`` -> ``"$2.5 million"``; anything else as it is."""
    try:
        value = float(amount)
    except ValueError:
        return amount
    if value >= 1e6:
        return f"${value / 1e6:g} million"
    return f"${value:,.0f}"
