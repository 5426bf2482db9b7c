"""The About paragraph's list of partners as (partner, product) pairs, in its usual shapes."""

from __future__ import annotations

import pytest
from watcher.about import about_pairs
from watcher.mentions import NameTables, Recognizer


def _pairs(*sentences: str) -> set[tuple[str, str]]:
    recognizer = Recognizer(NameTables(own_names=("Acme Biologics, Inc.",)), list(sentences))
    return {(p.partner, p.product) for p in about_pairs(sentences, recognizer)}


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Acme's partners are Borealis Pharma AG (ACM-301, psoriasis; Europe), Carrow Biologics, "
     "Inc. (ACM-404, asthma) and Delford Therapeutics (ACM-512, lupus; co-development).",
     {("Borealis Pharma", "ACM-301"), ("Carrow Biologics", "ACM-404"),
      ("Delford Therapeutics", "ACM-512")}),
    ("Acme's programs include ACM-301 for psoriasis, licensed to Borealis Pharma AG; ACM-404 "
     "for asthma, which is the subject of an option agreement with Carrow Biologics, Inc.; "
     "and a research collaboration with Delford Therapeutics to discover antibodies.",
     {("Borealis Pharma", "ACM-301"), ("Carrow Biologics", "ACM-404"),
      ("Delford Therapeutics", "")}),
    ("The Company's partners include Borealis Pharma AG, which is developing ACM-301 for "
     "psoriasis, and Carrow Biologics, Inc., with which Acme is co-developing ACM-404.",
     {("Borealis Pharma", "ACM-301"), ("Carrow Biologics", "ACM-404")}),
    ("Acme has licensed ACM-301 to Borealis Pharma AG for all countries except Japan and to "
     "Ishikari Pharmaceutical Co., Ltd. for Japan, has licensed ACM-404 to Carrow Biologics, "
     "Inc., and has granted Delford Therapeutics an option to license ACM-512.",
     {("Borealis Pharma", "ACM-301"), ("Ishikari Pharmaceutical", "ACM-301"),
      ("Carrow Biologics", "ACM-404"), ("Delford Therapeutics", "ACM-512")}),
    ("ACM-301 is licensed to Borealis Pharma AG in Europe and to Ishikari Pharmaceutical Co., "
     "Ltd. in Japan.",
     {("Borealis Pharma", "ACM-301"), ("Ishikari Pharmaceutical", "ACM-301")}),
    ("Besides its license with Borealis Pharma AG for ACM-301, the Company has a research "
     "collaboration with Delford Therapeutics in lupus.",
     {("Borealis Pharma", "ACM-301"), ("Delford Therapeutics", "")}),
])
def test_every_usual_shape_of_the_about_list_gives_its_pairs(
    sentence: str, expected: set[tuple[str, str]],
) -> None:
    assert _pairs(sentence) == expected


def test_products_the_company_develops_on_its_own_are_not_paired() -> None:
    pairs = _pairs("Acme's programs include ACM-301 for psoriasis, licensed to Borealis Pharma "
                   "AG, as well as ACM-404 for asthma and ACM-512 for lupus.")
    assert pairs == {("Borealis Pharma", "ACM-301")}


def test_a_merger_named_beside_the_list_adds_no_partner() -> None:
    pairs = _pairs("Acme's partners are Borealis-Corvid plc (ACM-301, psoriasis), formed in 2014 "
                   "by the merger of Corvid Pharma plc and Borealis Pharma AG, and Delford "
                   "Therapeutics (ACM-512, lupus).")
    assert pairs == {("Borealis-Corvid", "ACM-301"), ("Delford Therapeutics", "ACM-512")}


def test_the_latter_refers_to_the_last_product_named() -> None:
    pairs = _pairs("Two Acme products are in clinical trials - ACM-301 and ACM-404; the latter "
                   "is licensed to Borealis Pharma AG in certain territories.")
    assert pairs == {("Borealis Pharma", "ACM-404")}
