"""The HTML side-by-side view and the text summary of a comparison."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

from watcher.compare import compare_with_releases
from watcher.diffview import render_html, render_html_fragment, render_text
from watcher.models import Comparison, Paragraph, Release, StoredRelease

BEFORE = ("Corvane's partners include Ellwood Pharma AG, Marston Bio, Inc. and Tessaly Labs "
          "<R&D>.")
AFTER = "Corvane's partners include Ellwood Pharma AG, Quorra Health and Tessaly Labs <R&D>."
PARTNER = ("Marston Bio, Inc. is a privately held company developing enzyme therapies in "
           "Cambridge, Massachusetts.")


def _comparison() -> Comparison:
    def release(*texts: tuple[str, str]) -> Release:
        return Release("h", tuple(Paragraph(t, s) for s, t in texts), "0" * 64)

    history = [StoredRelease(n, 1, f"acc-{n}", "EX-99.1", date(2021, n, 1),
                             release(("about", BEFORE), ("about", PARTNER)))
               for n in (1, 2)]
    return compare_with_releases(
        release(("body", "Corvane signed a deal with Quorra Health."), ("about", AFTER)).paragraphs,
        history)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.tags.setdefault(self._open[-1], []).append(data)


def test_the_html_view_highlights_removed_and_added_words_side_by_side() -> None:
    page = render_html(_comparison(), title="acc-3 vs acc-2", before_label="acc-2",
                       after_label="acc-3")
    parsed = _Collect()
    parsed.feed(page)
    assert page.startswith("<!DOCTYPE html>")
    assert "Marston Bio, Inc." in " ".join(parsed.tags["del"])
    assert any("Quorra Health" in t for t in parsed.tags["ins"])
    assert PARTNER in parsed.tags["del"]  # the dropped About paragraph, on the left
    assert "&lt;R&amp;D&gt;" in page and "<R&D>" not in page  # every text is escaped
    assert "acc-3 vs acc-2" in " ".join(parsed.tags["title"])


def test_unchanged_paragraphs_are_counted_not_shown() -> None:
    history = [StoredRelease(1, 1, "acc-1", "EX-99.1", None,
                             Release("h", (Paragraph(BEFORE, "about"),), "0" * 64))]
    comparison = compare_with_releases([Paragraph(BEFORE, "about")], history)
    fragment = render_html_fragment(comparison)
    assert "1 unchanged, 0 revised, 0 new, 0 dropped" in fragment
    assert "<table" not in fragment and "Ellwood" not in fragment


def test_the_text_summary_lists_word_diffs_new_and_dropped_paragraphs() -> None:
    text = render_text(_comparison())
    assert text.startswith("0 unchanged, 1 revised, 1 new, 1 dropped paragraph(s)")
    assert "[-Marston Bio, Inc.-] {+Quorra Health+}" in text
    assert "+ body, new:" in text and "- about, dropped (was in acc-2)" in text
    assert "--- acc-2" in text and "+++ this release" in text
