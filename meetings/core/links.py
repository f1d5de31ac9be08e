"""Absolute links to our pages, built from PUBLIC_BASE_URL (works in requests, jobs and the CLI)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values: object) -> str:
    """``https://host/path`` for ``endpoint``, without needing a request."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc or "localhost", script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
