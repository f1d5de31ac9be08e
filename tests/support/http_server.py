"""A real HTTP server on loopback that records what it receives (webhook deliveries), in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorder(BaseHTTPRequestHandler):
    """Answers by path: /status/<code> with that code, /slow after a second, anything else 204.

    Records every POST as (path, headers, body) in ``server.requests`` (headers are case-insensitive)."""

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append((self.path, self.headers, body))
        if self.path == "/slow":
            time.sleep(1.0)
        status = int(self.path.rsplit("/", 1)[1]) if self.path.startswith("/status/") else 204
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", "/ok")
        reply = b"" if status == 204 else b'{"error": "nope"}'
        self.send_header("Content-Length", str(len(reply)))
        try:
            self.end_headers()
            self.wfile.write(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def log_message(self, *args):
        pass


@contextmanager
def recording_http_server() -> Iterator[ThreadingHTTPServer]:
    """A ``Recorder`` server on a free loopback port; ``server.url`` is its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
