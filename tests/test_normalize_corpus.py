"""Every real or corpus exhibit in ../shared/data normalizes into a well-formed release:
headline, dateline, the about and forward-looking sections where the source has them, no
markup, entity or page-marker residue, hard-wrapped lines joined into whole sentences. The
labelled corpus adds its headlines, dates and evidence sentences (which must come out whole).
Only structure and invariants are asserted here; full-text goldens are for our own fixtures.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from watcher.models import Release
from watcher.normalize import normalize_exhibit
from watcher.sgml import split_submission
from watcher.text import parse_date, unify

from tests.conftest import SHARED_DATA, shared_path

pytestmark = pytest.mark.shared_data


def _exhibit_names() -> list[str]:
    """Paths relative to ../shared/data, "#TYPE" for a document inside a submission; the
    list is fixed here so that a missing folder skips (or fails in CI) rather than
    silently collecting nothing."""
    names = [
        "edgar-samples/archives/3m-8k-0000066740-24-000023/extracted-pressrelease3-8x24.htm",
        "edgar-samples/archives/abvc-8k-0001213900-25-032135/"
        "extracted-ea023837201ex99-1_abvcbio.htm",
        "edgar-samples/archives/adobe-8k-0000796343-23-000044/extracted-adbeex991q123.htm",
        "edgar-samples/archives/buckle-8k/BuckleInc.8-K.EX99.1.html",
        "edgar-samples/archives/3m-8k-0000066740-24-000023/0000066740-24-000023.txt#EX-99.1",
        "edgar-samples/archives/abvc-8k-0001213900-25-032135/0001213900-25-032135.txt#EX-99.1",
        "edgar-samples/archives/adobe-8k-0000796343-23-000044/0000796343-23-000044.txt#EX-99.1",
        "seed/immunogen-2002-06-24-ex99-1.txt",
    ]
    releases = SHARED_DATA / "releases"
    if releases.exists():
        names += sorted(str(p.relative_to(SHARED_DATA)) for p in releases.glob("*/*.txt"))
        names += sorted(str(p.relative_to(SHARED_DATA)) for p in releases.glob("*/*.htm"))
    else:
        names.append("releases/")  # skips with a reason, or fails under CI
    return names


EXHIBITS = _exhibit_names()
_cache: dict[str, tuple[bytes, Release]] = {}


def load(name: str) -> tuple[bytes, Release]:
    if name not in _cache:
        path_part, _, doc_type = name.partition("#")
        path = shared_path(*path_part.split("/"))
        content = path.read_bytes()
        if doc_type:
            documents = [d for d in split_submission(content) if d.doc_type == doc_type]
            assert documents, f"no {doc_type} in {name}"
            content = documents[0].content
        _cache[name] = (content, normalize_exhibit(content))
    return _cache[name]


def all_text(release: Release) -> list[str]:
    return [release.headline, *release.subheadlines, release.dateline,
            *(p.text for p in release.paragraphs), *(p.heading for p in release.paragraphs)]


_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9:]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);",
                     re.IGNORECASE)
_ODD = re.compile("[\u00a0\u2018\u2019\u201c\u201d\u2013\u2014\ufffd\x00-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("name", EXHIBITS)
def test_an_exhibit_has_a_headline_and_a_dateline(name: str) -> None:
    _, release = load(name)
    assert len(release.headline.split()) >= 4
    assert release.dateline_date is not None
    assert release.dateline_place
    assert 1990 <= release.dateline_date.year <= 2030


@pytest.mark.parametrize("name", EXHIBITS)
def test_an_exhibit_leaves_no_markup_entity_or_page_marker(name: str) -> None:
    _, release = load(name)
    for text in all_text(release):
        assert not _MARKUP.search(text), text
        assert not _ODD.search(text), repr(text)
        assert "\n" not in text and "  " not in text and text == text.strip()
        assert not re.search(r"(?i)^(exhibit\s*99|#\s*#\s*#|-\s*\d+\s*-|page \d+)", text), text


@pytest.mark.parametrize("name", EXHIBITS)
def test_an_exhibit_has_its_about_and_forward_looking_sections(name: str) -> None:
    content, release = load(name)
    source = content.decode("utf-8", errors="replace")
    sections = {p.section for p in release.paragraphs}
    if re.search(r"(?m)(>|^)\s*(about|ABOUT) [A-Z]", source):
        assert "about" in sections
        about = [p for p in release.paragraphs if p.section == "about"]
        assert all(p.heading.lower().startswith("about") for p in about)
    if re.search(r"(?i)forward[- ]looking\s+statements", source):
        assert "forward_looking" in sections
    assert "body" in sections
    # sections come in reading order: nothing of the body inside the safe-harbor text
    forward = [p for p in release.paragraphs if p.section == "forward_looking"]
    assert all("forward" in p.text.lower() or p.heading or i > 0 for i, p in
               enumerate(forward))


@pytest.mark.parametrize("name", [n for n in EXHIBITS if n.endswith(".txt")])
def test_hard_wrapped_lines_are_joined_into_whole_sentences(name: str) -> None:
    content, release = load(name)
    paragraphs = [p for p in release.paragraphs if p.kind == "text"]
    prose = [p for p in paragraphs if p.section in ("body", "quotes", "about")
             and len(p.text) > 150]
    assert prose
    for paragraph in prose:  # a prose paragraph ends a sentence: no page or line cut it
        assert paragraph.text.rstrip("\"')").endswith((".", "!", "?", ":")), paragraph.text
    # every long line of the source sits whole inside one paragraph
    texts = all_text(release)
    headings = [h for h in {p.heading for p in release.paragraphs} if h]
    for raw in content.decode("cp1252").splitlines():
        if re.search(r"\S {3,}\S", raw):
            continue  # a table or two-column contact row, not a wrapped line
        line = " ".join(raw.split())
        if release.dateline and line.startswith(release.dateline):
            line = line[len(release.dateline):].lstrip(" -")
        for heading in headings:  # a run-in heading: "FORWARD-LOOKING STATEMENTS: THIS ..."
            if line.startswith(heading):
                line = line[len(heading):].lstrip(" :.-")
        if len(line) > 60:
            assert any(line in text for text in texts), line


def test_the_seed_release_reads_as_an_analyst_would() -> None:
    _, release = load("seed/immunogen-2002-06-24-ex99-1.txt")
    assert release.headline == ("IMMUNOGEN, INC. PROVIDES UPDATE ON RELATIONSHIP WITH "
                                "GLAXOSMITHKLINE AND ALSO ON THE STATUS OF TRASTUZUMAB-DM1")
    assert (release.dateline_place, release.dateline_date) == ("CAMBRIDGE, MA", date(2002, 6, 24))
    first = release.paragraphs[0]
    assert first.section == "body"
    assert first.text.startswith("ImmunoGen, Inc. (Nasdaq: IMGN), a biopharmaceutical")
    assert first.sentences[0].endswith(
        "from GlaxoSmithKline that GlaxoSmithKline has elected not to advance cantuzumab "
        "mertansine (huC242-DM1/SB-408075) into Phase II under the present terms of our "
        "license agreement.")
    assert first.sentences[1] == ("ImmunoGen plans to renegotiate the agreement with "
                                  "GlaxoSmithKline.")
    about = [p for p in release.paragraphs if p.section == "about"]
    assert len(about) == 1  # joined across the <PAGE> break
    assert "Genentech (Trastuzumab-DM1), Millennium (MLN591DM1) and Boehringer" in about[0].text
    assert about[0].heading == "ABOUT IMMUNOGEN, INC."
    assert [p.section for p in release.paragraphs][-1] == "forward_looking"


def _labelled_releases() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for labels in sorted((SHARED_DATA / "releases").glob("labels-*.yaml")):
        data = yaml.safe_load(labels.read_text())
        for company in data["companies"]:
            out.extend((f"releases/{r['file']}", r) for r in company["releases"])
    return out or [("releases/", {})]


LABELLED = _labelled_releases()


def _simple(text: str) -> str:
    return " ".join(unify(text).lower().split())


@pytest.mark.parametrize(("name", "label"), LABELLED, ids=[n for n, _ in LABELLED])
def test_a_labelled_release_has_its_labelled_headline_and_date(name: str,
                                                               label: dict[str, Any]) -> None:
    _, release = load(name)
    assert _simple(release.headline) == _simple(label["headline"])
    assert release.dateline_date == label["date"]


@pytest.mark.parametrize(("name", "label"), LABELLED, ids=[n for n, _ in LABELLED])
def test_labelled_evidence_comes_out_inside_one_sentence(name: str,
                                                         label: dict[str, Any]) -> None:
    _, release = load(name)
    sentences = [_simple(s) for p in release.paragraphs for s in (p.sentences or (p.text,))]
    sentences += [_simple(release.headline), *(_simple(s) for s in release.subheadlines)]
    evidence = [f["evidence"] for f in label.get("facts") or []]
    evidence += [e["evidence"] for e in label.get("events") or [] if e.get("evidence")]
    missing = [e for e in evidence
               if not any(_simple(e).rstrip(".") in sentence for sentence in sentences)]
    assert not missing


@pytest.mark.parametrize("name", EXHIBITS)
def test_normalizing_the_canonical_text_again_gives_the_same_hash(name: str) -> None:
    _, release = load(name)
    again = normalize_exhibit(release.canonical_text.encode("utf-8"))
    assert again.content_hash == release.content_hash
    assert again.headline == release.headline
    if parse_date(release.dateline):  # (a date found above a dateline that has none is
        assert again.dateline_date == release.dateline_date  # not in the canonical text)


def test_the_corpus_is_really_there() -> None:
    folder: Path = shared_path("releases")
    assert len(list(folder.glob("*/*.txt"))) + len(list(folder.glob("*/*.htm"))) >= 40
