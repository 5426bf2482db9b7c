"""The ledger: facts -> per-pair state -> the change kinds of DESIGN §3, with ``previous``
pointing at the release that set the old status; the About list diff; the seed release."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from watcher.about import AboutPair
from watcher.clock import SYSTEM_CLOCK
from watcher.config import parse_config
from watcher.extract import Extraction
from watcher.ledger import LedgerUpdate, PairKey, apply_extraction, apply_facts
from watcher.models import Exhibit, Fact, Filing, LedgerEntry, PreviousMention
from watcher.pipeline import Pipeline
from watcher.store import Store, open_store

from tests.conftest import shared_path

P, Q = "Borealis Pharma", "ACM-301"


def _fact(status: str, field: str = "relationship", modality: str = "stated",
          partner: str = P, product: str | None = Q, section: str = "body",
          evidence: str = "", detail: str = "") -> Fact:
    return Fact(partner=partner, product=product, field=field,  # type: ignore[arg-type]
                status=status, modality=modality,  # type: ignore[arg-type]
                evidence=evidence or f"{partner} {status} {product}", rule=f"test.{status}",
                section=section, detail=detail)


class Book:
    """A company's ledger carried from one release to the next."""

    def __init__(self) -> None:
        self.state: dict[PairKey, LedgerEntry] = {}
        self.count = 0

    def apply(self, *facts: Fact, about: tuple[AboutPair, ...] | None = None) -> LedgerUpdate:
        self.count += 1
        update = apply_extraction(self.state, Extraction(tuple(facts), about),
                                  accession=f"acc-{self.count}",
                                  filed=date(2000 + self.count, 1, 1))
        for entry in update.entries:
            self.state[(entry.partner, entry.product)] = entry
        return update


def _kinds(update: LedgerUpdate) -> list[tuple[str, str | None, str | None]]:
    return [(c.kind, c.from_status, c.to_status) for c in update.changes]


def test_a_new_deal_adds_its_partner_and_its_product_and_sets_its_status_silently() -> None:
    book = Book()
    update = book.apply(_fact("licensed"), _fact("preclinical", "stage"))
    assert _kinds(update) == [("partner_added", None, None), ("product_added", None, None)]
    entry = book.state[(P, Q)]
    assert (entry.relationship, entry.stage) == ("licensed", "preclinical")


def test_a_known_product_licensed_to_a_new_partner_is_added_with_that_partner() -> None:
    book = Book()
    book.apply(_fact("licensed"))
    book.apply(_fact("rights_returned"))
    update = book.apply(_fact("licensed", partner="Ishikari Pharmaceutical"))
    assert [(c.kind, c.partner, c.product) for c in update.changes] == [
        ("partner_added", "Ishikari Pharmaceutical", Q),
        ("product_added", "Ishikari Pharmaceutical", Q)]


def test_a_known_partner_licensing_a_known_product_adds_the_product_with_it() -> None:
    book = Book()
    book.apply(_fact("licensed"), _fact("licensed", partner="Ishikari Pharmaceutical",
                                        product="ACM-404"))
    update = book.apply(_fact("licensed", partner="Ishikari Pharmaceutical"))
    assert [(c.kind, c.partner, c.product) for c in update.changes] == [
        ("product_added", "Ishikari Pharmaceutical", Q)]


def test_a_known_product_first_seen_with_a_known_partner_in_a_stage_fact_adds_nothing() -> None:
    book = Book()
    book.apply(_fact("licensed"), _fact("licensed", partner="Ishikari Pharmaceutical",
                                        product="ACM-404"))
    update = book.apply(_fact("phase_1", "stage", partner="Ishikari Pharmaceutical"))
    assert _kinds(update) == []


def test_a_deal_on_a_pair_only_the_release_history_named_is_still_a_new_deal() -> None:
    book = Book()
    book.apply(_fact("option_granted", partner="Marbeck"))
    update = book.apply(
        _fact("rights_returned", partner="Marbeck", modality="historical"),
        _fact("preclinical", "stage", modality="historical", evidence="in 2003 ... preclinical"),
        _fact("licensed", evidence="has licensed ACM-301 to Borealis Pharma"))
    assert [(c.kind, c.partner) for c in update.changes] == [
        ("partner_added", P), ("product_added", P)]


