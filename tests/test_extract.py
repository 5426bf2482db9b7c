"""Extraction: partners, products and statuses with their modality, rule and sentence; the
seed release; the forward-looking section skipped wherever the normalizer put it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from watcher.extract import ExtractContext, Extraction, extract_facts, extract_release
from watcher.models import RELATIONSHIP_STATUSES, STAGE_STATUSES, Fact, Paragraph, Release
from watcher.normalize import normalize_exhibit

from tests.conftest import shared_path

ACME = "Acme Biologics, Inc."


def _release(*paragraphs: str | tuple[str, str], when: date = date(2012, 6, 1)) -> Release:
    built = []
    for item in paragraphs:
        text, section = (item, "body") if isinstance(item, str) else item
        built.append(Paragraph(text=text, section=section, sentences=(text,)))
    return Release(headline="", paragraphs=tuple(built), content_hash="x", dateline_date=when)


def _extract(*paragraphs: str | tuple[str, str], **context: object) -> Extraction:
    release = _release(*paragraphs)
    ctx = ExtractContext(own_names=(ACME,), release_date=release.dateline_date,
                         **context)  # type: ignore[arg-type]
    return extract_release(release, ctx)


def _only(facts: tuple[Fact, ...] | list[Fact], **fields: object) -> list[Fact]:
    return [f for f in facts if all(getattr(f, k) == v for k, v in fields.items())]


# --------------------------------------------------------------------------- the seed

@pytest.fixture(scope="module")
def seed() -> Extraction:
    content = shared_path("seed", "immunogen-2002-06-24-ex99-1.txt").read_bytes()
    release = normalize_exhibit(content)
    return extract_release(release, ExtractContext(own_names=("ImmunoGen, Inc.",),
                                                   release_date=date(2002, 6, 24)))


def test_the_seed_states_that_glaxosmithkline_elected_not_to_advance_cantuzumab_mertansine(
    seed: Extraction,
) -> None:
    found = _only(seed.facts, partner="GlaxoSmithKline", product="cantuzumab mertansine",
                  status="not_advancing")
    assert len(found) == 1
    assert found[0].modality == "stated"
    assert "has elected not to advance cantuzumab mertansine" in found[0].evidence
    assert found[0].rule == "relationship.not_advancing.opt_out"


def test_the_seed_names_the_renegotiation_of_the_glaxosmithkline_agreement(
    seed: Extraction,
) -> None:
    found = _only(seed.facts, partner="GlaxoSmithKline", product="cantuzumab mertansine",
                  status="renegotiating")
    assert found and found[0].field == "relationship"
    assert "renegotiate the agreement" in found[0].evidence


def test_the_seed_return_of_rights_is_conditional(seed: Extraction) -> None:
    found = _only(seed.facts, partner="GlaxoSmithKline", status="rights_returned")
    assert [f.modality for f in found] == ["conditional"]
    assert "would be returned" in found[0].evidence


def test_the_seed_states_a_delay_of_trastuzumab_dm1_by_a_new_ind_target_date(
    seed: Extraction,
) -> None:
    found = _only(seed.facts, partner="Genentech", product="Trastuzumab-DM1", status="delayed")
    assert len(found) == 1
    assert found[0].modality == "stated" and found[0].field == "stage"
    assert "new target IND filing date" in found[0].evidence


def test_the_seed_restates_the_1999_license_as_history(seed: Extraction) -> None:
    found = _only(seed.facts, partner="GlaxoSmithKline", status="licensed")
    assert [f.modality for f in found] == ["historical"]


def test_the_seed_learns_the_code_names_of_cantuzumab_mertansine(seed: Extraction) -> None:
    learned = {(a.alias, a.canonical) for a in seed.aliases if a.kind == "product"}
    assert ("huC242-DM1", "cantuzumab mertansine") in learned
    assert ("SB-408075", "cantuzumab mertansine") in learned


def test_the_seed_about_paragraph_lists_partners_with_their_products(seed: Extraction) -> None:
    assert seed.about is not None
    pairs = {(p.partner, p.product) for p in seed.about}
    assert ("Genentech", "Trastuzumab-DM1") in pairs
    assert ("Boehringer Ingelheim", "bivatuzumab mertansine") in pairs
    assert ("Abgenix", "") in pairs


# --------------------------------------------------------------------------- rules

def test_every_fact_names_its_rule_and_carries_its_sentence(seed: Extraction) -> None:
    assert seed.facts
    for fact in seed.facts:
        assert fact.rule and "." in fact.rule
        assert fact.evidence.strip()


def test_a_license_grant_to_a_company_with_a_suffix_is_a_licensed_fact() -> None:
    facts = _extract("Acme Biologics, Inc. today announced that it has granted Borealis "
                     "Pharma AG an exclusive worldwide license to develop and commercialize "
                     "ACM-301, a preclinical antibody.").facts
    found = _only(facts, status="licensed")
    assert [(f.partner, f.product, f.modality) for f in found] == \
        [("Borealis Pharma", "ACM-301", "stated")]


def test_the_filer_itself_is_never_a_partner() -> None:
    facts = _extract("Acme Biologics, Inc. has exercised its option to license ACM-301 from "
                     "Borealis Pharma AG.").facts
    assert all(f.partner == "Borealis Pharma" for f in facts)


def test_an_opt_out_phrase_is_the_event_not_a_negation() -> None:
    facts = _extract("Borealis Pharma AG has decided not to advance ACM-301 into Phase II.",
                     known_partners=("Borealis Pharma",), known_products=("ACM-301",),
                     pairs=(("Borealis Pharma", "ACM-301", "licensed", True),)).facts
    found = _only(facts, status="not_advancing")
    assert [(f.modality, f.partner, f.product) for f in found] == \
        [("stated", "Borealis Pharma", "ACM-301")]


def test_declining_an_option_returns_the_rights() -> None:
    facts = _extract("Borealis Pharma AG declined to exercise its option to license ACM-301.",
                     pairs=(("Borealis Pharma", "ACM-301", "option_granted", True),)).facts
    assert [f.status for f in facts if f.modality == "stated"] == ["rights_returned"]


def test_a_return_of_rights_in_some_territories_is_not_a_return_of_rights() -> None:
    facts = _extract("Under the amended agreement, Acme regains rights to ACM-301 in North "
                     "America, while Borealis Pharma AG retains exclusive rights in Europe.",
                     pairs=(("Borealis Pharma", "ACM-301", "licensed", True),)).facts
    assert not _only(facts, status="rights_returned")


def test_a_stage_fact_goes_to_the_partner_holding_the_product() -> None:
    facts = _extract("The first patient has been dosed in a Phase 2 clinical trial of ACM-301.",
                     pairs=(("Borealis Pharma", "ACM-301", "licensed", True),)).facts
    assert [(f.partner, f.product, f.status, f.modality) for f in facts] == \
        [("Borealis Pharma", "ACM-301", "phase_2", "stated")]


def test_a_wholly_owned_product_has_no_partner_and_no_fact() -> None:
    facts = _extract("Acme initiated a Phase 1/2 trial of ACM-150, its wholly owned program.",
                     pairs=(("Borealis Pharma", "ACM-301", "licensed", True),)).facts
    assert facts == ()


def test_a_milestone_carries_its_amount_and_takes_the_product_of_the_paragraph() -> None:
    facts = _extract("Borealis Pharma AG has filed an IND for ACM-301. The filing triggers a "
                     "$2.5 million milestone payment to Acme.",
                     pairs=(("Borealis Pharma", "ACM-301", "licensed", True),)).facts
    found = _only(facts, field="milestone")
    assert [(f.partner, f.product, f.detail) for f in found] == \
        [("Borealis Pharma", "ACM-301", "2500000")]


def test_a_milestone_of_a_platform_for_the_company_itself_is_not_a_payment() -> None:
    facts = _extract("Borealis Pharma AG's decision is a milestone for the whole platform.",
                     pairs=(("Borealis Pharma", "ACM-301", "licensed", True),)).facts
    assert not _only(facts, field="milestone")


def test_an_acquisition_of_a_partner_makes_the_acquirer_an_alias() -> None:
    extraction = _extract(
        "On May 2, 2012, Corvid Holdings plc completed its acquisition of Borealis Pharma AG.",
        known_partners=("Borealis Pharma",),
        pairs=(("Borealis Pharma", "ACM-301", "licensed", True),))
    assert [(f.partner, f.product, f.status) for f in extraction.facts] == \
        [("Borealis Pharma", "ACM-301", "acquired")]
    assert ("Corvid Holdings", "Borealis Pharma") in {
        (a.alias, a.canonical) for a in extraction.aliases}


def test_a_merged_partner_under_its_new_name_is_the_same_partner() -> None:
    extraction = _extract(
        "Borealis-Corvid AG, formed in 2011 by the merger of Borealis Pharma AG and Corvid "
        "Chemie AG, has started a Phase 3 trial of ACM-301.",
        known_partners=("Borealis Pharma",),
        pairs=(("Borealis Pharma", "ACM-301", "licensed", True),))
    assert {f.partner for f in extraction.facts} == {"Borealis Pharma"}


def test_a_generic_name_given_in_parentheses_is_the_same_product() -> None:
    extraction = _extract(
        "Borealis Pharma AG has initiated a Phase 3 trial of zantolimab (ACM-301).",
        known_products=("ACM-301",),
        pairs=(("Borealis Pharma", "ACM-301", "licensed", True),))
    assert [(f.product, f.status) for f in extraction.facts] == [("ACM-301", "phase_3")]
    assert ("zantolimab", "ACM-301") in {(a.alias, a.canonical) for a in extraction.aliases}


# --------------------------------------------------------------------------- sections

def test_the_forward_looking_section_is_skipped() -> None:
    facts = _extract(("This press release contains forward-looking statements. Borealis "
                      "Pharma AG may terminate its license agreement for ACM-301.",
                      "forward_looking")).facts
    assert facts == ()


def test_forward_looking_statements_are_skipped_even_when_labelled_otherwise() -> None:
    facts = _extract(("EXCEPT FOR THE HISTORICAL INFORMATION CONTAINED HEREIN, THE MATTERS "
                      "DISCUSSED ARE FORWARD-LOOKING STATEMENTS. Borealis Pharma AG has "
                      "terminated its license agreement for ACM-301.", "about")).facts
    assert facts == ()


def test_extract_facts_returns_the_facts_of_the_extraction() -> None:
    release = _release("Borealis Pharma AG has exercised its option to license ACM-301.")
    context = ExtractContext(own_names=(ACME,), release_date=date(2012, 6, 1))
    assert tuple(extract_facts(release, context)) == extract_release(release, context).facts


# --------------------------------------------------------------------------- properties

_WORDS = st.sampled_from([
    "Borealis", "Pharma", "AG", "Inc.", "has", "not", "may", "if", "exercised", "its", "option",
    "to", "license", "ACM-301", "zantolimab", "terminated", "the", "agreement", "Phase", "II",
    "trial", "of", "initiated", "rights", "returned", "milestone", "$5", "million", "in", "2009",
    "would", "(", ")", ",", ";", ".", "Acme", "declined", "with", "and", "licensed", "hold",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_WORDS, min_size=1, max_size=40).map(" ".join), min_size=1,
                max_size=5))
def test_any_text_gives_facts_in_the_vocabulary_and_the_same_facts_twice(
    paragraphs: list[str],
) -> None:
    first = _extract(*paragraphs)
    assert first == _extract(*paragraphs)
    for fact in first.facts:
        allowed = {"relationship": RELATIONSHIP_STATUSES, "milestone": ("milestone_reached",),
                   "stage": (*STAGE_STATUSES, "resumed")}[fact.field]
        assert fact.status in allowed
        assert fact.modality in ("stated", "negated", "hedged", "conditional", "historical")
        assert fact.evidence in paragraphs or any(fact.evidence in p for p in paragraphs)
