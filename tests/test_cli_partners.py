"""``watcher partners CIK``: the ledger as a table with each partner's timeline, or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from watcher.cli import main

HELDOUT = Path(__file__).parent / "data" / "heldout" / "norrland"


@pytest.fixture
def store_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'watcher.db'}"
    files = sorted(str(p) for p in HELDOUT.iterdir())
    assert main(["ingest", *files, "--cik", "9900901", "--company",
                 "Norrland Biotherapeutics, Inc.", "--store", url]) == 0
    capsys.readouterr()
    return url


def test_partners_prints_every_pair_and_each_partners_timeline(
    store_url: str, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["partners", "9900901", "--store", store_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Norrland Biotherapeutics, Inc.: ")
    table = out.split("\n\n")[0]
    assert "Castellan Pharma" in table and "rights_returned" in table
    assert "Oriel Therapeutics" in table and "(dropped)" in table
    assert "\nCastellan Pharma\n" in out
    assert "status changed: relationship rights_returned" in out
    assert "milestone reached $7.5 million" in out


def test_partners_json_has_the_pairs_their_history_and_the_aliases(
    store_url: str, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["partners", "9900901", "--store", store_url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    pairs = {(p["partner"], p["product"]): p for p in data["pairs"]}
    castellan = pairs[("Castellan Pharma", "NRB-101")]
    assert castellan["relationship"] == "rights_returned"
    assert [h["kind"] for h in castellan["history"]][:1] == ["added"]
    assert isinstance(data["aliases"], list)
