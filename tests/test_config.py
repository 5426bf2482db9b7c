"""config.yaml is validated at start: defaults work, and every problem is listed at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from watcher.cli import main
from watcher.config import load_config, parse_config
from watcher.errors import ConfigError

PROJECT_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"


def test_an_empty_config_gets_working_defaults() -> None:
    config = parse_config({}, environ={})
    assert config.edgar.base_url == "https://www.sec.gov"
    assert config.edgar.max_requests_per_second == 8
    assert config.store.url == "sqlite:///watcher.db"
    assert [s.kind for s in config.sources] == ["edgar_current"]
    assert [n.kind for n in config.notifiers] == ["log"]
    assert config.server.listen.startswith("127.0.0.1:")


def test_the_example_config_in_the_repository_is_valid() -> None:
    config = load_config(PROJECT_CONFIG, environ={})
    assert config.companies and all(c.cik for c in config.companies)


def test_every_problem_is_listed_at_once() -> None:
    data = {
        "edgar": {"max_requests_per_second": 50, "user_agent": "no contact"},
        "companies": [{"name": "only a name"}],
        "sources": [{"kind": "nope"}, {"kind": "edgar_current", "every": -1, "color": "red"}],
        "notifiers": [{"name": "hook", "kind": "webhook", "url": "ftp://x",
                       "secret_env": "MISSING_SECRET"}],
        "bogus": 1,
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(data, environ={})
    problems = "\n".join(caught.value.problems)
    for expected in (
        "edgar.max_requests_per_second", "edgar.user_agent", "companies[0]", "bogus: unknown key",
        "sources[0].kind: unknown kind 'nope'", "sources[1].every", "sources[1].color: unknown key",
        "notifiers[0].url", "notifiers[0].secret_env: environment variable MISSING_SECRET",
    ):
        assert expected in problems
    assert len(caught.value.problems) == 9


def test_the_user_agent_can_come_from_the_environment() -> None:
    config = parse_config({}, environ={"WATCHER_USER_AGENT": "Acme Research ops@acme.example"})
    assert config.edgar.user_agent == "Acme Research ops@acme.example"


def test_secrets_are_read_from_the_environment_and_not_kept_in_the_settings() -> None:
    config = parse_config(
        {"notifiers": [{"name": "hook", "kind": "webhook", "url": "https://h.example/x",
                        "secret_env": "HOOK_SECRET"}]},
        environ={"HOOK_SECRET": "s3cr3t-value"},
    )
    assert config.secret("HOOK_SECRET") == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(config)
    assert "s3cr3t-value" not in config.model_dump_json()


def test_check_config_exits_2_and_prints_every_problem(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("edgar:\n  timeout: -1\nsources:\n  - kind: nope\nextra: 1\n")
    assert main(["check-config", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "edgar.timeout" in err and "sources[0].kind" in err and "extra: unknown key" in err


def test_check_config_on_a_missing_file_says_so(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "--config", str(tmp_path / "absent.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_run_without_a_user_agent_explains_what_sec_requires(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WATCHER_USER_AGENT", raising=False)
    config = tmp_path / "c.yaml"
    config.write_text(f"store:\n  url: sqlite:///{tmp_path / 'w.db'}\n")
    assert main(["run", "--config", str(config), "--once"]) == 2
    err = capsys.readouterr().err
    assert "User-Agent" in err and "contact email" in err and "WATCHER_USER_AGENT" in err
