"""``watcher ingest`` on the seed release: the alert the project was started for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from watcher.cli import main
from watcher.demo import fixture_bytes

from tests.conftest import shared_path


def _ingest(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["ingest", *args]) == 0
    return list(json.loads(capsys.readouterr().out))


def test_the_seed_release_reports_glaxosmithkline_not_advancing_with_its_evidence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed = shared_path("seed", "immunogen-2002-06-24-ex99-1.txt")
    alerts = _ingest(capsys, str(seed), "--cik", "855654")
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["schema"] == "watcher.alert.v1"
    changes = alert["changes"]
    assert isinstance(changes, list)
    gsk = [c for c in changes if c["partner"] == "GlaxoSmithKline"
           and c["product"] == "cantuzumab mertansine"]
    assert len(gsk) == 1
    change = gsk[0]
    assert change["kind"] == "status_changed"
    assert change["to"] == "not_advancing"
    assert change["modality"] == "stated"
    assert "GlaxoSmithKline has elected not to advance cantuzumab mertansine" in change["evidence"]
    # The conditional return of rights is something to watch, never a change.
    assert not any(c["to"] == "rights_returned" for c in changes)
    watch = alert["watch"]
    assert isinstance(watch, list)
    returned = [w for w in watch if w["to"] == "rights_returned"]
    assert len(returned) == 1
    assert returned[0]["modality"] == "conditional"
    assert returned[0]["partner"] == "GlaxoSmithKline"
    assert "would be returned" in returned[0]["evidence"]


def test_ingesting_files_in_order_compares_each_with_the_earlier_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    names = ["halvard-2024-03-04-ex99-1.txt", "halvard-2024-09-16-ex99-1.htm",
             "halvard-2025-05-12-ex99-1.htm"]
    files = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(fixture_bytes(name))
        files.append(str(path))
    alerts = _ingest(capsys, *files, "--cik", "9900901")
    last = alerts[-1]
    changes = last["changes"]
    assert isinstance(changes, list)
    assert [(c["kind"], c["from"], c["to"]) for c in changes] == \
        [("status_changed", "licensed", "not_advancing")]
    assert last["diff"]["compared_with"]  # type: ignore[index]


def test_a_file_that_cannot_be_read_gets_an_error_and_the_others_still_go_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4 binary")
    good = tmp_path / "release.txt"
    good.write_bytes(fixture_bytes("halvard-2024-03-04-ex99-1.txt"))
    assert main(["ingest", str(pdf), str(good), "--cik", "9900901"]) == 1
    captured = capsys.readouterr()
    assert "scan.pdf" in captured.err and "PDF" in captured.err
    assert len(json.loads(captured.out)) == 1
