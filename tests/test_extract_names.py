"""Names: organisations from suffixes, industry words and the slots they stand in; products
from code names and INN stems; short forms, renames and product aliases."""

from __future__ import annotations

import pytest
from watcher.mentions import NameTables, Recognizer, name_key, product_key, strip_suffix


def _recognizer(*texts: str, **tables: object) -> Recognizer:
    return Recognizer(NameTables(own_names=("Acme Biologics, Inc.",),
                                 **tables), list(texts))  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), [
    ("with Borealis Pharma AG of Basel", "Borealis Pharma"),
    ("with Carrow Biologics, Inc., a private company", "Carrow Biologics"),
    ("to Ishikari Pharmaceutical Co., Ltd. for Japan", "Ishikari Pharmaceutical"),
    ("granted Sorbeck Pharma A/S an option", "Sorbeck Pharma"),
    ("with Dunmore Pharma Group plc", "Dunmore Pharma Group"),
    ("licensed to Thistlegate Biologics to develop", "Thistlegate Biologics"),
])
def test_an_organisation_is_found_by_its_suffix_or_industry_word(text: str,
                                                                  expected: str) -> None:
    recognizer = _recognizer(text)
    assert [o.name for o in recognizer.orgs(text)] == [expected]


def test_the_filer_and_regulators_and_conferences_are_not_partners() -> None:
    text = ("Acme Biologics, Inc. presented at the Morgan Healthcare Conference after the "
            "U.S. Food and Drug Administration accepted its filing.")
    assert _recognizer(text).orgs(text) == []


def test_a_short_form_learned_from_the_full_name_names_the_same_partner() -> None:
    recognizer = _recognizer("Acme signed an agreement with Pemberton-Rusk Pharmaceuticals, Inc.",
                             "Pemberton-Rusk will pay Acme $5 million.")
    assert [o.name for o in recognizer.orgs("Pemberton-Rusk will pay Acme $5 million.")] == \
        ["Pemberton-Rusk Pharmaceuticals"]


def test_a_name_without_suffix_is_learned_from_the_list_grammar() -> None:
    text = ("Several companies are developing products with Acme's technology - Northwind "
            "(NW-204), Eastgate (eastuzumab mertansine) and Cobalt Ridge (CR-55).")
    names = [o.name for o in _recognizer(text).orgs(text)]
    assert names == ["Northwind", "Eastgate", "Cobalt Ridge"]


def test_a_name_without_suffix_is_learned_from_the_subject_of_an_opt_out() -> None:
    text = "Acme learned from Northwind that Northwind has elected not to advance NW-204."
    assert {o.name for o in _recognizer(text).orgs(text)} == {"Northwind"}


@pytest.mark.parametrize(("text", "expected"), [
    ("a license to ALD-214, its lead", ["ALD-214"]),
    ("MLN2704 and huC242-DM1 entered", ["MLN2704", "huC242-DM1"]),
    ("Trastuzumab-DM1 is a conjugate", ["Trastuzumab-DM1"]),
    ("a trial of pelorituzumab colbatin in lymphoma", ["pelorituzumab colbatin"]),
    ("approval of velcanogene tiraparvovec for", ["velcanogene tiraparvovec"]),
    ("velmostinib and falderimod", ["velmostinib", "falderimod"]),
    ("selected ORX-19a and ORX-7b as candidates", ["ORX-19a", "ORX-7b"]),
])
def test_products_are_found_by_code_name_and_inn_stem(text: str, expected: list[str]) -> None:
    assert [p.name for p in _recognizer(text).products(text)] == expected


@pytest.mark.parametrize("text", [
    "an antibody that binds the GRP-88 glycoprotein",
    "tumors that express the OVR-1 antigen",
    "its Annual Report on Form 10-K",
    "a FLT3-mutated leukemia",
    "enrolled the first patient in CALDERA-1, a global Phase III trial",
    "its Phase 2a trial and the IL-4a receptor",
    "randomized the first patient in ORCA-2b, the second Phase 2 study",
])
def test_targets_forms_and_trial_names_are_not_products(text: str) -> None:
    assert _recognizer(text).products(text) == []


def test_a_generic_name_in_parentheses_is_an_alias_of_the_known_code_name() -> None:
    text = "Borealis Pharma AG began a Phase II trial of zantolimab (ACM-301)."
    recognizer = _recognizer(text, known_products=("ACM-301",))
    assert [p.name for p in recognizer.products(text)] == ["ACM-301", "ACM-301"]
    assert [(a.alias, a.canonical) for a in recognizer.learned] == [("zantolimab", "ACM-301")]


def test_formerly_ties_a_new_product_name_to_the_old_one() -> None:
    text = "Borealis Pharma AG (falderimod, formerly QN-1102, ulcerative colitis)"
    recognizer = _recognizer(text, known_products=("QN-1102",))
    assert {p.name for p in recognizer.products(text)} == {"QN-1102"}


def test_configured_aliases_map_every_name_to_the_canonical_one() -> None:
    text = "Haverford-Lisle Corporation submitted a BLA for Aurvanta."
    recognizer = _recognizer(
        text,
        partner_aliases={"Ostrander Pharmaceuticals": ["Haverford-Lisle Corporation"]},
        product_aliases={"BRK-0045": ["Aurvanta"]})
    assert [o.name for o in recognizer.orgs(text)] == ["Ostrander Pharmaceuticals"]
    assert [p.name for p in recognizer.products(text)] == ["BRK-0045"]


def test_names_compare_without_case_punctuation_or_legal_suffix() -> None:
    assert name_key("Pembury Pharmaceuticals plc") == name_key("PEMBURY PHARMACEUTICALS")
    assert strip_suffix("Ishikari Pharmaceutical Co., Ltd.") == "Ishikari Pharmaceutical"
    assert product_key("HB 1107") == product_key("hb-1107")


def test_a_company_edgar_knows_is_a_partner_without_a_suffix() -> None:
    from watcher.mentions import company_list_keys

    text = "The license to ACM-301 was granted to Eli Lilly last year."
    keys = company_list_keys(["ELI LILLY & Co", "TARGET CORP", "NOVO NORDISK A S"])
    assert "target" not in keys  # one word: too often plain English
    recognizer = _recognizer(text, company_names=keys)
    assert [o.name for o in recognizer.orgs(text)] == ["Eli Lilly"]
    assert _recognizer(text).orgs(text) == []


@pytest.mark.parametrize("sentence", [
    "Acme's partner Halloway Biologics SE (formerly Borealis Pharma AG) began a Phase 2 trial.",
    "Borealis Pharma AG, now part of Halloway Biologics SE, began a Phase 2 trial.",
    "Borealis Pharma AG merged with Halloway Biologics SE in 2013.",
    "Halloway Biologics SE completed its acquisition of Borealis Pharma AG in May.",
    "Borealis Pharma AG is now a wholly owned subsidiary of Halloway Biologics SE.",
])
def test_a_renamed_merged_or_acquired_partner_keeps_its_first_name(sentence: str) -> None:
    recognizer = _recognizer(sentence, known_partners=("Borealis Pharma",))
    assert {o.name for o in recognizer.orgs(sentence)} == {"Borealis Pharma"}
    assert [(a.alias, a.canonical) for a in recognizer.learned] == \
        [("Halloway Biologics", "Borealis Pharma")]
