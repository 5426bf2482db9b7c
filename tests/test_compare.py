"""compare: noise control, classification against the whole history, About-first matching,
dropped paragraphs, the structured result and the unified diff. Pure: in-memory index."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from watcher.compare import (
    BUCKET_SIZE,
    DEFAULT_OPTIONS,
    CompareOptions,
    MemoryIndex,
    band_hashes,
    compare_release,
    compare_with_releases,
    diff_words,
    fingerprint_release,
    paragraph_key,
    paragraph_tokens,
    push_bucket,
    top_candidates,
    word_diff,
)
from watcher.models import Paragraph, Release, StoredRelease

ABOUT_V1 = ("Corvane Therapeutics, Inc. develops antibody therapies for fibrotic disease. "
            "Its partners include Ellwood Pharma AG, which licensed CV-210 for lung fibrosis; "
            "Marston Bio, Inc., which holds an option on CV-305; and Tessaly Labs, which "
            "collaborates on the Fibrolink platform. Corvane is based in Leeds.")
ABOUT_V2 = ("Corvane Therapeutics, Inc. develops antibody therapies for fibrotic disease. "
            "Its partners include Ellwood Pharma AG, which licensed CV-210 for lung fibrosis; "
            "and Tessaly Labs, which collaborates on the Fibrolink platform. "
            "Corvane is based in Leeds.")
NEWS_1 = ("LEEDS, England, March 3, 2021 -- Corvane Therapeutics today announced that the "
          "first patient has been dosed in a Phase 1 trial of CV-210 in idiopathic pulmonary "
          "fibrosis, triggering a $4.0 million milestone payment from Ellwood Pharma AG.")
NEWS_2 = ("Corvane Therapeutics today reported a net loss of $12.4 million for the quarter "
          "and cash of $88.1 million, sufficient to fund operations into 2024.")
NEWS_3 = ("Corvane Therapeutics announced that Marston Bio has exercised its option on "
          "CV-305 and will pay an exercise fee to begin development in scleroderma.")
PRODUCT = ("CV-210 is a humanized antibody that blocks the FBX-4 receptor on activated "
           "fibroblasts and reduced collagen deposition in three preclinical models.")


def _release(*paragraphs: tuple[str, str]) -> Release:
    return Release(headline="Corvane news", content_hash="0" * 64,
                   paragraphs=tuple(Paragraph(text, section) for section, text in paragraphs))


def _stored(n: int, release: Release) -> StoredRelease:
    return StoredRelease(n, 9900555, f"0009900555-21-{n:06d}", "EX-99.1",
                         date(2021, 1, 1).replace(month=1 + n % 12), release)


def _history(*releases: Release) -> list[StoredRelease]:
    return [_stored(n, r) for n, r in enumerate(releases, start=1)]


# -- noise ---------------------------------------------------------------------------

@pytest.mark.parametrize(("before", "after"), [
    ("The milestone of $4.0 million was paid on March 3, 2021.",
     "The milestone of $6.5 million was paid on June 30, 2022."),
    ("It sold 2,400,000 shares at $12.50 per share, or 15% of its stock.",
     "It sold 3,100,000 shares at $9.75 per share, or 22% of its stock."),
    ("Corvane's   \u201cFibrolink\u201d platform\u2014now  licensed.",
     "CORVANE'S \"FIBROLINK\" PLATFORM - NOW LICENSED."),
    ("Its ConjuLock(TM) technology, call (508) 555-0140 on Monday, June 24, 2002.",
     "Its ConjuLock\u2122 technology, call (617) 555-0199 on June 5."),
])
def test_numbers_dates_prices_case_quotes_and_whitespace_are_noise(before: str,
                                                                   after: str) -> None:
    assert paragraph_tokens(before) == paragraph_tokens(after)


@pytest.mark.parametrize(("before", "after"), [
    ("CV-210 is licensed to Ellwood.", "CV-305 is licensed to Ellwood."),
    ("CV-210 entered Phase 2 testing.", "CV-210 entered Phase 3 testing."),
    ("Ellwood filed its Form 10-K.", "Ellwood filed its Form 10-Q."),
    ("Ellwood may terminate the agreement.", "Ellwood will terminate the agreement."),
])
def test_identifiers_stage_numbers_and_words_still_count(before: str, after: str) -> None:
    assert paragraph_tokens(before) != paragraph_tokens(after)


def test_a_list_in_another_order_has_the_same_key() -> None:
    one = "Its partners are Ellwood Pharma AG, Marston Bio, Inc. and Tessaly Labs."
    other = "Its partners are Tessaly Labs, Ellwood Pharma AG and Marston Bio, Inc."
    assert paragraph_key(paragraph_tokens(one)) == paragraph_key(paragraph_tokens(other))


def test_order_counts_when_the_options_say_so() -> None:
    options = CompareOptions(ignore_order=False)
    one = "Its partners are Ellwood Pharma AG and Tessaly Labs."
    other = "Its partners are Tessaly Labs and Ellwood Pharma AG."
    assert paragraph_key(paragraph_tokens(one, options), options) != \
        paragraph_key(paragraph_tokens(other, options), options)


def test_user_ignore_patterns_remove_what_they_match() -> None:
    options = CompareOptions(ignore=(r"\(Nasdaq: [A-Z]+\)", r"(?i)for more information.*$"))
    before = "Corvane (Nasdaq: CRVN) licensed CV-210. For more information, see corvane.example."
    after = "Corvane (Nasdaq: CRVX) licensed CV-210."
    assert paragraph_tokens(before, options) == paragraph_tokens(after, options)
    assert paragraph_tokens(before) != paragraph_tokens(after)


def test_a_paragraph_of_numbers_only_is_not_compared() -> None:
    release = _release(("tables", "| 1,204 | $ (7,286) | 15% |"), ("body", NEWS_2))
    assert [p.section for p in fingerprint_release(release.paragraphs).paragraphs] == ["body"]


def test_sections_outside_the_options_are_not_compared() -> None:
    release = _release(("body", NEWS_1), ("forward_looking", "This release contains "
                                                             "forward-looking statements."))
    comparison = compare_with_releases(release.paragraphs, [])
    assert [p.section for p in comparison.paragraphs] == ["body"]


# -- classification ------------------------------------------------------------------

def test_with_no_history_every_paragraph_is_new() -> None:
    release = _release(("body", NEWS_1), ("about", ABOUT_V1))
    comparison = compare_with_releases(release.paragraphs, [])
    assert [p.status for p in comparison.paragraphs] == ["new", "new"]
    assert comparison.compared_with == () and comparison.dropped == ()


def test_an_exact_repeat_from_any_earlier_release_is_unchanged() -> None:
    history = _history(_release(("body", PRODUCT), ("about", ABOUT_V1)),
                       *(_release(("body", f"News number {n} about something else entirely."),
                                  ("about", ABOUT_V1)) for n in range(30)))
    new = _release(("body", NEWS_3), ("body", PRODUCT.replace("three", "three")),
                   ("about", ABOUT_V1))
    comparison = compare_with_releases(new.paragraphs, history)
    statuses = {p.text: p for p in comparison.paragraphs}
    assert statuses[PRODUCT].status == "unchanged"
    assert statuses[PRODUCT].previous_accession == history[0].accession  # 30 releases ago
    assert statuses[ABOUT_V1].status == "unchanged"
    assert statuses[NEWS_3].status == "new"


def test_a_revised_paragraph_carries_its_closest_earlier_version_and_a_word_diff() -> None:
    history = _history(_release(("body", PRODUCT), ("about", ABOUT_V1)))
    revised = PRODUCT.replace("three preclinical models", "four preclinical models")
    comparison = compare_with_releases(_release(("body", revised)).paragraphs, history)
    match = comparison.paragraphs[0]
    assert match.status == "revised"
    assert match.previous_text == PRODUCT
    assert match.previous_accession == history[0].accession
    assert 0.9 < match.similarity < 1.0
    assert match.removed == ("three",) and match.added == ("four",)
    assert "[-three-] {+four+}" in match.diff


def test_an_about_list_losing_a_partner_shows_the_partner_in_the_removed_words() -> None:
    history = _history(_release(("body", NEWS_1), ("about", ABOUT_V1)))
    comparison = compare_with_releases(_release(("body", NEWS_2), ("about", ABOUT_V2))
                                       .paragraphs, history)
    about = next(p for p in comparison.paragraphs if p.section == "about")
    assert about.status == "revised"
    assert any("Marston Bio" in phrase for phrase in comparison.removed_text("about"))
    assert not any("Ellwood" in phrase for phrase in comparison.removed_text("about"))
    assert comparison.dropped == ()  # revised, so not dropped as well


def test_the_about_section_is_compared_with_the_latest_about_first() -> None:
    # the oldest About is closer in words to the new one, but the latest is what the company
    # said last: the diff must be against it, so that the partner it had added shows as gone
    older = ABOUT_V2
    latest = ABOUT_V2.replace("and Tessaly Labs,", "Quorra Health, which distributes CV-210 "
                                                   "in Japan; and Tessaly Labs,")
    history = _history(_release(("about", older)), _release(("body", NEWS_1), ("about", latest)))
    new_about = ABOUT_V2.replace("Leeds.", "Leeds, England.")
    comparison = compare_with_releases(_release(("about", new_about)).paragraphs, history)
    match = comparison.paragraphs[0]
    assert match.previous_text == latest
    assert any("Quorra Health" in phrase for phrase in match.removed)


def test_a_rewritten_paragraph_below_the_threshold_is_new() -> None:
    history = _history(_release(("body", NEWS_1)))
    comparison = compare_with_releases(_release(("body", NEWS_2)).paragraphs, history)
    assert comparison.paragraphs[0].status == "new"


def test_a_recurring_about_paragraph_that_disappears_is_dropped() -> None:
    partner_about = ("Marston Bio, Inc. is a privately held company developing enzyme "
                     "replacement therapies, based in Cambridge, Massachusetts.")
    history = _history(_release(("about", ABOUT_V1), ("about", partner_about)),
                       _release(("body", NEWS_1), ("about", ABOUT_V1), ("about", partner_about)))
    comparison = compare_with_releases(_release(("body", NEWS_3), ("about", ABOUT_V1))
                                       .paragraphs, history)
    assert [(d.section, d.text) for d in comparison.dropped] == [("about", partner_about)]
    assert comparison.dropped[0].accession == history[-1].accession
    assert partner_about in comparison.removed_text("about")


def test_a_paragraph_seen_once_or_outside_the_dropped_sections_is_not_dropped() -> None:
    once = "Marston Bio, Inc. is a privately held company based in Cambridge."
    history = _history(_release(("body", PRODUCT), ("about", ABOUT_V1)),
                       _release(("body", PRODUCT), ("about", ABOUT_V1), ("about", once)))
    comparison = compare_with_releases(_release(("about", ABOUT_V1)).paragraphs, history)
    assert comparison.dropped == ()
    everywhere = replace(DEFAULT_OPTIONS, dropped_min_occurrences=1,
                         dropped_sections=DEFAULT_OPTIONS.sections)
    dropped = compare_with_releases(_release(("about", ABOUT_V1)).paragraphs, history,
                                    everywhere).dropped
    assert {d.text for d in dropped} == {once, PRODUCT}


def test_compared_with_names_the_releases_that_account_for_most_of_the_text() -> None:
    history = _history(_release(("body", PRODUCT)), _release(("body", NEWS_1), ("about", ABOUT_V1)))
    comparison = compare_with_releases(
        _release(("body", NEWS_3), ("body", PRODUCT), ("about", ABOUT_V1)).paragraphs, history)
    assert [c.accession for c in comparison.compared_with] == [history[1].accession,
                                                               history[0].accession]
    assert [c.paragraphs for c in comparison.compared_with] == [1, 1]
    assert comparison.compared_with[0].filed == history[1].filed
    assert 0 < comparison.compared_with[1].similarity < comparison.compared_with[0].similarity


def test_the_unified_diff_shows_real_changes_and_not_noise_or_order() -> None:
    history = _history(_release(("body", NEWS_1), ("body", PRODUCT), ("about", ABOUT_V1)))
    new = _release(("body", PRODUCT.replace("three", "four")),
                   ("body", NEWS_1.replace("$4.0", "$5.0")), ("about", ABOUT_V2))
    unified = compare_with_releases(new.paragraphs, history, label="0009-new").unified
    lines = unified.splitlines()
    assert lines[0] == f"--- {history[0].accession}" and lines[1] == "+++ 0009-new"
    changed = [line for line in lines[2:] if line[:1] in "+-"]
    assert f"-{PRODUCT}" in changed and f"+{PRODUCT.replace('three', 'four')}" in changed
    assert f"-{ABOUT_V1}" in changed and f"+{ABOUT_V2}" in changed
    assert not any("$5.0" in line for line in changed)  # a changed number is context at most


def test_nothing_changed_means_an_empty_unified_diff() -> None:
    release = _release(("body", NEWS_1), ("about", ABOUT_V1))
    assert compare_with_releases(release.paragraphs, _history(release)).unified == ""


# -- word diffs ----------------------------------------------------------------------

def test_a_word_diff_covers_both_texts_and_marks_only_real_changes() -> None:
    before = "Ellwood paid $4.0 million on March 3, 2021 for CV-210 and CV-305."
    after = "Ellwood paid $9.0 million on June 1, 2022 for CV-305 and CV-410."
    words = diff_words(before, after)
    assert " ".join(s.text for s in words.before) == before
    assert " ".join(s.text for s in words.after) == after
    assert words.removed == ("CV-210",) and words.added == ("CV-410.",)
    assert [s.text for s in words.after if s.mark == "moved"] == ["CV-305"]
    assert word_diff(before, after) == words.inline == \
        "Ellwood paid $9.0 million on June 1, 2022 for [-CV-210-] CV-305 and {+CV-410.+}"


def test_moved_list_items_are_not_changes_in_the_word_diff() -> None:
    before = "Partners: Ellwood Pharma AG, Marston Bio, Tessaly Labs and Quorra Health."
    after = "Partners: Tessaly Labs, Ellwood Pharma AG, Quorra Health and Marston Bio."
    words = diff_words(before, after)
    assert words.removed == () and words.added == ()
    assert {s.mark for s in words.before} <= {"", "moved"}
    ordered = diff_words(before, after, CompareOptions(ignore_order=False))
    assert ordered.removed and ordered.added


# -- the index -----------------------------------------------------------------------

def test_similar_paragraphs_share_bands_and_unrelated_ones_rarely_do() -> None:
    about = band_hashes(paragraph_tokens(ABOUT_V1))
    revised = band_hashes(paragraph_tokens(ABOUT_V2))
    unrelated = band_hashes(paragraph_tokens(NEWS_2))
    assert len(set(about) & set(revised)) >= 4
    assert len(set(about) & set(unrelated)) <= 1
    assert band_hashes(paragraph_tokens(ABOUT_V1)) == about  # stable


def test_a_band_bucket_keeps_only_the_latest_paragraphs() -> None:
    bucket: list[int] = []
    for seq in range(BUCKET_SIZE + 5):
        push_bucket(bucket, seq)
    assert bucket == list(range(5, BUCKET_SIZE + 5))


def test_top_candidates_prefers_more_shared_bands_then_recency() -> None:
    assert top_candidates([[1, 2, 3], [2, 3], [3, 2], [7]], 3) == [3, 2, 7]


def test_the_memory_index_counts_occurrences_once_per_release_and_finds_near_repeats() -> None:
    index = MemoryIndex()
    first = _release(("about", ABOUT_V1), ("about", ABOUT_V1), ("body", NEWS_1))
    index.add("a1", date(2021, 1, 4), fingerprint_release(first.paragraphs))
    index.add("a2", date(2021, 2, 4), fingerprint_release(first.paragraphs))
    assert len(index) == 2
    hits = index.lookup(fingerprint_release(_release(("about", ABOUT_V1),
                                                     ("about", ABOUT_V2)).paragraphs))
    found = hits.exact[paragraph_key(paragraph_tokens(ABOUT_V1))]
    assert [(p.occurrences, p.last_accession) for p in found] == [(2, "a2")]
    assert hits.near[0] == ()  # an exact repeat needs no near candidates
    assert [p.text for p in hits.near[1]][:1] == [ABOUT_V1]
    assert hits.previous is not None and hits.previous.accession == "a2"
    assert [p.text for p in hits.previous.paragraphs] == [ABOUT_V1, ABOUT_V1, NEWS_1]


def test_lookup_results_feed_a_pure_compare() -> None:
    index = MemoryIndex()
    index.add("a1", None, fingerprint_release(_release(("about", ABOUT_V1)).paragraphs))
    query = fingerprint_release(_release(("about", ABOUT_V2)).paragraphs)
    hits = index.lookup(query)
    assert compare_release(hits) == compare_release(hits)
    assert compare_release(hits).paragraphs[0].status == "revised"
