"""Minimal pairs: one fact written stated, negated, hedged, conditional and historical gives
one event and four non-events, through extraction and the ledger."""

from __future__ import annotations

from datetime import date

import pytest
from watcher.extract import ExtractContext, extract_release
from watcher.ledger import apply_extraction
from watcher.models import LedgerEntry, Paragraph, PreviousMention, Release

RELEASED = date(2012, 6, 1)
EARLIER = PreviousMention("0000000000-11-000001", date(2011, 3, 1), "the 2011 release")

# fact -> (ledger before, the five sentences in the order stated, negated, hedged,
#          conditional, historical, and the change the stated one gives)
MINIMAL_PAIRS: dict[str, tuple[LedgerEntry, tuple[str, str, str, str, str], tuple[str, ...]]] = {
    "option exercised": (
        LedgerEntry("Borealis Pharma", "ACM-301", relationship="option_granted",
                    stage="preclinical", relationship_source=EARLIER, stage_source=EARLIER),
        ("Borealis Pharma AG has exercised its option to license ACM-301.",
         "Borealis Pharma AG has not exercised its option to license ACM-301.",
         "Borealis Pharma AG may exercise its option to license ACM-301 next year.",
         "If the data are positive, Borealis Pharma AG would exercise its option to license "
         "ACM-301.",
         "In March 2009, Borealis Pharma AG exercised its option to license ACM-301."),
        ("status_changed", "relationship", "option_granted", "option_exercised"),
    ),
    "phase 2 start": (
        LedgerEntry("Borealis Pharma", "ACM-301", relationship="licensed", stage="phase_1",
                    relationship_source=EARLIER, stage_source=EARLIER),
        ("Borealis Pharma AG has initiated a Phase 2 clinical trial of ACM-301.",
         "Borealis Pharma AG has not initiated a Phase 2 clinical trial of ACM-301.",
         "Borealis Pharma AG expects to initiate a Phase 2 clinical trial of ACM-301 in 2013.",
         "Should the FDA agree, Borealis Pharma AG would initiate a Phase 2 clinical trial of "
         "ACM-301.",
         "In 2009, Borealis Pharma AG initiated a Phase 2 clinical trial of ACM-301."),
        ("status_changed", "stage", "phase_1", "phase_2"),
    ),
    "termination": (
        LedgerEntry("Borealis Pharma", "ACM-301", relationship="licensed", stage="phase_1",
                    relationship_source=EARLIER, stage_source=EARLIER),
        ("Borealis Pharma AG has terminated its license agreement for ACM-301.",
         "Borealis Pharma AG has not terminated its license agreement for ACM-301.",
         "Borealis Pharma AG could terminate its license agreement for ACM-301.",
         "If enrollment is not complete by June, Borealis Pharma AG would terminate its "
         "license agreement for ACM-301.",
         "Borealis Pharma AG previously terminated its license agreement for ACM-301."),
        ("status_changed", "relationship", "licensed", "terminated"),
    ),
    "milestone": (
        LedgerEntry("Borealis Pharma", "ACM-301", relationship="licensed", stage="phase_1",
                    relationship_source=EARLIER, stage_source=EARLIER),
        ("The start of the trial of ACM-301 triggered a $5 million milestone payment from "
         "Borealis Pharma AG.",
         "The start of the trial of ACM-301 did not trigger a milestone payment from Borealis "
         "Pharma AG.",
         "The start of the trial of ACM-301 may trigger a $5 million milestone payment from "
         "Borealis Pharma AG.",
         "If the trial of ACM-301 starts, it would trigger a $5 million milestone payment from "
         "Borealis Pharma AG.",
         "In 2009, the start of the trial of ACM-301 triggered a $5 million milestone payment "
         "from Borealis Pharma AG."),
        ("milestone_reached",),
    ),
}
MODALITIES = ("stated", "negated", "hedged", "conditional", "historical")


def _apply(entry: LedgerEntry, sentence: str) -> tuple[list[str], list[tuple[str, ...]]]:
    release = Release(headline="", content_hash="x", dateline_date=RELEASED,
                      paragraphs=(Paragraph(text=sentence, sentences=(sentence,)),))
    context = ExtractContext(own_names=("Acme Biologics, Inc.",), release_date=RELEASED,
                             known_partners=(entry.partner,), known_products=(entry.product,),
                             pairs=((entry.partner, entry.product, entry.relationship, True),))
    extraction = extract_release(release, context)
    update = apply_extraction({(entry.partner, entry.product): entry}, extraction,
                              accession="0000000000-12-000009", filed=RELEASED)
    changes = [(c.kind, c.field, c.from_status, c.to_status)[:1 if c.kind ==
                                                              "milestone_reached" else 4]
               for c in update.changes]
    return [f.modality for f in extraction.facts], changes


@pytest.mark.parametrize("name", list(MINIMAL_PAIRS))
def test_the_stated_sentence_gives_one_event_with_the_old_and_new_status(name: str) -> None:
    entry, sentences, expected = MINIMAL_PAIRS[name]
    modalities, changes = _apply(entry, sentences[0])
    assert modalities == ["stated"]
    assert changes == [expected]


@pytest.mark.parametrize("name", list(MINIMAL_PAIRS))
@pytest.mark.parametrize("index", [1, 2, 3, 4], ids=list(MODALITIES[1:]))
def test_the_negated_hedged_conditional_and_historical_sentences_give_no_event(
    name: str, index: int,
) -> None:
    entry, sentences, _expected = MINIMAL_PAIRS[name]
    modalities, changes = _apply(entry, sentences[index])
    assert changes == []
    assert modalities == [MODALITIES[index]]


def test_a_stated_change_points_at_the_release_that_set_the_old_status() -> None:
    entry, sentences, _expected = MINIMAL_PAIRS["termination"]
    release = Release(headline="", content_hash="x", dateline_date=RELEASED,
                      paragraphs=(Paragraph(text=sentences[0], sentences=(sentences[0],)),))
    context = ExtractContext(own_names=("Acme Biologics, Inc.",), release_date=RELEASED,
                             pairs=((entry.partner, entry.product, entry.relationship, True),))
    update = apply_extraction({(entry.partner, entry.product): entry},
                              extract_release(release, context),
                              accession="0000000000-12-000009", filed=RELEASED)
    assert update.changes[0].previous == EARLIER
    assert update.changes[0].evidence == sentences[0]
