"""Checks every request passes before any view runs (pages and API alike), so bad input is a 4xx.

- the address and the headers within bounds (414, 431);
- path parameters well formed before any query (a malformed token is a 404);
- no NUL character in the address, form fields or JSON text (400): PostgreSQL cannot store it;
- JSON bodies: read whatever the transfer encoding (chunked included) up to ``MAX_CONTENT_LENGTH``
  (413), sent as JSON on JSON endpoints (415), valid UTF-8 without lone surrogates and nested at
  most ``MAX_JSON_DEPTH`` levels (400), checked on the raw bytes before anything parses them.
"""

from __future__ import annotations

import re

from flask import Flask, abort, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import (
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
    RequestURITooLarge,
    UnsupportedMediaType,
)

from meetings.core.errors import DomainError

MAX_JSON_DEPTH = 32
MAX_URL_LENGTH = 4000  # below gunicorn's request line limit (4094), so the service answers, in its shape
MAX_HEADER_BYTES = 8000
MAX_HEADER_COUNT = 90
API_PREFIX = "/api/"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# A JSON string (escapes included) or one bracket: strings are skipped whole, brackets counted.
JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# An escape (not itself escaped) of a UTF-16 surrogate: a high one with or without its low half, or a low one.
NOT_ESCAPED = rb"(?<!\\)(?:\\\\)*"
ESCAPED_SURROGATE = re.compile(NOT_ESCAPED + rb"(\\u[dD][89abAB][0-9a-fA-F]{2}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
                               rb"|\\u[dD][c-fC-F][0-9a-fA-F]{2})")
ESCAPED_NUL = re.compile(NOT_ESCAPED + rb"\\u0000")


class InvalidRequest(DomainError):
    """The request itself is malformed (400), whatever the endpoint."""

    status = 400


TOO_DEEP = _l("The JSON document is nested too deeply (at most %(max)d levels).")
INVALID_TEXT = _l("The text you sent contains invalid characters (it must be valid Unicode). Please correct it.")


def json_depth(body: bytes) -> int:
    """How deeply ``body``'s arrays and objects nest, counted without parsing (no recursion)."""
    depth = deepest = 0
    for match in JSON_TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def has_lone_surrogate(body: bytes) -> bool:
    """True when a ``\\uD800``-``\\uDFFF`` escape is not one half of a well-formed pair."""
    return any(len(match.group(1)) != 12 for match in ESCAPED_SURROGATE.finditer(body))


def check_json_body(body: bytes) -> None:
    """Refuse a JSON body that is not valid UTF-8, holds NUL or a lone surrogate, or nests too deeply."""
    if b"\x00" in body or ESCAPED_NUL.search(body):
        abort(400)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("invalid_text", INVALID_TEXT) from None
    if json_depth(body) > MAX_JSON_DEPTH:
        raise InvalidRequest("too_deep", TOO_DEEP, max=MAX_JSON_DEPTH)
    if has_lone_surrogate(body):
        raise InvalidRequest("invalid_text", INVALID_TEXT)


def check_request() -> None:
    """Run before every view: see the module's docstring."""
    if len(request.environ.get("RAW_URI") or request.full_path) > MAX_URL_LENGTH:
        raise RequestURITooLarge()
    headers = list(request.headers.items())
    if len(headers) > MAX_HEADER_COUNT or sum(len(k) + len(v) for k, v in headers) > MAX_HEADER_BYTES:
        raise RequestHeaderFieldsTooLarge()
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and (UNPRINTABLE.search(value) or (name.endswith("token")
                                                                     and not TOKEN.fullmatch(value))):
            abort(404)
    if any("\x00" in value for values in (request.args, request.form) for _, value in values.items(multi=True)):
        abort(400)
    if "\x00" in request.path:
        abort(404)
    if request.routing_exception is not None:  # no such route or method: 404/405 (with Allow) first
        raise request.routing_exception
    if request.method in BODY_METHODS and request.path.startswith(API_PREFIX) and not request.is_json:
        raise UnsupportedMediaType()
    if request.is_json:
        check_json_body(read_body())


def read_body() -> bytes:
    """The whole body, chunked or not, or 413 beyond ``MAX_CONTENT_LENGTH``.

    Werkzeug stops reading a chunked body at the limit without saying so: a body that fills the
    limit is taken as one that went past it.
    """
    body = request.get_data(cache=True)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and request.content_length is None and len(body) >= limit:
        raise RequestEntityTooLarge()
    return body


def init_app(app: Flask) -> None:
    """Check every request before its view."""
    app.before_request(check_request)
