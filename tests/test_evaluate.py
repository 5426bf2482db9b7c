"""The evaluation: scoring rules on a small written corpus, and the thresholds the issue set
on the development corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from watcher.cli import main
from watcher.evaluate import Corpus, Event, evaluate, format_report, load_corpus, score

from tests.conftest import shared_path

HELDOUT = Path(__file__).parent / "data" / "heldout"
HELDOUT_B = Path(__file__).parent / "data" / "heldout-b"
HELDOUT_C = Path(__file__).parent / "data" / "heldout-c"


def _corpus(tmp_path: Path, labels: str) -> Corpus:
    (tmp_path / "labels.yaml").write_text(labels, encoding="utf-8")
    return load_corpus(tmp_path)


LABELS = """
schema: watcher-eval/v1
companies:
  - name: Example Therapeutics, Inc.
    slug: example
    cik: 9900001
    releases:
      - file: example/2003-04-01_license.txt
        date: 2003-04-01
        events:
          - {kind: partner_added, partner: Northwind Pharma, product: null}
          - {kind: status_changed, partner: Northwind Pharma, product: EX-101,
             field: relationship, from: licensed, to: not_advancing}
        should_not_alert:
          - {partner: Northwind Pharma, product: EX-202, why: "hedged"}
aliases:
  partners: {"Northwind Pharma": ["Northwind", "Northwind Pharmaceuticals plc"]}
  products: {"EX-101": ["exatuzumab"]}
"""
RELEASE = "example/2003-04-01_license.txt"


def test_aliases_count_as_the_same_name_and_partner_events_ignore_the_product(
    tmp_path: Path,
) -> None:
    corpus = _corpus(tmp_path, LABELS)
    report = score(corpus, [
        Event(RELEASE, "partner_added", "Northwind Pharmaceuticals plc", "EX-101"),
        Event(RELEASE, "status_changed", "Northwind", "exatuzumab", "relationship",
              "licensed", "not_advancing"),
    ])
    assert sum(report.true_positive.values()) == 2
    assert report.false == [] and report.missed == []


def test_a_status_change_with_the_wrong_old_status_is_a_miss_and_a_false_change(
    tmp_path: Path,
) -> None:
    corpus = _corpus(tmp_path, LABELS)
    wrong = Event(RELEASE, "status_changed", "Northwind", "EX-101", "relationship",
                  "option_granted", "not_advancing")
    report = score(corpus, [wrong])
    assert report.false == [wrong]
    assert [e.kind for e in report.missed] == ["partner_added", "status_changed"]


def test_an_unmatched_change_on_a_trap_fires_it(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, LABELS)
    report = score(corpus, [Event(RELEASE, "milestone_reached", "Northwind", "EX-202")])
    assert [trap.product for trap, _ in report.fired] == ["EX-202"]
    assert "FIRED" in format_report(report)


def test_the_held_out_corpus_is_found_without_a_false_alert() -> None:
    report = evaluate(HELDOUT, use_aliases=False)
    assert report.false == []
    assert report.fired == []
    assert report.missed == []


def test_the_development_corpus_meets_the_precision_and_recall_of_the_issue() -> None:
    report = evaluate(shared_path("releases"))
    found = sum(report.predicted.values())
    gold = sum(report.gold.values())
    hits = sum(report.true_positive.values())
    assert hits / found >= 0.90
    assert hits / gold >= 0.85
    assert report.fired == []


@pytest.mark.parametrize("use_aliases", [True, False], ids=["aliases", "no-aliases"])
def test_held_out_corpus_b_keeps_the_precision_and_recall_reached_without_a_trap_firing(
    use_aliases: bool,
) -> None:
    # Reached: 86 of 86 labelled events, 0 false changes, 0 of 94 traps fired, with and
    # without the configured aliases. The margin allows two events either way.
    report = evaluate(HELDOUT_B, use_aliases=use_aliases)
    found = sum(report.predicted.values())
    gold = sum(report.gold.values())
    hits = sum(report.true_positive.values())
    assert gold == 86
    assert hits / found >= 0.97, format_report(report)
    assert hits / gold >= 0.97, format_report(report)
    assert report.fired == [], format_report(report)


@pytest.mark.parametrize("use_aliases", [True, False], ids=["aliases", "no-aliases"])
def test_held_out_corpus_c_keeps_the_precision_and_recall_reached_without_a_trap_firing(
    use_aliases: bool,
) -> None:
    # Reached: 103 of 104 labelled events, 0 false changes, 0 of 117 traps fired, with and
    # without the configured aliases (the one miss is a label the development corpus'
    # convention does not give: a product_removed for a product the About list still names).
    # The margin allows about three events either way.
    report = evaluate(HELDOUT_C, use_aliases=use_aliases)
    found = sum(report.predicted.values())
    gold = sum(report.gold.values())
    hits = sum(report.true_positive.values())
    assert gold == 104
    assert hits / found >= 0.97, format_report(report)
    assert hits / gold >= 0.96, format_report(report)
    assert report.fired == [], format_report(report)


PAIR_ON_PARTNER_ADDED = """
schema: watcher-eval/v1
companies:
  - name: Example Therapeutics, Inc.
    slug: example
    cik: 9900001
    releases:
      - file: example/2008-01-14_relicense.txt
        date: 2008-01-14
        events:
          - {kind: partner_added, partner: Eastgate Pharma, product: EX-101}
      - file: example/2009-01-14_other.txt
        date: 2009-01-14
        events:
          - {kind: partner_added, partner: Westmark Pharma, product: null}
"""


def test_a_product_added_the_labels_put_on_partner_added_is_neither_found_nor_false(
    tmp_path: Path,
) -> None:
    corpus = _corpus(tmp_path, PAIR_ON_PARTNER_ADDED)
    relicense, other = "example/2008-01-14_relicense.txt", "example/2009-01-14_other.txt"
    told_on_partner = Event(relicense, "product_added", "Eastgate Pharma", "EX-101")
    unlabelled = Event(other, "product_added", "Westmark Pharma", "EX-101")
    report = score(corpus, [Event(relicense, "partner_added", "Eastgate Pharma", None),
                            told_on_partner,
                            Event(other, "partner_added", "Westmark Pharma", None),
                            unlabelled])
    assert report.other_convention == [told_on_partner]
    assert report.false == [unlabelled]
    assert sum(report.predicted.values()) == 3 and report.missed == []


def test_watcher_eval_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(HELDOUT)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["kind", "gold", "found", "TP"]
    assert "should_not_alert cases: 9, fired: 0" in out
