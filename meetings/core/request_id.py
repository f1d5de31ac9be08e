"""The id of the request being served, for rows and log lines it causes (None outside a request)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, has_request_context

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$")
_CARRIED: ContextVar[str | None] = ContextVar("carried_request_id", default=None)


def accept_request_id(incoming: str | None) -> str:
    """The caller's id when it is sane (8-64 letters, digits, ``.``, ``_``, ``:``, ``-``), else a new one."""
    if incoming and _SANE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The current request's id, the id of the request whose work a background task carries on, or None."""
    if has_request_context():
        return g.get("request_id")
    return _CARRIED.get()


@contextmanager
def carrying_request_id(request_id: str | None) -> Iterator[None]:
    """Within this block (outside any request), rows and entries are caused by the request ``request_id``."""
    token = _CARRIED.set(request_id)
    try:
        yield
    finally:
        _CARRIED.reset(token)
