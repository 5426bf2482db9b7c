"""A Comparison for people: an HTML side-by-side view with word highlights (email alerts,
``watcher diff --html``) and a plain-text summary (``watcher diff``). Pure.

The HTML uses inline styles only, because email clients drop style sheets; every text is
escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from watcher.compare import DEFAULT_OPTIONS, CompareOptions, WordSegment, diff_words
from watcher.models import Comparison

_STYLE = {
    "removed": "background:#ffd7d5;text-decoration:line-through;",
    "added": "background:#ccf2d4;text-decoration:none;",
    "moved": "border-bottom:1px dotted #888;",
}
_TAG = {"removed": "del", "added": "ins", "moved": "span"}
_CELL = "vertical-align:top;padding:6px 10px;border:1px solid #ddd;width:50%;"
_HEAD = "text-align:left;padding:6px 10px;background:#f4f4f4;border:1px solid #ddd;"
_TABLE = ("border-collapse:collapse;width:100%;font-family:Arial,Helvetica,sans-serif;"
          "font-size:14px;line-height:1.4;")


def _segments(segments: Iterable[WordSegment]) -> str:
    out = []
    for s in segments:
        text = escape(s.text)
        if s.mark:
            title = ' title="moved, not changed"' if s.mark == "moved" else ""
            out.append(f'<{_TAG[s.mark]} style="{_STYLE[s.mark]}"{title}>{text}'
                       f"</{_TAG[s.mark]}>")
        else:
            out.append(text)
    return " ".join(out)


def _whole(text: str, mark: str) -> str:
    return f'<{_TAG[mark]} style="{_STYLE[mark]}">{escape(text)}</{_TAG[mark]}>'


def render_html_fragment(comparison: Comparison, *, before_label: str = "earlier",
                         after_label: str = "this release",
                         options: CompareOptions = DEFAULT_OPTIONS) -> str:
    """A ``<div>`` with a summary and a two-column table of the paragraphs that changed:
    revised ones side by side with their changed words highlighted, new ones on the right,
    dropped ones on the left. Unchanged paragraphs are only counted."""
    counts = {s: sum(1 for p in comparison.paragraphs if p.status == s)
              for s in ("unchanged", "revised", "new")}
    summary = (f"{counts['unchanged']} unchanged, {counts['revised']} revised, "
               f"{counts['new']} new, {len(comparison.dropped)} dropped paragraph(s)")
    closest = ", ".join(
        f"{escape(c.accession)}{f' ({c.filed.isoformat()})' if c.filed else ''}: "
        f"{c.similarity:.0%}" for c in comparison.compared_with)
    rows = []
    for p in comparison.paragraphs:
        if p.status == "revised" and p.previous_text is not None:
            words = diff_words(p.previous_text, p.text, options)
            head = (f"{escape(p.section)}: revised, {p.similarity:.0%} similar to "
                    f"{escape(p.previous_accession or 'an earlier release')}")
            left, right = _segments(words.before), _segments(words.after)
        elif p.status == "new":
            head, left, right = f"{escape(p.section)}: new", "", _whole(p.text, "added")
        else:
            continue
        rows.append((head, left, right))
    for d in comparison.dropped:
        rows.append((f"{escape(d.section)}: dropped (was in {escape(d.accession)})",
                     _whole(d.text, "removed"), ""))
    parts = [f'<div class="watcher-diff"><p style="font-family:Arial,Helvetica,sans-serif;">'
             f"{summary}" + (f"; closest earlier releases: {closest}" if closest else "")
             + "</p>"]
    if rows:
        parts.append(f'<table style="{_TABLE}"><tr><th style="{_HEAD}">'
                     f"{escape(before_label)}</th>"
                     f'<th style="{_HEAD}">{escape(after_label)}</th></tr>')
        for head, left, right in rows:
            parts.append(f'<tr><td colspan="2" style="{_HEAD}font-weight:bold;">{head}</td>'
                         f'</tr><tr><td style="{_CELL}">{left}</td>'
                         f'<td style="{_CELL}">{right}</td></tr>')
        parts.append("</table>")
    parts.append("</div>")
    return "".join(parts)


def render_html(comparison: Comparison, *, title: str = "watcher diff",
                before_label: str = "earlier", after_label: str = "this release",
                options: CompareOptions = DEFAULT_OPTIONS) -> str:
    """A complete HTML document around ``render_html_fragment``."""
    body = render_html_fragment(comparison, before_label=before_label,
                                after_label=after_label, options=options)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head>"
            f'<body style="margin:16px;"><h1 style="font-family:Arial,Helvetica,sans-serif;'
            f'font-size:18px;">{escape(title)}</h1>{body}</body></html>\n')


def render_text(comparison: Comparison) -> str:
    """The comparison for a terminal: a summary, the word diff of each revised paragraph,
    the new and dropped paragraphs, then the unified diff."""
    lines = []
    counts = {s: sum(1 for p in comparison.paragraphs if p.status == s)
              for s in ("unchanged", "revised", "new")}
    lines.append(f"{counts['unchanged']} unchanged, {counts['revised']} revised, "
                 f"{counts['new']} new, {len(comparison.dropped)} dropped paragraph(s)")
    for c in comparison.compared_with:
        filed = f" ({c.filed.isoformat()})" if c.filed else ""
        lines.append(f"closest: {c.accession}{filed} similarity {c.similarity:.3f}, "
                     f"{c.paragraphs} paragraph(s)")
    for p in comparison.paragraphs:
        if p.status == "revised":
            lines.append(f"\n~ {p.section}, {p.similarity:.3f} similar to "
                         f"{p.previous_accession}:\n  {p.diff}")
        elif p.status == "new":
            lines.append(f"\n+ {p.section}, new:\n  {p.text}")
    for d in comparison.dropped:
        lines.append(f"\n- {d.section}, dropped (was in {d.accession}):\n  {d.text}")
    if comparison.unified:
        lines.append("\n" + comparison.unified)
    return "\n".join(lines) + "\n"
