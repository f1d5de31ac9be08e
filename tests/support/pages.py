"""Helpers for page tests: read the CSRF token a form carries and post it back."""

from __future__ import annotations

import re

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token embedded in a rendered form."""
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def post_form(client, url: str, data: dict, *, page: str | None = None, headers: dict | None = None):
    """GET the form page (``page`` or ``url``), then POST ``data`` with its CSRF token."""
    html = client.get(page or url, headers=headers).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(html)}, headers=headers)
