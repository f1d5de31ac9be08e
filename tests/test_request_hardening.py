"""Each request that once answered 500 or something undocumented, sent again: a localized 4xx in the JSON shape.

Requests that need a real server (chunked bodies, long request lines, big headers) go over a socket to
the application served by Werkzeug on a free port; the others use the test client.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading

import pytest
import sqlalchemy as sa
from support.api import registration_payload
from support.factories import make_meeting
from werkzeug.serving import make_server

from meetings.core import db as dbmod
from meetings.jobs.devserver import JsonErrorsRequestHandler
from meetings.models import Registration

JSON_ENDPOINTS = ["/api/v1/meetings/{meeting}/registrations", "/api/v1/registrations/{token}",
                  "/api/v1/workstream-interests", "/api/v1/plans"]


@pytest.fixture
def server(live_app, committed):
    """The application on a real HTTP server (threaded) and an open meeting, committed."""
    with dbmod.new_session(live_app) as session:
        meeting = make_meeting(session, edition="2031-5")
        ids = {"meeting": meeting.id, "a": meeting.sessions[0].id}
    httpd = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port, ids
    httpd.shutdown()
    thread.join(timeout=10)


def _send(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
          chunked: bool = False) -> tuple[int, dict, dict | None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        if chunked:
            connection.putrequest(method, path)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            for start in range(0, len(body), 7):
                piece = body[start:start + 7]
                connection.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            connection.send(b"0\r\n\r\n")
        else:
            connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
        document = json.loads(raw) if response.getheader("Content-Type", "").startswith("application/json") else None
        return response.status, dict(response.getheaders()), document
    finally:
        connection.close()


def _stored(live_app, meeting_id: int) -> int:
    with dbmod.new_session(live_app) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Registration)
                              .where(Registration.meeting_id == meeting_id))


def test_a_chunked_registration_with_nul_is_refused_and_a_clean_one_is_read(live_app, server):
    port, ids = server
    path = f"/api/v1/meetings/{ids['meeting']}/registrations"
    headers = {"Content-Type": "application/json", "Accept-Language": "fr"}
    dirty = json.dumps(registration_payload(ids["a"], "nul@example.org", name="Fuzz \u0000 Person")).encode()
    status, _, document = _send(port, "POST", path, dirty, headers, chunked=True)
    assert status == 400 and document["error"]["status"] == 400
    assert _stored(live_app, ids["meeting"]) == 0
    clean = json.dumps(registration_payload(ids["a"], "chunked@example.org")).encode()
    status, _, document = _send(port, "POST", path, clean, headers, chunked=True)
    assert status == 201 and document["email"] == "chunked@example.org"


def test_a_chunked_body_over_the_size_limit_is_413_in_the_json_shape(live_app, server):
    port, ids = server
    body = json.dumps(registration_payload(ids["a"], "big@example.org", function="x" * (2 * 1024 * 1024))).encode()
    status, _, document = _send(port, "POST", f"/api/v1/meetings/{ids['meeting']}/registrations", body,
                                {"Content-Type": "application/json"}, chunked=True)
    assert status == 413 and document["error"]["code"] == "http_413"
    assert _stored(live_app, ids["meeting"]) == 0


def test_long_addresses_and_big_headers_on_api_paths_answer_json(server):
    port, _ = server
    status, _, document = _send(port, "GET", "/api/v1/meetings?q=" + "a" * 5000)
    assert status == 414 and document["error"]["code"] == "http_414"
    status, _, document = _send(port, "GET", "/api/v1/meetings", headers={"X-Padding": "a" * 9000,
                                                                           "Accept-Language": "es"})
    assert status == 431 and document["error"]["code"] == "http_431"
    assert document["error"]["message"] == "Las cabeceras de la solicitud son demasiado grandes."


def test_trace_is_405_with_allow_in_the_json_shape(client):
    response = client.open("/api/v1/meetings", method="TRACE")
    assert response.status_code == 405 and response.json["error"]["code"] == "http_405"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


def test_a_nul_in_a_token_is_404_before_any_query(client, meeting):
    for path in ("/api/v1/registrations/abc%00def", "/api/v1/registrations/abc%E2%80%8Fdef",
                 "/manage/abc%00def", "/feeds/participant/abc%00.ics", "/api/v1/registrations/" + "a" * 200):
        response = client.get(path)
        assert response.status_code == 404, path
    assert client.get("/api/v1/registrations/abc%00def").json["error"]["code"] == "http_404"


def test_json_nested_a_thousand_levels_is_400_on_every_json_endpoint(client, db, meeting):
    token = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                        json=registration_payload(meeting.sessions[0].id)).json["token"]
    deep = "[" * 1000 + "]" * 1000
    nested_object = '{"name": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"
    for template in JSON_ENDPOINTS:
        path = template.format(meeting=meeting.id, token=token)
        method = client.patch if "{token}" in template else client.post
        for body in (deep, nested_object):
            response = method(path, data=body, content_type="application/json", headers={"Accept-Language": "fr"})
            assert response.status_code == 400, (path, response.json)
            assert response.json["error"]["code"] == "too_deep"
            assert "32" in response.json["error"]["message"] and "imbriqué" in response.json["error"]["message"]


def test_a_lone_surrogate_is_400_and_nothing_is_stored(client, db, meeting):
    body = json.dumps(registration_payload(meeting.sessions[0].id, name="Fuzz \ud800 Person"))
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations", data=body,
                           content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_text"
    raw = json.dumps(registration_payload(meeting.sessions[0].id)).encode().replace(b"Ana", b"A\xed\xa0\x80na")
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations", data=raw,
                           content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_text"
    paired = registration_payload(meeting.sessions[0].id, name="Ana \U0001F600 Pérez")
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations", data=json.dumps(paired),
                           content_type="application/json")  # an escaped surrogate pair is one valid character
    assert response.status_code == 201 and response.json["name"] == "Ana \U0001F600 Pérez"


def test_a_body_that_is_not_json_is_415_on_every_json_endpoint(client, meeting):
    token = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                        json=registration_payload(meeting.sessions[0].id)).json["token"]
    bodies = [("text/plain", "hello"), ("application/x-www-form-urlencoded", "name=Ana&email=a%40b.org"),
              ("application/xml", "<registration><name>Ana</name></registration>")]
    for template in JSON_ENDPOINTS:
        path = template.format(meeting=meeting.id, token=token)
        method = client.patch if "{token}" in template else client.post
        for content_type, body in bodies:
            response = method(path, data=body, content_type=content_type)
            assert response.status_code == 415, (path, content_type, response.json)
            assert response.json["error"]["code"] == "http_415"


def test_integers_are_strict(client, db, meeting):
    for workstreams in ([1.5], ["1"], [True]):
        response = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                               json=registration_payload(meeting.sessions[0].id, workstreams=workstreams))
        assert response.status_code == 422, workstreams
        assert "workstreams" in response.json["error"]["fields"]
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                           json=registration_payload(float(meeting.sessions[0].id) + 0.5))
    assert response.status_code == 422 and "session_id" in response.json["error"]["fields"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    response = client.post("/api/v1/workstream-interests", json={
        "organization": "Org", "category": "civil_society", "country": "FR", "contact_name": "Ana",
        "contact_email": "ana@example.org", "workstreams": [2.5]})
    assert response.status_code == 422 and "workstreams" in response.json["error"]["fields"]


def test_planner_weights_are_bounded(client):
    plan = {"date": "2027-03-17", "duration": 180}
    for weight in (1e308, -1, 1e-300, 1000000.5):
        response = client.post("/api/v1/plans", json={**plan, "participants": [
            {"timezone": "Europe/Paris", "weight": weight}]}, headers={"Accept-Language": "es"})
        assert response.status_code == 422, weight
        assert "1.000.000" in str(response.json["error"]["fields"]) or "1 000 000" in str(
            response.json["error"]["fields"]) or "1,000,000" in str(response.json["error"]["fields"])
    response = client.post("/api/v1/plans", json={**plan, "duration": 180.5})
    assert response.status_code == 422 and "duration" in response.json["error"]["fields"]
    response = client.post("/api/v1/plans", json={**plan, "participants": [
        {"timezone": "Europe/Paris", "weight": 1000000}, {"timezone": "Asia/Tokyo", "weight": 2.5}]})
    assert response.status_code == 200


def test_a_non_ascii_local_part_is_refused_at_once(client, db, meeting):
    for email in ("ünal@example.org", "用户@例子.广告"):
        response = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                               json=registration_payload(meeting.sessions[0].id, email),
                               headers={"Accept-Language": "fr"})
        assert response.status_code == 422, email
        assert response.json["error"]["code"] == "unsupported_email"
        assert "@" in response.json["error"]["fields"]["email"] and "adresse" in response.json["error"]["message"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                           json=registration_payload(meeting.sessions[0].id, "ana@bücher.de"))
    assert response.status_code == 201  # a non-ASCII domain is sent as punycode


def test_registering_again_answers_the_documented_body_without_the_token(client, meeting):
    body = registration_payload(meeting.sessions[0].id)
    assert client.post(f"/api/v1/meetings/{meeting.id}/registrations", json=body).status_code == 201
    again = client.post(f"/api/v1/meetings/{meeting.id}/registrations", json=body)
    assert again.status_code == 202 and "token" not in again.json and again.json["status"] == "link_sent"
    spec = client.get("/api/v1/openapi.json").json
    documented = spec["paths"]["/api/v1/meetings/{meeting_id}/registrations"]["post"]["responses"]["202"]
    name = documented["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(spec["components"]["schemas"][name]["properties"]) == set(again.json)  # documented as answered
    created = spec["paths"]["/api/v1/meetings/{meeting_id}/registrations"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/Registration")


def _raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_the_dev_server_answers_what_it_refuses_itself_in_json_on_api_paths(live_app):
    httpd = make_server("127.0.0.1", 0, live_app, threaded=True, request_handler=JsonErrorsRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        too_long = _raw_exchange(httpd.server_port, b"GET /api/v1/meetings?q=" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n")
        many = b"".join(b"X-Header-%d: 1\r\n" % i for i in range(120))
        too_many = _raw_exchange(httpd.server_port, b"GET /api/v1/meetings HTTP/1.1\r\n" + many + b"\r\n")
        page = _raw_exchange(httpd.server_port, b"GET /meetings?q=" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n")
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
    for answer, status in ((too_long, 414), (too_many, 431)):
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 %d" % status) and b"Content-Type: application/json" in head
        error = json.loads(body)["error"]
        assert error["status"] == status and error["code"] == f"http_{status}" and error["message"]
    assert page.startswith(b"HTTP/1.1 414") and b"text/html" in page.partition(b"\r\n\r\n")[0]
