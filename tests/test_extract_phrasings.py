"""Many ways of saying the same news: each sentence is one stated change of a known pair."""

from __future__ import annotations

from datetime import date

import pytest
from watcher.extract import ExtractContext, extract_release
from watcher.ledger import apply_extraction
from watcher.models import LedgerEntry, Paragraph, PreviousMention, Release

RELEASED = date(2014, 5, 5)
EARLIER = PreviousMention("a-1", date(2012, 1, 9), "earlier")


def _entry(relationship: str = "licensed", stage: str = "phase_2") -> LedgerEntry:
    return LedgerEntry("Borealis Pharma", "ACM-301", relationship=relationship, stage=stage,
                       relationship_source=EARLIER, stage_source=EARLIER)


PHRASINGS: list[tuple[str, LedgerEntry, tuple[str | None, str | None, str | None]]] = [
    # relationship
    ("Borealis Pharma AG has notified Acme that it will terminate the license agreement for "
     "ACM-301.", _entry(), ("relationship", "licensed", "terminated")),
    ("Acme and Borealis Pharma AG have mutually agreed to end their collaboration on ACM-301.",
     _entry(), ("relationship", "licensed", "terminated")),
    ("Borealis Pharma AG has decided to return the rights to ACM-301 to Acme.",
     _entry(), ("relationship", "licensed", "rights_returned")),
    ("Acme regained worldwide rights to ACM-301 from Borealis Pharma AG.",
     _entry(), ("relationship", "licensed", "rights_returned")),
    ("Borealis Pharma AG's option to license ACM-301 expired unexercised.",
     _entry("option_granted"), ("relationship", "option_granted", "rights_returned")),
    ("Borealis Pharma AG has opted out of the co-development of ACM-301.",
     _entry("collaborating"), ("relationship", "collaborating", "not_advancing")),
    ("Borealis Pharma AG elected to exercise its option to license ACM-301.",
     _entry("option_granted"), ("relationship", "option_granted", "option_exercised")),
    ("Borealis Pharma AG exercised its opt-in right for ACM-301.",
     _entry("option_granted"), ("relationship", "option_granted", "option_exercised")),
    ("Acme and Borealis Pharma AG amended their collaboration to add two new targets for "
     "ACM-301.", _entry("collaborating"), ("relationship", "collaborating", "expanded")),
    ("Borealis Pharma AG has handed back the rights to ACM-301 to Acme.",
     _entry(), ("relationship", "licensed", "rights_returned")),
    ("Borealis Pharma AG's option on ACM-301 lapsed on March 31.",
     _entry("option_granted"), ("relationship", "option_granted", "rights_returned")),
    ("Borealis Pharma AG is no longer developing ACM-301.",
     _entry(), ("relationship", "licensed", "not_advancing")),
    # stage
    ("The first patient was dosed in the Phase 3 CALDERA-2 trial of ACM-301 by Borealis "
     "Pharma AG.", _entry(), ("stage", "phase_2", "phase_3")),
    ("Borealis Pharma AG announced the initiation of a Phase 3 trial of ACM-301.",
     _entry(), ("stage", "phase_2", "phase_3")),
    ("ACM-301 has entered Phase 3 development with Borealis Pharma AG.",
     _entry(), ("stage", "phase_2", "phase_3")),
    ("Borealis Pharma AG submitted a Marketing Authorization Application to the EMA for "
     "ACM-301.", _entry(stage="phase_3"), ("stage", "phase_3", "filed")),
    ("The FDA accepted Borealis Pharma AG's BLA for ACM-301 for review.",
     _entry(stage="phase_3"), ("stage", "phase_3", "filed")),
    ("The European Commission granted marketing authorization for ACM-301 to Borealis "
     "Pharma AG.", _entry(stage="filed"), ("stage", "filed", "approved")),
    ("ACM-301 was approved by the FDA for the treatment of psoriasis.",
     _entry(stage="filed"), ("stage", "filed", "approved")),
    ("Borealis Pharma AG announced the approval of ACM-301 and other medicines in Japan.",
     _entry(stage="filed"), ("stage", "filed", "approved")),
    ("Borealis Pharma AG launched ACM-301 in the United States.",
     _entry(stage="approved"), ("stage", "approved", "marketed")),
    ("The FDA placed a clinical hold on the Phase 2 trial of ACM-301.",
     _entry(), ("stage", "phase_2", "on_hold")),
    ("Borealis Pharma AG has discontinued the Phase 2 study of ACM-301.",
     _entry(), ("stage", "phase_2", "discontinued")),
    ("Borealis Pharma AG has postponed the start of the Phase 3 trial of ACM-301 to 2016.",
     _entry(), ("stage", "phase_2", "delayed")),
]


@pytest.mark.parametrize(("sentence", "entry", "expected"), PHRASINGS,
                         ids=[p[0][:50] for p in PHRASINGS])
def test_each_phrasing_is_one_stated_change(sentence: str, entry: LedgerEntry,
                                            expected: tuple[str, str, str]) -> None:
    release = Release(headline="", content_hash="x", dateline_date=RELEASED,
                      paragraphs=(Paragraph(text=sentence, sentences=(sentence,)),))
    context = ExtractContext(own_names=("Acme Biologics, Inc.",), release_date=RELEASED,
                             known_partners=(entry.partner,), known_products=(entry.product,),
                             pairs=((entry.partner, entry.product, entry.relationship, True),))
    update = apply_extraction({(entry.partner, entry.product): entry},
                              extract_release(release, context), accession="a-2",
                              filed=RELEASED)
    assert [(c.kind, c.field, c.from_status, c.to_status) for c in update.changes] == \
        [("status_changed", *expected)]
