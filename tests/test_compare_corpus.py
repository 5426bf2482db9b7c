"""compare on the labelled corpora (../shared/data/releases, and the held-out corpus B in
tests/data/heldout-b): every partner the labels add to or remove from a company's About list
shows up in the About section's added or removed words when its releases are compared in date
order, each with all the earlier ones."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from watcher.compare import MemoryIndex, compare_release, fingerprint_release
from watcher.models import Comparison, Release
from watcher.normalize import normalize_exhibit

from tests.conftest import PROJECT_ROOT, shared_path

HELDOUT_B = PROJECT_ROOT / "tests" / "data" / "heldout-b"


@dataclass(frozen=True)
class Step:
    file: str
    release: Release
    comparison: Comparison
    events: list[dict[str, Any]]


def _labels(corpus: str) -> list[Path]:
    folder = shared_path("releases") if corpus == "development" else HELDOUT_B
    return sorted(folder.glob("labels*.yaml"))


def _walk(labels: dict[str, Any], folder: Path) -> Iterator[tuple[str, list[Step]]]:
    for company in labels["companies"]:
        index = MemoryIndex()
        steps = []
        for entry in sorted(company["releases"], key=lambda r: str(r["date"])):
            release = normalize_exhibit((folder / entry["file"]).read_bytes())
            query = fingerprint_release(release.paragraphs)
            steps.append(Step(entry["file"], release, compare_release(index.lookup(query)),
                              entry.get("events") or []))
            index.add(entry["file"], entry["date"], query)
        yield company["slug"], steps


def _about(release: Release) -> str:
    return " ".join(p.text for p in release.in_section("about"))


def _mentions(text: str, names: list[str]) -> list[str]:
    return [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.IGNORECASE)]


@pytest.mark.parametrize(("corpus", "at_least"), [("development", 18), ("heldout-b", 10)])
def test_about_list_changes_of_the_labels_appear_in_the_about_words(corpus: str,
                                                                     at_least: int) -> None:
    checked = []
    missed = []
    for path in _labels(corpus):
        labels = yaml.safe_load(path.read_text(encoding="utf-8"))
        aliases: dict[str, list[str]] = (labels.get("aliases") or {}).get("partners") or {}
        for slug, steps in _walk(labels, path.parent):
            for before, step in zip([None, *steps], steps, strict=False):
                about_now = _about(step.release)
                about_before = _about(before.release) if before else ""
                for event in step.events:
                    if event["kind"] not in ("partner_added", "partner_removed"):
                        continue
                    names = [event["partner"], *aliases.get(event["partner"], [])]
                    added = event["kind"] == "partner_added"
                    # only About-list changes: the partner enters or leaves the About section
                    if added and not (_mentions(about_now, names)
                                      and not _mentions(about_before, names)):
                        continue
                    if not added and not (_mentions(about_before, names)
                                          and not _mentions(about_now, names)):
                        continue
                    words = " ".join(step.comparison.added_text("about") if added
                                     else step.comparison.removed_text("about"))
                    case = f"{slug}: {step.file}: {event['kind']} {event['partner']}"
                    checked.append(case)
                    if not _mentions(words, names):
                        missed.append(case)
    assert not missed, f"About-list changes missing from the comparison: {missed}"
    # the corpus has About-list additions and removals in all four companies
    assert len(checked) >= at_least, checked
    assert sum("partner_removed" in c for c in checked) >= 2, checked


@pytest.mark.parametrize("corpus", ["development", "heldout-b"])
def test_the_company_about_paragraph_is_always_paired_with_its_earlier_version(
        corpus: str) -> None:
    # after a company's first release, its own About paragraph is unchanged or revised
    # (however much it was rewritten), never new: a change in it always shows as a word diff
    statuses = []
    for path in _labels(corpus):
        labels = yaml.safe_load(path.read_text(encoding="utf-8"))
        names = {c["slug"]: c["name"].split(",")[0] for c in labels["companies"]}
        for slug, steps in _walk(labels, path.parent):
            for step in steps[1:]:
                own = [p for p in step.comparison.paragraphs
                       if p.section == "about" and p.text.startswith(names[slug])]
                statuses.extend((step.file, p.status) for p in own)
    assert len(statuses) >= 30
    assert all(status in ("unchanged", "revised") for _, status in statuses), statuses
