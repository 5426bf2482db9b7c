"""server: settings: the endpoint binds to loopback unless told otherwise, and then only
with a bearer token from the environment; ``watcher health`` answers only 0 or 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from watcher.cli import main
from watcher.config import is_loopback, parse_config
from watcher.errors import ConfigError

from tests.support.daemon import write_config


def test_the_endpoint_listens_on_loopback_by_default_without_a_token() -> None:
    server = parse_config({}, environ={}).server
    assert (server.host, server.port, server.token_env) == ("127.0.0.1", 8787, None)
    assert server.shutdown_grace == 30.0


@pytest.mark.parametrize("listen", ["0.0.0.0:8787", "10.1.2.3:9000", "[::]:8787",
                                    "watcher.internal:8787"])
def test_listening_beyond_loopback_without_a_token_is_refused(listen: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"server": {"listen": listen}}, environ={})
    assert any("not a loopback address: set token_env" in p for p in caught.value.problems)


def test_listening_beyond_loopback_takes_the_token_from_the_environment() -> None:
    data = {"server": {"listen": "0.0.0.0:8787", "token_env": "WATCHER_SERVER_TOKEN"}}
    config = parse_config(data, environ={"WATCHER_SERVER_TOKEN": "abc"})
    assert config.secret(config.server.token_env) == "abc"
    assert "abc" not in repr(config.server)
    with pytest.raises(ConfigError) as caught:
        parse_config(data, environ={})
    assert caught.value.problems == [
        "server.token_env: environment variable WATCHER_SERVER_TOKEN is not set"]


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.8.9.1", True),
                                                ("::1", True), ("localhost", True),
                                                ("0.0.0.0", False), ("::", False),
                                                ("example.internal", False)])
def test_loopback_addresses_are_recognized(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("listen", ["8787", "localhost:", "host:99999", ":8787"])
def test_a_listen_address_must_be_host_and_port(listen: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"server": {"listen": listen}}, environ={})
    assert any(p.startswith("server.listen: must be host:port") for p in caught.value.problems)


def test_the_health_command_exits_1_not_2_on_a_bad_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # Docker reserves exit code 2 of a HEALTHCHECK: a broken config still reads "unhealthy".
    config = write_config(tmp_path / "w.yaml", bogus=True)
    assert main(["health", "--config", str(config)]) == 1
    assert "bogus: unknown key" in capsys.readouterr().err
    disabled = write_config(tmp_path / "d.yaml", server={"enabled": False})
    assert main(["health", "--config", str(disabled)]) == 1
