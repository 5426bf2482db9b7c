"""``watcher demo`` shows a newcomer the three alerts of the fictional company."""

from __future__ import annotations

import pytest
from watcher.cli import main


def test_the_demo_shows_every_alert_and_the_ledger(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--interval", "0"]) == 0
    out, err = capfd.readouterr()
    text = out + err
    assert text.count("ALERT [") == 3
    assert "Corvane Pharmaceuticals elected not to advance HLV-101" in text
    assert "rights_returned (conditional)" in text
    assert "not_advancing" in out  # the ledger table at the end