def test_historical_facts_seed_a_first_release_so_a_stated_fact_is_a_change() -> None:
    update = Book().apply(_fact("licensed", modality="historical", evidence="licensed in 1999"),
                          _fact("not_advancing", evidence="elected not to advance"))
    assert _kinds(update) == [("status_changed", "licensed", "not_advancing")]
    assert update.changes[0].previous is not None
    assert update.changes[0].previous.evidence == "licensed in 1999"


def test_a_change_points_at_the_release_that_set_the_old_status() -> None:
    book = Book()
    book.apply(_fact("licensed", evidence="granted a license"))
    update = book.apply(_fact("terminated"))
    assert update.changes[0].previous == PreviousMention("acc-1", date(2001, 1, 1),
                                                         "granted a license")


def test_the_strongest_relationship_of_a_release_is_its_one_change() -> None:
    book = Book()
    book.apply(_fact("licensed"))
    update = book.apply(_fact("terminated"), _fact("rights_returned"),
                        _fact("renegotiating"))
    assert _kinds(update) == [("status_changed", "licensed", "rights_returned")]


def test_a_restated_license_is_no_change_once_the_option_was_exercised() -> None:
    book = Book()
    book.apply(_fact("option_granted"))
    assert _kinds(book.apply(_fact("option_exercised"))) == \
        [("status_changed", "option_granted", "option_exercised")]
    assert _kinds(book.apply(_fact("licensed"))) == []


def test_a_stage_never_goes_back() -> None:
    book = Book()
    book.apply(_fact("licensed"), _fact("phase_2", "stage"))
    assert _kinds(book.apply(_fact("phase_1", "stage"))) == []
    assert _kinds(book.apply(_fact("phase_3", "stage"))) == \
        [("status_changed", "phase_2", "phase_3")]


def test_a_lifted_hold_returns_to_the_stage_before_it() -> None:
    book = Book()
    book.apply(_fact("licensed"), _fact("phase_1", "stage"))
    assert _kinds(book.apply(_fact("on_hold", "stage"))) == \
        [("status_changed", "phase_1", "on_hold")]
    assert _kinds(book.apply(_fact("resumed", "stage"))) == \
        [("status_changed", "on_hold", "phase_1")]


def test_negated_hedged_and_conditional_facts_never_move_the_ledger() -> None:
    book = Book()
    book.apply(_fact("licensed"))
    update = book.apply(_fact("terminated", modality="negated"),
                        _fact("terminated", modality="hedged"),
                        _fact("rights_returned", modality="conditional"))
    assert update.changes == ()
    assert book.state[(P, Q)].relationship == "licensed"
    assert [(w.to_status, w.modality) for w in update.watch] == \
        [("terminated", "hedged"), ("rights_returned", "conditional")]


def test_a_milestone_payment_is_reported_once_even_when_restated_as_revenue() -> None:
    book = Book()
    book.apply(_fact("licensed"))
    first = book.apply(_fact("milestone_reached", "milestone", detail="5000000"))
    again = book.apply(_fact("milestone_reached", "milestone", detail="5000000"))
    later = book.apply(_fact("milestone_reached", "milestone", detail="15000000"))
    assert [c.kind for c in first.changes] == ["milestone_reached"]
    assert again.changes == ()
    assert [c.kind for c in later.changes] == ["milestone_reached"]


# --------------------------------------------------------------------------- About list

def _about(*pairs: tuple[str, str], relationship: str | None = "licensed") -> tuple[
        AboutPair, ...]:
    return tuple(AboutPair(p, q, relationship, f"partners include {p}") for p, q in pairs)


def test_a_partner_listed_for_the_first_time_is_added() -> None:
    update = Book().apply(about=_about(("Thistlegate Biologics", "")))
    assert _kinds(update) == [("partner_added", None, None)]


def test_a_partner_dropped_from_the_about_list_unannounced_is_removed_with_its_product() -> None:
    book = Book()
    book.apply(_fact("licensed"), about=_about((P, Q), ("Kestrel Genomics", "KG-207")))
    update = book.apply(about=_about((P, Q)))
    assert [(c.kind, c.partner, c.product) for c in update.changes] == [
        ("partner_removed", "Kestrel Genomics", "KG-207"),
        ("product_removed", "Kestrel Genomics", "KG-207")]
    assert book.state[("Kestrel Genomics", "KG-207")].active is False


