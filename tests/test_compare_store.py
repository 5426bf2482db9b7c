"""The paragraph index kept in the store (SQLite and PostgreSQL): same answers as the
in-memory index, lazy indexing inside the unit of work, rebuild when the options change,
bounded band buckets, history as of the filing's date, and the pipeline using it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from watcher.clock import SYSTEM_CLOCK
from watcher.compare import (
    BUCKET_SIZE,
    DEFAULT_OPTIONS,
    CompareOptions,
    MemoryIndex,
    compare_release,
    fingerprint_release,
    unpack_bucket,
)
from watcher.config import parse_config
from watcher.demo import DEMO_CIK, DEMO_COMPANY, fixture_bytes
from watcher.models import Comparison, Exhibit, Filing, Paragraph, Release, StoredRelease
from watcher.normalize import normalize_exhibit
from watcher.pipeline import Pipeline
from watcher.store import Store, open_store
from watcher.store.sql import SqlStore

from tests.conftest import shared_path

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
CIK = 9900555
ABOUT = ("Corvane Therapeutics, Inc. develops antibody therapies for fibrotic disease. Its "
         "partners include Ellwood Pharma AG, Marston Bio, Inc. and Tessaly Labs.")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def _release(*paragraphs: tuple[str, str]) -> Release:
    return Release(headline="Corvane news", content_hash="0" * 64,
                   paragraphs=tuple(Paragraph(text, section) for section, text in paragraphs))


def _save(store: Store, accession: str, filed: date | None, release: Release,
          cik: int = CIK) -> None:
    with store.unit_of_work(cik) as uow:
        uow.save_release(cik, Filing(accession, cik, "8-K", filed), "EX-99.1", release, NOW)


def _compare(store: Store, release: Release, *, filed: date | None, accession: str = "new",
             options: CompareOptions = DEFAULT_OPTIONS, cik: int = CIK) -> Comparison:
    with store.unit_of_work(cik) as uow:
        index = uow.paragraph_index(cik, options, before=filed, exclude_accession=accession)
        return compare_release(index.lookup(fingerprint_release(release.paragraphs, options)),
                               options)


def test_the_store_index_answers_like_the_memory_index_on_a_corpus_company(
        store: Store) -> None:
    folder = shared_path("releases", "quillon")
    memory = MemoryIndex()
    for n, path in enumerate(sorted(folder.iterdir())):
        release = normalize_exhibit(path.read_bytes())
        filed = date(1999, 1, 1) + timedelta(days=100 * n)
        accession = f"0009900102-{n:02d}-000001"
        query = fingerprint_release(release.paragraphs)
        expected = compare_release(memory.lookup(query))
        assert _compare(store, release, filed=filed, accession=accession) == expected, path.name
        memory.add(accession, filed, query)
        _save(store, accession, filed, release)


def test_stored_releases_are_indexed_on_the_next_lookup_except_the_filing_itself(
        store: Store) -> None:
    _save(store, "a1", date(2021, 1, 4), _release(("about", ABOUT)))
    _save(store, "a2", date(2021, 2, 4), _release(("body", "Corvane dosed a patient."),
                                                  ("about", ABOUT)))
    with store.unit_of_work(CIK) as uow:
        index = uow.paragraph_index(CIK, DEFAULT_OPTIONS, before=date(2021, 3, 1),
                                    exclude_accession="a2")
        hits = index.lookup(fingerprint_release(_release(("about", ABOUT)).paragraphs))
    assert hits.previous is not None and hits.previous.accession == "a1"
    # a later filing sees a2, now indexed as well
    comparison = _compare(store, _release(("about", ABOUT)), filed=date(2021, 3, 1))
    assert comparison.paragraphs[0].status == "unchanged"
    assert comparison.paragraphs[0].previous_accession == "a2"
    assert comparison.compared_with[0].accession == "a2"


def test_history_is_taken_as_of_the_filing_date(store: Store) -> None:
    _save(store, "a1", date(2021, 1, 4), _release(("about", ABOUT)))
    later = ABOUT.replace("Tessaly Labs", "Tessaly Labs and Quorra Health")
    _save(store, "a3", date(2021, 6, 4), _release(("about", later)))
    # a backfilled filing dated between the two sees only the first
    comparison = _compare(store, _release(("about", later)), filed=date(2021, 3, 1))
    assert comparison.paragraphs[0].status == "revised"
    assert comparison.paragraphs[0].previous_accession == "a1"
    assert _compare(store, _release(("about", later)),
                    filed=date(2021, 7, 1)).paragraphs[0].status == "unchanged"


def test_changing_the_ignore_patterns_rebuilds_the_company_index(store: Store) -> None:
    _save(store, "a1", date(2021, 1, 4), _release(("about", ABOUT + " Visit corvane.example.")))
    plain = _compare(store, _release(("about", ABOUT)), filed=date(2021, 2, 1))
    assert plain.paragraphs[0].status == "revised"
    ignoring = CompareOptions(ignore=(r"Visit \S+",))
    rebuilt = _compare(store, _release(("about", ABOUT)), filed=date(2021, 2, 1),
                       options=ignoring)
    assert rebuilt.paragraphs[0].status == "unchanged"
    again = _compare(store, _release(("about", ABOUT)), filed=date(2021, 2, 1))
    assert again.paragraphs[0].status == "revised"
    # the rebuilds left no bucket pointing to a paragraph that is gone
    assert isinstance(store, SqlStore)
    buckets = store._run(lambda c: store._x(c, "SELECT ids FROM paragraph_bands").fetchall())
    ids = {i for (blob,) in buckets for i in unpack_bucket(bytes(blob))}
    kept = {int(r[0]) for r in store._run(lambda c: store._x(
        c, "SELECT id FROM paragraphs").fetchall())}
    assert ids and ids <= kept


def test_band_buckets_never_hold_more_than_their_size(store: Store) -> None:
    for n in range(BUCKET_SIZE + 8):
        text = ABOUT.replace("Tessaly Labs", f"Tessaly Labs and partner number {n} "
                             f"{'x' * (n + 1)}")
        _save(store, f"a{n:03d}", date(2021, 1, 1) + timedelta(days=n),
              _release(("about", text)))
    _compare(store, _release(("about", ABOUT)), filed=date(2022, 1, 1))
    assert isinstance(store, SqlStore)
    rows = store._run(lambda c: store._x(
        c, "SELECT ids FROM paragraph_bands WHERE cik = ?", (CIK,)).fetchall())
    sizes = [len(unpack_bucket(bytes(r[0]))) for r in rows]
    assert sizes and max(sizes) == BUCKET_SIZE


def test_companies_have_separate_indexes(store: Store) -> None:
    _save(store, "a1", date(2021, 1, 4), _release(("about", ABOUT)), cik=CIK)
    other = _compare(store, _release(("about", ABOUT)), filed=date(2021, 2, 1), cik=CIK + 1)
    assert other.paragraphs[0].status == "new"


def _filing(accession: str, filed: date) -> Filing:
    return Filing(accession=accession, cik=DEMO_CIK, form="8-K", filed=filed,
                  company_name=DEMO_COMPANY)


def test_the_pipeline_compares_each_filing_with_the_company_index(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    config = parse_config({"compare": {"ignore": [r"\(Nasdaq: \w+\)"]}}, environ={})
    pipeline = Pipeline(config, store, None, SYSTEM_CLOCK, route=lambda alert: [])
    names = ["halvard-2024-03-04-ex99-1.txt", "halvard-2024-09-16-ex99-1.htm",
             "halvard-2025-05-12-ex99-1.htm"]
    days = [date(2024, 3, 4), date(2024, 9, 16), date(2025, 5, 12)]
    for n, (name, day) in enumerate(zip(names, days, strict=True)):
        filing = _filing(f"0009900901-2{n}-000001", day)
        store.add_filings([filing], SYSTEM_CLOCK.now())
        pipeline.store_documents(filing, [Exhibit(filing.accession, "EX-99.1", name,
                                                  f"u/{name}", fixture_bytes(name))])
    last = store.releases(DEMO_CIK, limit=1)[0]
    analysis = store.analysis(last.release_id)
    store.close()
    assert analysis is not None
    comparison = analysis["comparison"]
    about = [p for p in comparison["paragraphs"] if p["section"] == "about"]
    assert about and about[0]["status"] == "revised"
    assert about[0]["previous_accession"] == "0009900901-21-000001"
    assert comparison["compared_with"][0]["accession"] == "0009900901-21-000001"


def test_config_compare_section_is_checked() -> None:
    from watcher.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        parse_config({"compare": {"ignore": ["(unclosed"], "sections": ["nowhere"],
                                  "revised_threshold": 2, "unknown": 1}}, environ={})
    problems = "\n".join(caught.value.problems)
    for where in ("compare.ignore", "compare.sections", "compare.revised_threshold",
                  "compare.unknown"):
        assert where in problems
    options = parse_config({"compare": {"ignore": ["x+"], "candidates": 4}},
                           environ={}).compare.options()
    assert options == replace(DEFAULT_OPTIONS, ignore=("x+",), candidates=4)


def test_a_store_from_before_the_index_is_indexed_after_the_upgrade(
        store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import watcher.store.sql as sql
    from watcher.store.migrations import MIGRATIONS

    ours = next(n for n, statements in enumerate(MIGRATIONS)
                if any("CREATE TABLE paragraph_index" in s for s in statements))
    monkeypatch.setattr(sql, "MIGRATIONS", MIGRATIONS[:ours])
    old = open_store(store_url)
    for n in range(3):
        with old.unit_of_work(CIK) as uow:
            uow.save_release(CIK, Filing(f"a{n}", CIK, "8-K", date(2021, 1 + n, 4)), "EX-99.1",
                             _release(("about", ABOUT)), NOW)
    old.close()
    monkeypatch.setattr(sql, "MIGRATIONS", MIGRATIONS)
    upgraded = open_store(store_url)
    try:
        comparison = _compare(upgraded, _release(("about", ABOUT)), filed=date(2021, 6, 1))
    finally:
        upgraded.close()
    assert comparison.paragraphs[0].status == "unchanged"
    assert comparison.paragraphs[0].previous_accession == "a2"


def test_a_stored_comparison_has_every_field_of_the_comparison() -> None:
    from dataclasses import asdict

    from watcher.compare import compare_with_releases
    from watcher.store import codec

    old = _release(("about", ABOUT), ("body", "Corvane signed with Ellwood."))
    new = _release(("about", ABOUT.replace("Tessaly Labs", "Quorra Health")),
                   ("body", "Corvane raised money."))
    comparison = compare_with_releases(
        new.paragraphs, [StoredRelease(1, CIK, "a1", "EX-99.1", date(2021, 1, 4), old)] * 2)
    expected = json.loads(json.dumps(asdict(comparison), default=str))
    assert json.loads(codec.comparison_to_json(comparison)) == expected
