"""Arbitrary JSON, arbitrary Unicode (lone surrogates, NUL), raw bytes and deep nesting sent to every
/api/v1 operation: never a 5xx, and every answer under /api/v1 that is an error has the documented shape.

Bounded: ``EXAMPLES`` generated requests per operation and backend. The count actually sent is printed.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.api import registration_payload

EXAMPLES = 60
OPERATIONS = [
    ("GET", "/api/v1/meetings"),
    ("GET", "/api/v1/meetings/{meeting_id}"),
    ("POST", "/api/v1/meetings/{meeting_id}/registrations"),
    ("GET", "/api/v1/registrations/{token}"),
    ("PATCH", "/api/v1/registrations/{token}"),
    ("DELETE", "/api/v1/registrations/{token}"),
    ("POST", "/api/v1/workstream-interests"),
    ("POST", "/api/v1/plans"),
    ("GET", "/api/v1/plans/chart.svg"),
    ("GET", "/api/v1/support-requests"),
    ("POST", "/api/v1/support-requests"),
    ("GET", "/api/v1/support-offers"),
    ("POST", "/api/v1/support-offers"),
    ("GET", "/api/v1/support-requests/{entry_id}"),
    ("PATCH", "/api/v1/support-requests/{entry_id}"),
    ("GET", "/api/v1/support-offers/{entry_id}"),
    ("PATCH", "/api/v1/support-offers/{entry_id}"),
    ("GET", "/api/v1/support-requests/{entry_id}/candidates"),
    ("GET", "/api/v1/matches"),
    ("POST", "/api/v1/matches"),
    ("GET", "/api/v1/matches/{match_id}"),
    ("POST", "/api/v1/matches/{match_id}/transitions"),
    ("GET", "/api/v1/pledges"),
    ("POST", "/api/v1/pledges"),
    ("GET", "/api/v1/pledges/{pledge_id}"),
    ("PATCH", "/api/v1/pledges/{pledge_id}"),
]
SENT: dict[str, int] = {}

NASTY = ["\ud800", "\udfff", "\udc00\ud800", "\x00", "\u0001", "\u200f", "\ufeff", "é", "用户", "\U0001F600",
         "a", " ", "\\", '"', "%00", "{", "[", "\n"]
texts = st.text(st.characters(exclude_categories=()), max_size=40) | st.lists(
    st.sampled_from(NASTY), max_size=12).map("".join)
scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | texts)
json_values = st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(texts, children, max_size=4), max_leaves=12)
deep = (st.sampled_from([33, 1000, 5000]) | st.integers(min_value=1, max_value=3000)).flatmap(
    lambda n: st.sampled_from(["[" * n + "]" * n, '{"a":' * n + "1" + "}" * n, "[" * n]))


def _valid_body(method: str, path: str, session_id: int) -> dict:
    """A body the operation accepts, for mutating one field at a time (reaches the rules behind the schema)."""
    if path.endswith("/registrations") and method == "POST":
        return registration_payload(session_id, "fuzz@example.org")
    if "{token}" in path:
        return {"session_id": session_id, "language": "fr", "timezone": "Asia/Tokyo", "workstreams": [1]}
    if path.endswith("workstream-interests"):
        return {"organization": "Fuzz Org", "category": "civil_society", "country": "FR", "contact_name": "Ana",
                "contact_email": "ana@example.org", "workstreams": [1, 2]}
    return {"date": "2027-03-17", "duration": 180, "participants": [{"timezone": "Europe/Paris", "weight": 2}]}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=True, allow_nan=True)


@st.composite
def requests(draw, method: str, path: str, meeting_id: int, session_id: int, token: str):
    """(url, body bytes or None, content type) for one operation."""
    ids = {"meeting_id": draw(st.sampled_from([str(meeting_id), str(meeting_id)]) | st.integers().map(str)),
           "token": draw(st.just(token) | texts.map(lambda t: quote(t, safe="", errors="surrogatepass")))}
    for name in ("entry_id", "match_id", "pledge_id"):
        ids[name] = draw(st.just("1") | st.integers().map(str)
                         | texts.map(lambda t: quote(t, safe="", errors="surrogatepass")))
    url = path.format(**ids)
    if draw(st.booleans()):
        query = draw(st.dictionaries(texts, texts, max_size=3))
        url += "?" + "&".join(f"{quote(k, errors='surrogatepass')}={quote(v, errors='surrogatepass')}"
                              for k, v in query.items())
    if method in ("GET", "DELETE"):
        return url, None, None
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "any", "deep", "deep", "bytes"]))
    if kind == "mutated":
        body = _valid_body(method, path, session_id)
        key = draw(st.sampled_from(sorted(body)) | texts)
        body[key] = draw(texts | json_values)
        data = _dumps(body).encode()
    elif kind == "any":
        data = _dumps(draw(json_values)).encode()
    elif kind == "deep":
        data = draw(deep).encode()
    else:
        data = draw(st.binary(max_size=200))
    content_type = draw(st.sampled_from(["application/json"] * 4 + ["text/plain", "application/xml", None]))
    return url, data, content_type


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_generated_request_gets_a_5xx(client, meeting, backend, method, path):
    session_id = meeting.sessions[0].id
    token = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                        json=registration_payload(session_id, "owner@example.org")).json["token"]
    key = f"{backend} {method} {path}"
    SENT[key] = 0

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(requests(method, path, meeting.id, session_id, token))
    def send(request):
        url, data, content_type = request
        headers = {"Accept-Language": "fr"}
        if content_type:
            headers["Content-Type"] = content_type
        response = client.open(url, method=method, data=data, headers=headers)
        SENT[key] += 1
        assert response.status_code < 500, (url, data, content_type, response.get_data()[:500])
        if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith("application/json"):
            error = response.json["error"]
            assert error["status"] == response.status_code and error["code"] and error["message"]
        elif response.status_code >= 400:
            assert response.mimetype == "application/json", (url, response.status_code, response.mimetype)

    send()
    print(f"\n{key}: {SENT[key]} generated requests, no 5xx; total so far {sum(SENT.values())}")
    assert SENT[key] >= EXAMPLES // 2


def test_every_api_operation_is_fuzzed(client):
    spec = client.get("/api/v1/openapi.json").json
    documented = {(method.upper(), path.replace("{meeting_id}", "{meeting_id}"))
                  for path, item in spec["paths"].items() for method in item if method != "parameters"}
    assert documented == set(OPERATIONS)
