"""The ledger's storage on SQLite and PostgreSQL: entries with their timeline, aliases learned
from releases, and rows written before those fields existed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from watcher.models import AliasLink, LedgerEntry, PreviousMention, TimelineItem
from watcher.store import Store, codec, open_store

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
CIK = 9900901


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


ENTRY = LedgerEntry(
    partner="Borealis Pharma", product="ACM-301", relationship="licensed", stage="phase_2",
    first_accession="a-1", first_filed=date(2010, 2, 1), last_accession="a-2",
    last_filed=date(2011, 3, 1),
    relationship_source=PreviousMention("a-1", date(2010, 2, 1), "granted a license"),
    stage_source=PreviousMention("a-2", date(2011, 3, 1), "began Phase 2"),
    active=True, in_about=True, milestones=("5000000",),
    history=(TimelineItem("a-1", date(2010, 2, 1), "added", None, None, "granted a license",
                          "relationship.licensed"),
             TimelineItem("a-2", date(2011, 3, 1), "status_changed", "stage", "phase_2",
                          "began Phase 2", "stage.phase.started")),
)


def test_a_ledger_entry_keeps_its_timeline_and_milestones(store: Store) -> None:
    with store.unit_of_work(CIK) as uow:
        uow.save_ledger(CIK, [ENTRY], NOW)
    assert store.ledger(CIK) == [ENTRY]
    with store.unit_of_work(CIK) as uow:
        assert uow.ledger(CIK) == {("Borealis Pharma", "ACM-301"): ENTRY}


def test_aliases_are_kept_once_with_their_first_canonical_name(store: Store) -> None:
    first = AliasLink("partner", "Corvid Holdings", "Borealis Pharma", "completed its acquisition",
                      "alias.partner.rename_or_acquisition", "a-3")
    product = AliasLink("product", "zantolimab", "ACM-301", "zantolimab (ACM-301)",
                        "alias.product.name_in_text", "a-3")
    with store.unit_of_work(CIK) as uow:
        uow.save_aliases(CIK, [first, product], NOW)
    with store.unit_of_work(CIK) as uow:
        uow.save_aliases(CIK, [AliasLink("partner", "Corvid Holdings", "Someone Else")], NOW)
        assert uow.aliases(CIK) == [first, product]
    assert sorted(store.aliases(CIK), key=lambda a: a.kind) == [first, product]
    assert store.aliases(CIK + 1) == []


def test_a_ledger_row_written_before_the_timeline_existed_still_loads() -> None:
    old = json.dumps({
        "partner": "Borealis Pharma", "product": "ACM-301", "relationship": "licensed",
        "stage": None, "first_accession": "a-1", "first_filed": "2010-02-01",
        "last_accession": "a-1", "last_filed": "2010-02-01",
        "relationship_source": {"accession": "a-1", "filed": "2010-02-01", "evidence": "x"},
        "stage_source": None,
    })
    entry = codec.ledger_from_json(old)
    assert entry.relationship == "licensed"
    assert (entry.active, entry.in_about, entry.milestones, entry.history) == \
        (True, False, (), ())


def test_an_entry_survives_the_round_trip_through_its_stored_shape() -> None:
    assert codec.ledger_from_json(codec.ledger_to_json(ENTRY)) == ENTRY
