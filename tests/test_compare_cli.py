"""``watcher diff A B``: two files, or two stored releases by accession or id."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from watcher.cli import main
from watcher.demo import fixture_bytes
from watcher.models import Filing
from watcher.normalize import normalize_exhibit
from watcher.store import open_store

NOW = datetime(2026, 1, 5, tzinfo=UTC)
OLD = "halvard-2024-09-16-ex99-1.htm"
NEW = "halvard-2025-05-12-ex99-1.htm"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / OLD, tmp_path / NEW
    old.write_bytes(fixture_bytes(OLD))
    new.write_bytes(fixture_bytes(NEW))
    return old, new


def test_two_files_give_a_text_summary_with_word_diffs(
        files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(files[0]), str(files[1])]) == 0
    out = capsys.readouterr().out
    assert "revised" in out.splitlines()[0]
    assert "~ about," in out and "[-" in out
    assert f"--- {OLD}" in out and f"+++ {NEW}" in out


def test_html_output_is_a_page(files: tuple[Path, Path],
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--html", str(files[0]), str(files[1])]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and "<del " in page and "<ins " in page


def test_stored_releases_are_found_by_accession_or_id(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    store = open_store(url)
    ids = []
    for accession, name, day in (("0009900901-24-000002", OLD, date(2024, 9, 16)),
                                 ("0009900901-25-000003", NEW, date(2025, 5, 12))):
        with store.unit_of_work(9900901) as uow:
            ids.append(uow.save_release(9900901, Filing(accession, 9900901, "8-K", day),
                                        "EX-99.1", normalize_exhibit(fixture_bytes(name)),
                                        NOW))
    store.close()
    assert main(["diff", "--json", "--store", url, "0009900901-24-000002", str(ids[1])]) == 0
    comparison = json.loads(capsys.readouterr().out)
    statuses = {p["status"] for p in comparison["paragraphs"]}
    assert "revised" in statuses
    revised = [p for p in comparison["paragraphs"] if p["status"] == "revised"]
    assert all(p["previous_accession"] == "0009900901-24-000002" for p in revised)


def test_an_unknown_reference_fails_with_a_clear_message(
        tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    open_store(url).close()
    assert main(["diff", "--store", url, str(files[0]), "0000000000-00-000000"]) == 1
    assert "0000000000-00-000000: no such file, and no stored release" in \
        capsys.readouterr().err


def test_a_missing_store_is_not_created(tmp_path: Path, files: tuple[Path, Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'absent.db'}"
    assert main(["diff", "--store", url, str(files[0]), "0000000000-00-000000"]) == 1
    assert "no such file, and no store at" in capsys.readouterr().err
    assert not (tmp_path / "absent.db").exists()
