"""The Docker image and the compose file, checked without a Docker engine: the image is slim,
runs as a non-root user, reads its config from a read-only mount, keeps data on a volume, and
its HEALTHCHECK command, run exactly as written, tells a healthy daemon from a dead one; the
compose file runs PostgreSQL and two instances whose config is valid."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from watcher.config import load_config
from watcher.demo import DEMO_CIK
from watcher.demo.fake_edgar import FakeEdgar
from watcher.errors import ConfigError

from tests.conftest import PROJECT_ROOT
from tests.support.daemon import Daemon
from tests.support.service import free_port, health, service_config
from tests.support.wait import wait_until

DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions(DOCKERFILE)
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def _healthcheck_command() -> list[str]:
    [args] = [a for op, a in _final_stage() if op == "HEALTHCHECK"]
    return list(json.loads(args[args.index("CMD") + 3:].strip()))


def test_the_image_is_slim_and_runs_as_a_non_root_user() -> None:
    stage = _final_stage()
    assert stage[0][1].startswith("python:3.11-slim")
    [user] = [a for op, a in stage if op == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    assert "--uid 10001" in next(a for op, a in stage if op == "RUN")
    assert not any(op == "RUN" and "apt-get" in a for op, a in _instructions(DOCKERFILE))


def test_the_image_reads_a_mounted_config_and_keeps_data_on_a_volume() -> None:
    stage = dict(_final_stage())
    assert "WATCHER_CONFIG=/etc/watcher/config.yaml" in stage["ENV"]
    assert json.loads(stage["VOLUME"]) == ["/var/lib/watcher"]
    assert stage["WORKDIR"] == "/var/lib/watcher"  # sqlite:///watcher.db lands on the volume
    assert json.loads(stage["CMD"]) == ["watcher", "run"]
    assert stage["STOPSIGNAL"] == "SIGTERM"


def test_the_healthcheck_calls_watcher_itself() -> None:
    assert _healthcheck_command()[:2] == ["watcher", "health"]


def test_the_healthcheck_command_as_written_tells_a_healthy_daemon_from_a_dead_one(
    tmp_path: Path, fake_edgar: FakeEdgar,
) -> None:
    port = free_port()
    token = "image-health-token"
    config = service_config(tmp_path / "config.yaml", fake_edgar, ciks=[DEMO_CIK], port=port,
                            store_url=f"sqlite:///{tmp_path / 'w.db'}",
                            server={"listen": f"127.0.0.1:{port}",
                                    "token_env": "WATCHER_SERVER_TOKEN"})
    env = {**os.environ, "WATCHER_CONFIG": str(config), "WATCHER_SERVER_TOKEN": token}
    command = [sys.executable, "-m", "watcher", *_healthcheck_command()[1:]]

    def healthcheck() -> int:
        return subprocess.run(command, env=env, capture_output=True, timeout=60,
                              check=False).returncode

    with Daemon(config, {"WATCHER_SERVER_TOKEN": token}) as daemon:
        wait_until(lambda: health(port, token)[0] == 200, what="healthy")
        assert healthcheck() == 0
        assert daemon.stop() == 0
    assert healthcheck() == 1


@pytest.fixture
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8")))


def test_compose_runs_postgresql_and_two_watcher_instances(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    watchers = {name: s for name, s in services.items() if name.startswith("watcher")}
    assert len(watchers) == 2
    names = {s["environment"]["WATCHER_INSTANCE"] for s in watchers.values()}
    assert len(names) == 2  # unique instance names
    for service in watchers.values():
        assert service["build"] == "."
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        mounts = service["volumes"]
        assert "./deploy/compose.config.yaml:/etc/watcher/config.yaml:ro" in mounts
        assert any(m.endswith(":/var/lib/watcher") for m in mounts)
        assert "PGPASSWORD" in service["environment"]
        assert "healthcheck" not in service  # the image's own: watcher health
        grace = float(service["stop_grace_period"].rstrip("s"))
        shutdown = load_config(PROJECT_ROOT / "deploy" / "compose.config.yaml",
                               environ={"WATCHER_SERVER_TOKEN": "x"}).server.shutdown_grace
        assert grace > shutdown


def test_the_compose_config_is_valid_and_keeps_secrets_out_of_the_file() -> None:
    environ = {"WATCHER_SERVER_TOKEN": "x", "WATCHER_USER_AGENT": "Acme ops@acme.example"}
    config = load_config(PROJECT_ROOT / "deploy" / "compose.config.yaml", environ=environ)
    assert config.store.url.startswith("postgresql://watcher@postgres")
    assert ":" not in config.store.url.split("://", 1)[1].split("@", 1)[0]  # no password
    assert config.server.host == "0.0.0.0" and config.server.token_env
    with pytest.raises(ConfigError, match="WATCHER_SERVER_TOKEN is not set"):
        load_config(PROJECT_ROOT / "deploy" / "compose.config.yaml", environ={})
