"""Helpers for tests of the daemon as a service: free ports, a config with the service
endpoint on, reading the endpoint and the JSON log, and a TCP proxy that can cut the daemon
off from its PostgreSQL (a store that becomes unreachable, then comes back)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

from watcher.demo import demo_filings
from watcher.demo.fake_edgar import FakeEdgar, FakeFiling

from tests.support.daemon import Daemon, write_config

USER_AGENT = "watcher tests tests@example.invalid"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_config(path: Path, edgar: FakeEdgar, *, store_url: str, ciks: list[int],
                   port: int | None = None, every: float = 0.5,
                   webhook: str | None = None, **sections: Any) -> Path:
    """A daemon config against the fake EDGAR; ``sections`` override or add sections."""
    config: dict[str, Any] = {
        "edgar": {"user_agent": USER_AGENT, "base_url": edgar.base_url,
                  "data_url": edgar.base_url, "retries": 0},
        "companies": [{"cik": cik} for cik in ciks],
        "sources": [{"kind": "edgar_current", "every": every}],
        "store": {"url": store_url, "lease_seconds": 3},
        "pipeline": {"max_attempts": 3},
        "notifiers": [{"name": "desk", "kind": "webhook", "url": webhook}] if webhook
        else [{"name": "log", "kind": "log"}],
        "server": {"listen": f"127.0.0.1:{port}"} if port else {"enabled": False},
        "logging": {"level": "INFO", "format": "json"},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    return write_config(path, **config)


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    """GET a URL: (status, body), also for 4xx/5xx; (0, b"") when nothing answers."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()
    except OSError:
        return 0, b""


def health(port: int, token: str | None = None) -> tuple[int, dict[str, Any]]:
    status, body = get(f"http://127.0.0.1:{port}/healthz", token)
    return status, (json.loads(body) if body else {})


def log_records(daemon: Daemon) -> list[dict[str, Any]]:
    """The daemon's JSON log lines (lines that are not JSON, e.g. tracebacks, are skipped)."""
    records = []
    for line in daemon.output().splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if isinstance(record, dict):
                records.append(record)
    return records


def logged(daemon: Daemon, text: str) -> bool:
    return any(text in str(r.get("msg", "")) for r in log_records(daemon))


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; ``cut()`` drops every connection and refuses
    new ones, ``restore()`` accepts again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self._listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone would leave the
            # socket listening until that call returns
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.start()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cut()


def fictional_company(cik: int) -> list[FakeFiling]:
    """The demo company's three 8-Ks (license, new collaboration, opt-out), refiled under
    another CIK with accession numbers of that CIK: a fictional company per CIK."""
    return [replace(f, cik=cik, accession=f"{cik:010d}{f.accession[10:]}")
            for f in demo_filings()]
