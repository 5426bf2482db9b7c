"""Sentences that look like partnership news and are not: each must leave a known pair's
ledger untouched and raise no change."""

from __future__ import annotations

from datetime import date

import pytest
from watcher.extract import ExtractContext, extract_release
from watcher.ledger import apply_extraction
from watcher.models import LedgerEntry, Paragraph, PreviousMention, Release

RELEASED = date(2014, 5, 5)
EARLIER = PreviousMention("a-1", date(2012, 1, 9), "earlier")
KNOWN = LedgerEntry("Borealis Pharma", "ACM-301", relationship="licensed", stage="phase_2",
                    relationship_source=EARLIER, stage_source=EARLIER, in_about=True)

TRAPS = [
    # rights and remedies, not events
    "Under the agreement, Borealis Pharma AG has the right to terminate the license for "
    "ACM-301 upon 90 days' notice.",
    "Either party may terminate the agreement for an uncured material breach.",
    # money that may come, or that came long ago
    "Acme is eligible to receive up to $250 million in milestone payments for ACM-301 from "
    "Borealis Pharma AG.",
    "Acme has received $12 million in milestone payments from Borealis Pharma AG to date.",
    # regulators clearing a trial are no approval of the product
    "The FDA approved the IND for ACM-301, allowing Borealis Pharma AG to proceed.",
    "Borealis Pharma AG received approval to begin a Phase 3 trial of ACM-301 in Germany.",
    "Regulators granted approval of the Phase 3 protocol for ACM-301 to Borealis Pharma AG.",
    "Borealis Pharma AG noted the approval of a rival JAK inhibitor in Europe.",
    "Enrollment in the Phase 2 trial of ACM-301 slowed after a competitor launched a similar "
    "JAK inhibitor, Borealis Pharma AG said.",
    "The FDA approved a competing product in psoriasis last month, which Borealis Pharma AG "
    "said would not change its plans for ACM-301.",
    # restatements and the past
    "As previously announced, Borealis Pharma AG initiated the Phase 2 trial of ACM-301 in "
    "2012.",
    "Borealis Pharma AG presented Phase 1 data for ACM-301 at the annual meeting.",
    "ACM-301 is licensed to Borealis Pharma AG, which is conducting a Phase 2 trial.",
    # plans, hopes and negations
    "Borealis Pharma AG is on track to start a Phase 3 trial of ACM-301 next year.",
    "Under the agreement, the start of a Phase 3 trial of ACM-301 will trigger a $15 million "
    "payment from Borealis Pharma AG.",
    "The collaboration with Borealis Pharma AG, which was extended in 2009 for two more years, "
    "ends in June.",
    "Borealis Pharma AG has not yet decided whether to advance ACM-301 into Phase 3.",
    "The completion of the study does not trigger a milestone payment to Acme.",
    "The agreement triggered a $5 million up-front payment from Borealis Pharma AG for "
    "ACM-301.",
    "Borealis Pharma AG would no longer develop ACM-301 if it declined the option.",
    "Borealis Pharma AG renewed its commitment to the ACM-301 collaboration.",
    # other agreements with other companies
    "Acme terminated its lease agreement with Harbor Realty LLC and moved to Cambridge.",
    "Acme entered into a loan agreement with Ridgeway Capital LLC.",
    "Oakmont Securities LLC acted as sole book-running manager for the offering.",
    "Dr. Lee previously served as Chief Medical Officer of Kestrel Genomics, Inc.",
    "Acme granted the underwriters a 30-day option to purchase additional shares.",
]


@pytest.mark.parametrize("sentence", TRAPS)
def test_a_trap_sentence_changes_nothing(sentence: str) -> None:
    release = Release(headline="", content_hash="x", dateline_date=RELEASED,
                      paragraphs=(Paragraph(text=sentence, sentences=(sentence,)),))
    context = ExtractContext(own_names=("Acme Biologics, Inc.",), release_date=RELEASED,
                             known_partners=(KNOWN.partner,), known_products=(KNOWN.product,),
                             pairs=((KNOWN.partner, KNOWN.product, KNOWN.relationship, True),))
    extraction = extract_release(release, context)
    update = apply_extraction({(KNOWN.partner, KNOWN.product): KNOWN}, extraction,
                              accession="a-2", filed=RELEASED)
    assert update.changes == ()
    stated = [(f.status, f.partner) for f in extraction.facts if f.modality == "stated"
              and f.field != "stage"]
    assert all(status in ("licensed",) for status, _ in stated), stated
