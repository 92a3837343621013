"""A national database on 127.0.0.1 speaking the HTTP connector's protocol
(docs/data-store.md): a real socket server in a thread, with records, a token and failures
to play."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeNationalDatabase:
    token: str = "secret-token"
    #: (database, subject_key) -> {"reference", "fields"}
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: statuses answered before the real answer (e.g. [503] fails once)
    failures: list[int] = field(default_factory=list)
    #: answer this body instead of the record (a broken server)
    raw_body: bytes | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""


def _handler(fake: FakeNationalDatabase) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "body": payload,
                }
            )
            if fake.failures:
                self._answer(fake.failures.pop(0), b'{"error": "try later"}')
                return
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                self._answer(401, b'{"error": "unauthorised"}')
                return
            if fake.raw_body is not None:
                self._answer(200, fake.raw_body)
                return
            parts = self.path.strip("/").split("/")
            if len(parts) != 3 or parts[0] != "api" or parts[2] != "lookup":
                self._answer(404, b"{}")
                return
            record = fake.records.get((parts[1], str(payload.get("subject_key"))))
            if record is None:
                self._answer(404, b'{"error": "no record"}')
                return
            self._answer(200, json.dumps(record).encode())

    return Handler


@contextmanager
def fake_national_database(**kw: Any) -> Iterator[FakeNationalDatabase]:
    fake = FakeNationalDatabase(**kw)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/api"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