def test_a_partner_whose_product_stays_listed_loses_no_product() -> None:
    book = Book()
    book.apply(about=_about((P, Q), ("Hayakawa Yakuhin", Q)))
    update = book.apply(about=_about((P, Q)))
    assert [(c.kind, c.partner) for c in update.changes] == [("partner_removed",
                                                              "Hayakawa Yakuhin")]


def test_a_partner_leaving_the_list_after_an_announced_ending_is_not_removed_again() -> None:
    book = Book()
    book.apply(_fact("licensed"), about=_about((P, Q), ("Carrow Biologics", "")))
    update = book.apply(_fact("rights_returned"), about=_about(("Carrow Biologics", "")))
    assert _kinds(update) == [("status_changed", "licensed", "rights_returned")]


def test_a_release_without_an_about_list_removes_nobody() -> None:
    book = Book()
    book.apply(about=_about((P, Q)))
    assert book.apply(_fact("licensed")).changes == ()


def test_every_step_of_a_pair_is_in_its_timeline() -> None:
    book = Book()
    book.apply(_fact("licensed"), _fact("preclinical", "stage"))
    book.apply(_fact("phase_1", "stage"))
    history = book.state[(P, Q)].history
    assert [(h.kind, h.field, h.status) for h in history] == [
        ("added", None, None), ("seeded", "relationship", "licensed"),
        ("seeded", "stage", "preclinical"), ("status_changed", "stage", "phase_1")]
    assert book.state[(P, Q)].first_accession == "acc-1"
    assert book.state[(P, Q)].last_accession == "acc-2"


def test_apply_facts_is_apply_extraction_without_an_about_list() -> None:
    update = apply_facts({}, [_fact("licensed")], accession="a", filed=None)
    assert [c.kind for c in update.changes] == ["partner_added", "product_added"]


# --------------------------------------------------------------------------- the seed

@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    opened = open_store(sqlite_url)
    yield opened
    opened.close()


def test_the_seed_release_through_the_pipeline_reports_the_change_and_watches_the_rest(
    store: Store,
) -> None:
    content = shared_path("seed", "immunogen-2002-06-24-ex99-1.txt").read_bytes()
    filing = Filing(accession="0000912057-02-027053", cik=855654, form="8-K",
                    filed=date(2002, 6, 24), company_name="ImmunoGen, Inc.")
    pipeline = Pipeline(parse_config({}, environ={}), store, None, SYSTEM_CLOCK,
                        route=lambda alert: [])
    outcome = pipeline.store_documents(filing, [Exhibit(
        filing.accession, "EX-99.1", "ex99-1.txt", "u", content)])
    payload = outcome.alerts[0].payload
    gsk = [c for c in payload["changes"] if c["partner"] == "GlaxoSmithKline"]
    assert [(c["kind"], c["field"], c["from"], c["to"], c["modality"]) for c in gsk] == [
        ("status_changed", "relationship", "licensed", "not_advancing", "stated")]
    assert gsk[0]["previous"]["accession"] == filing.accession
    assert "licensed development and commercialization rights" in \
        gsk[0]["previous"]["evidence"]
    watched = {(w["partner"], w["product"], w["to"], w["modality"]) for w in payload["watch"]}
    assert ("GlaxoSmithKline", "cantuzumab mertansine", "rights_returned",
            "conditional") in watched
    assert ("GlaxoSmithKline", "cantuzumab mertansine", "renegotiating", "hedged") in watched
    genentech = [(c["kind"], c["field"], c["to"]) for c in payload["changes"]
                 if c["partner"] == "Genentech" and c["kind"] == "status_changed"]
    assert genentech == [("status_changed", "stage", "delayed")]
    ledger = {(e.partner, e.product): e for e in store.ledger(855654)}
    assert ledger[("Genentech", "Trastuzumab-DM1")].stage == "delayed"
    assert ledger[("GlaxoSmithKline", "cantuzumab mertansine")].relationship == \
        "not_advancing"


def test_a_setback_on_a_partnership_first_seen_in_the_about_list_is_a_change() -> None:
    update = Book().apply(_fact("delayed", "stage", evidence="a new target IND filing date"),
                          about=_about((P, Q)))
    assert _kinds(update)[-1] == ("status_changed", None, "delayed")


def test_a_setback_told_with_the_deal_itself_is_part_of_the_announcement() -> None:
    update = Book().apply(_fact("licensed"), _fact("on_hold", "stage"))
    assert _kinds(update) == [("partner_added", None, None), ("product_added", None, None)]
