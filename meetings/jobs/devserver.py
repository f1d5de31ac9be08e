"""The development server's request handler: what the HTTP server refuses itself is JSON on /api/ paths.

A request line over 64 KiB (414) or more than 100 headers (431) never reaches the application, so
the server answers it; on API paths it answers in the API's one error shape.
"""

from __future__ import annotations

import json

from werkzeug.serving import WSGIRequestHandler

from meetings.errorpages import HTTP_MESSAGES


class JsonErrorsRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, with the server's own errors in the documented JSON shape under /api/."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        line = (getattr(self, "raw_requestline", b"") or b"")[:512].decode("latin-1")
        parts = line.split()
        if len(parts) < 2 or not parts[1].startswith("/api/"):
            super().send_error(code, message, explain)
            return
        with self.server.app.test_request_context():
            text = str(HTTP_MESSAGES.get(code, HTTP_MESSAGES[400]))
        body = json.dumps({"error": {"status": code, "code": f"http_{code}", "message": text}}).encode()
        self.close_connection = True
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
