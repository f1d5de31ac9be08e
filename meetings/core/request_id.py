"""The id of the request being served, for rows and log lines it causes (None outside a request)."""

from __future__ import annotations

import re
import uuid

from flask import g, has_request_context

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$")


def accept_request_id(incoming: str | None) -> str:
    """The caller's id when it is sane (8-64 letters, digits, ``.``, ``_``, ``:``, ``-``), else a new one."""
    if incoming and _SANE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The current request's id, or None in the CLI and in scheduled jobs."""
    if has_request_context():
        return g.get("request_id")
    return None
