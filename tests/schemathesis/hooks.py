"""Schemathesis hooks of the contract test (loaded through SCHEMATHESIS_HOOKS), each with its reason.

Test data: a registration's ``session_id`` must name session A or B of the meeting in the path, which no
schema can state (the ids are rows of the database); a random integer gets the documented 422
``unknown_session``. Positive cases therefore name one of the seeded meeting's sessions
(``ACSG_SESSION_IDS``), as a client that read ``GET /api/v1/meetings`` would; negative ones are untouched.

One filter: a JSON body holding a lone UTF-16 surrogate escape (``"\\ud800"``) is not
Unicode text (RFC 8259 section 8.2; I-JSON, RFC 7493 section 2.1, forbids it) and the service refuses it
with 400 before any handler, as the API description says. OpenAPI 3.0 strings are Unicode strings, so such
a body is not a schema-valid request; schemathesis' generator nevertheless produces them, and the
positive checks would count the documented 400 as a valid request rejected. Negative cases (schema-invalid
on purpose) keep them.
"""

from __future__ import annotations

import os

import schemathesis
from schemathesis import GenerationMode


def _has_surrogate(value) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_surrogate(v) for v in value)
    return False


def _positive(case) -> bool:
    mode = getattr(getattr(case, "meta", None), "generation", None)
    return mode is None or getattr(mode, "mode", None) != GenerationMode.NEGATIVE


@schemathesis.hook
def map_case(context, case):
    """A registration's session_id names a session of the seeded meeting (see the module)."""
    sessions = [int(i) for i in os.environ.get("ACSG_SESSION_IDS", "").split(",") if i]
    body = case.body
    if sessions and _positive(case) and isinstance(body, dict) and isinstance(body.get("session_id"), int) \
            and not isinstance(body.get("session_id"), bool) and "registration" in case.operation.path:
        case.body = {**body, "session_id": sessions[body["session_id"] % len(sessions)]}
    return case


@schemathesis.hook
def filter_case(context, case) -> bool:
    """Keep every case except positive ones that carry a lone surrogate anywhere (see the module)."""
    if not _positive(case):
        return True
    parts = (case.body, case.query, case.path_parameters, case.headers)
    return not any(_has_surrogate(part) for part in parts if part is not None and not isinstance(part, bytes))

