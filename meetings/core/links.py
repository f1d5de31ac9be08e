"""Absolute links to our pages, built from PUBLIC_BASE_URL (works in requests, jobs and the CLI)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter

_ADAPTER = "public_url_adapter"


def public_url(endpoint: str, **values: object) -> str:
    """``https://host/path`` for ``endpoint``, without needing a request."""
    return _adapter().build(endpoint, values, force_external=True)


def _adapter() -> MapAdapter:
    """The URL map bound to PUBLIC_BASE_URL, bound once per application and base (an e-mail batch builds many links)."""
    app = current_app._get_current_object()
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    cached = app.extensions.get(_ADAPTER)
    if cached is None or cached[0] != base:
        parts = urlsplit(base)
        cached = (base, app.url_map.bind(parts.netloc or "localhost", script_name=parts.path or "/",
                                         url_scheme=parts.scheme or "https"))
        app.extensions[_ADAPTER] = cached
    return cached[1]
