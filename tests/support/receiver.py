"""A real HTTP receiver for webhooks: records every request, can fail the first N, hold a
request open, or answer a fixed status, and verifies signatures the documented way."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def alert_id(self) -> str:
        return str(self.headers.get("x-watcher-alert-id", ""))


class WebhookReceiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.received: list[Received] = []
        self.attempts = 0
        self.fail_first = 0
        self.fail_status = 503
        self.status = 200
        self.reply_headers: dict[str, str] = {}  # sent with every answer (e.g. Retry-After)
        self.hold = threading.Event()
        self.hold.set()  # set = do not hold
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each small answer waits for a delayed ACK

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver._on_post(self, body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def _on_post(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        with self.arrived:
            self.attempts += 1
            attempt = self.attempts
        status = self.status
        if attempt <= self.fail_first:
            status = self.fail_status
        self.hold.wait()
        if 200 <= status < 300:
            with self.arrived:
                self.received.append(Received(handler.path, {k.lower(): v for k, v in
                                                             handler.headers.items()}, body))
                self.arrived.notify_all()
        else:
            with self.arrived:
                self.arrived.notify_all()
        payload = b'{"ok": true}' if 200 <= status < 300 else b'{"error": "refused"}'
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        for name, value in self.reply_headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Block until ``count`` requests were accepted (or fail after ``timeout``)."""
        with self.arrived:
            ok = self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
        if not ok:
            raise AssertionError(f"expected {count} webhook(s), got {len(self.received)}")
        return list(self.received)

    def __enter__(self) -> WebhookReceiver:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.hold.set()
        self._server.shutdown()
        self._server.server_close()
