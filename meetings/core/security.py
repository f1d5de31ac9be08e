"""CSRF protection for forms and protective response headers (checks on input: :mod:`meetings.core.incoming`)."""

from __future__ import annotations

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


class DatabaseInteger(IntegerConverter):
    """``<int:...>`` in URLs, limited to what a database integer column holds (no overflow error)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def install_url_converters(app: Flask) -> None:
    """Must run before any route is registered."""
    app.url_map.converters["int"] = DatabaseInteger


def init_app(app: Flask) -> None:
    """Enable CSRF on every form and add security headers to every response."""
    csrf.init_app(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
