"""Properties of compare (hypothesis): a history that already holds a release finds nothing
new in it; list order and presentation never count; results are deterministic; the word diff
agrees with the comparison."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from watcher.compare import (
    CompareOptions,
    _word_tokens,
    compare_with_releases,
    diff_words,
    paragraph_key,
    paragraph_tokens,
)
from watcher.models import Paragraph, Release, StoredRelease

WORDS = ("alder bramble cobalt dunlin egret fennel garnet heron ibex juniper kestrel larch "
         "marten nettle osprey plover quartz rowan sedge thrush umber vetch willow yarrow "
         "licensed option partner Phase II collaboration rights returned CV-210 KX-7 U.S.").split()
NAMES = ("Ellwood Pharma AG", "Marston Bio, Inc.", "Tessaly Labs", "Quorra Health K.K.",
         "Brindle Therapeutics plc", "Orrin Biologics")
SECTIONS = ("body", "quotes", "about", "tables")

# A paragraph is a list of sentences, each kept as its parts, so that the same sentences can
# be written out again differently: ("words", words), ("list", names), ("figures", numbers).
Sentence = tuple[str, tuple[object, ...]]
words_sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(
    lambda ws: ("words", tuple(ws)))
list_sentence = st.lists(st.sampled_from(NAMES), min_size=2, max_size=5, unique=True).map(
    lambda names: ("list", tuple(names)))
figures_sentence = st.tuples(st.integers(1, 9_999), st.integers(1, 28),
                             st.integers(1990, 2030)).map(lambda t: ("figures", t))
sentences = st.lists(st.one_of(words_sentence, list_sentence, figures_sentence), min_size=1,
                     max_size=4)


def _write(parts: list[Sentence], rng: random.Random | None = None) -> str:
    """Sentences as text; with ``rng``, the same words presented differently: lists in
    another order, other numbers and dates, other case, quotes and spacing."""
    out = []
    for kind, data in parts:
        if kind == "words":
            out.append(" ".join(map(str, data)) + ".")
        elif kind == "list":
            names = list(map(str, data))
            if rng is not None:
                rng.shuffle(names)
            comma = ", and " if rng is not None and rng.random() < 0.5 else " and "
            out.append("Its partners include " + ", ".join(names[:-1]) + comma + names[-1]
                       + ".")
        else:
            amount, day, year = (int(str(x)) for x in data)
            if rng is not None:
                amount, day, year = (rng.randrange(1, 999), rng.randrange(1, 29),
                                     rng.randrange(1990, 2030))
                out.append(f"It paid ${amount} million for {amount * 3:,} shares on Monday, "
                           f"June {day}, {year}.")
            else:
                out.append(f"It paid ${amount:,}.5 million for {amount * 7:,} shares on "
                           f"March {day}, {year}.")
    text = " ".join(out)
    if rng is not None:
        if rng.random() < 0.3:
            text = text.upper()
        if rng.random() < 0.3:
            text = text.replace("'", "\u2019").replace(" include ", "  include\n ")
        text = text.replace(" ", rng.choice([" ", "  ", " \t"]), 2)
    return text


paragraph = st.tuples(st.sampled_from(SECTIONS), sentences)
written = st.lists(paragraph, min_size=1, max_size=6)
paragraph_text = sentences.map(_write)
release = written.map(lambda ps: Release(
    headline="h", content_hash="0" * 64,
    paragraphs=tuple(Paragraph(_write(parts), section) for section, parts in ps)))


def _release(ps: list[tuple[str, list[Sentence]]]) -> Release:
    return Release(headline="h", content_hash="0" * 64,
                   paragraphs=tuple(Paragraph(_write(parts), section) for section, parts in ps))


def _stored(n: int, r: Release) -> StoredRelease:
    return StoredRelease(n, 9900777, f"acc-{n:04d}", "EX-99.1", date(2020, 1, 1), r)


@settings(max_examples=60, deadline=None)
@given(release, st.lists(release, max_size=5), st.integers(0, 5))
def test_a_release_already_in_the_history_has_nothing_new_or_revised(
        new: Release, others: list[Release], at: int) -> None:
    history = list(others)
    history.insert(min(at, len(history)), new)
    comparison = compare_with_releases(new.paragraphs,
                                       [_stored(n, r) for n, r in enumerate(history)])
    assert {p.status for p in comparison.paragraphs} <= {"unchanged"}
    if history[-1] is new:
        assert comparison.dropped == () and comparison.unified == ""


@settings(max_examples=60, deadline=None)
@given(written, st.lists(release, max_size=3), st.integers(0, 10**6))
def test_reordered_lists_and_presentation_changes_report_nothing(
        latest: list[tuple[str, list[Sentence]]], older: list[Release], seed: int) -> None:
    rng = random.Random(seed)
    paragraphs = [Paragraph(_write(parts, rng), section) for section, parts in latest]
    rng.shuffle(paragraphs)
    history = [_stored(n, r) for n, r in enumerate([*older, _release(latest)])]
    comparison = compare_with_releases(paragraphs, history)
    assert {p.status for p in comparison.paragraphs} <= {"unchanged"}
    assert comparison.dropped == ()
    assert comparison.unified == ""
    assert comparison.removed_text() == () and comparison.added_text() == ()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(release, st.lists(release, min_size=1, max_size=4))
def test_comparing_twice_gives_the_same_comparison(new: Release,
                                                   others: list[Release]) -> None:
    history = [_stored(n, r) for n, r in enumerate(others)]
    assert compare_with_releases(new.paragraphs, history) == \
        compare_with_releases(new.paragraphs, history)


@settings(max_examples=100, deadline=None)
@given(paragraph_text, st.lists(st.sampled_from([r"Phase \w+", r"(?i)partners?", "KX-7"]),
                                max_size=2))
def test_the_diff_tokenizer_agrees_with_the_comparison_tokenizer(text: str,
                                                                 ignore: list[str]) -> None:
    options = CompareOptions(ignore=tuple(ignore))
    text = text.replace("rights", "rights\u2014returned").replace(" option", " --option")
    words, tokens, owners = _word_tokens(text, options)
    assert tuple(tokens) == paragraph_tokens(text, options)
    assert words == text.split() and sorted(owners) == owners


@settings(max_examples=150, deadline=None)
@given(paragraph_text, paragraph_text, st.booleans())
def test_a_word_diff_reports_changes_exactly_when_the_words_differ(before: str, after: str,
                                                                   dashes: bool) -> None:
    if dashes:  # words cut in pieces by dashes
        before = before.replace(" ", "\u2014", 3)
        after = after.replace(" ", "--", 2)
    words = diff_words(before, after)
    assert " ".join(s.text for s in words.before) == " ".join(before.split())
    assert " ".join(s.text for s in words.after) == " ".join(after.split())
    differ = paragraph_key(paragraph_tokens(before)) != paragraph_key(paragraph_tokens(after))
    assert bool(words.removed or words.added) == differ


def test_results_do_not_depend_on_the_process_hash_seed(tmp_path: Path) -> None:
    before = tmp_path / "before.txt"
    after = tmp_path / "after.txt"
    before.write_text("Corvane news\n\nCorvane licensed CV-210 to Ellwood Pharma AG and "
                      "Marston Bio. It paid $4 million.\n\nAbout Corvane\n\nCorvane's "
                      "partners include Ellwood, Marston Bio, Tessaly Labs and Quorra Health.\n")
    after.write_text("Corvane news\n\nCorvane licensed CV-305 to Ellwood Pharma AG. It paid "
                     "$6 million.\n\nAbout Corvane\n\nCorvane's partners include Quorra "
                     "Health, Ellwood and Orrin Biologics.\n")
    outputs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "watcher", "diff", "--json",
                               str(before), str(after)], capture_output=True, text=True,
                              env=env, check=True)
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1] == outputs[2]
    assert any(p["status"] == "revised" for p in outputs[0]["paragraphs"])
