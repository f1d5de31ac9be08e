"""Abuse limits per client address: an application with the limits on, in memory and in the real Redis.

Every other test runs with ``RATELIMIT_ENABLED`` off (conftest), so no test meets a limit by accident;
each test here builds its own application, with its own memory store or its own Redis key prefix.
"""

from __future__ import annotations

import os
import time
import uuid
from types import SimpleNamespace

import limits.storage.memory
import pytest
import redis
from support.api import registration_payload
from support.factories import make_meeting
from support.pages import csrf_token

from meetings import create_app
from meetings.core import db as dbmod

REDIS_URL = "redis://127.0.0.1:6379/15"


def _limited_app(database_url, storage: str, **config):
    prefix = f"acsg-test-{uuid.uuid4().hex}"
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret",
                      "PUBLIC_BASE_URL": "http://localhost", "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": storage, "RATELIMIT_KEY_PREFIX": prefix, **config})
    return app, prefix


@pytest.fixture(params=["memory", "redis"])
def limited(request, database_url):
    """An application with the limits on, in one transaction rolled back afterwards."""
    storage = "memory://"
    if request.param == "redis":
        try:
            redis.Redis.from_url(REDIS_URL).ping()
        except redis.exceptions.ConnectionError as error:
            if os.environ.get("ACSG_REQUIRE_REDIS") == "1":
                pytest.fail(f"Redis is required (ACSG_REQUIRE_REDIS=1) but unreachable: {error}")
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        storage = REDIS_URL
    app, prefix = _limited_app(database_url, storage)
    connection = app.extensions["db_engine"].connect()
    transaction = connection.begin()
    dbmod.bind_to_connection(app, connection)
    yield app
    transaction.rollback()
    connection.close()
    app.extensions["db_engine"].dispose()
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)


def _from(address: str) -> dict:
    return {"REMOTE_ADDR": address}


def test_a_burst_of_sixty_registrations_from_one_address_meets_429(limited):
    client = limited.test_client()
    with dbmod.new_session(limited) as db:
        meeting = make_meeting(db)
        session_id = meeting.sessions[0].id
        url = f"/api/v1/meetings/{meeting.id}/registrations"
    statuses = []
    for index in range(60):
        response = client.post(url, json=registration_payload(session_id, f"p{index}@example.org"),
                               environ_base=_from("198.51.100.7"), headers={"Accept-Language": "fr"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[:20] == [201] * 20 and statuses[20] == 429
    assert int(response.headers["Retry-After"]) > 0
    error = response.json["error"]
    assert error["status"] == 429 and error["code"] == "rate_limited" and "Trop de" in error["message"]
    # Another address is not affected.
    other = client.post(url, json=registration_payload(session_id, "other@example.org"),
                        environ_base=_from("203.0.113.5"))
    assert other.status_code == 201


def test_pages_answer_429_with_a_localized_page(limited):
    client = limited.test_client()
    headers = {"Accept-Language": "es"}
    token = csrf_token(client.get("/workstreams", environ_base=_from("198.51.100.8")).get_data(as_text=True))
    form = {"csrf_token": token, "organization": "Org", "category": "academia", "country": "AR",
            "contact_name": "Someone", "contact_email": "someone@example.org", "workstreams": ["1"]}
    statuses = [client.post("/workstreams", data=form, environ_base=_from("198.51.100.8"), headers=headers)
                for _ in range(11)]
    assert [r.status_code for r in statuses[:10]] == [303] * 10
    refused = statuses[10]
    assert refused.status_code == 429 and refused.mimetype == "text/html" and refused.headers["Retry-After"]
    assert "Demasiadas" in refused.get_data(as_text=True)


def test_planner_calls_are_limited_per_address(limited):
    client = limited.test_client()
    body = {"date": "2027-03-17", "duration": 180, "participants": [{"timezone": "Europe/Paris"}]}
    statuses = [client.post("/api/v1/plans", json=body, environ_base=_from("198.51.100.9")).status_code
                for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_a_delegation_of_thirty_over_an_hour_never_meets_a_limit(database_url, monkeypatch):
    """30 registrations from one address in bursts of 10 every 20 minutes (the store's clock is moved)."""
    app, _prefix = _limited_app(database_url, "memory://")
    clock = [time.time()]
    monkeypatch.setattr(limits.storage.memory, "time", SimpleNamespace(time=lambda: clock[0]))
    connection = app.extensions["db_engine"].connect()
    transaction = connection.begin()
    dbmod.bind_to_connection(app, connection)
    try:
        client = app.test_client()
        with dbmod.new_session(app) as db:
            meeting = make_meeting(db, capacity=100)
            session_id, url = meeting.sessions[0].id, f"/api/v1/meetings/{meeting.id}/registrations"
        statuses = []
        for burst in range(3):
            for index in range(10):
                statuses.append(client.post(url, json=registration_payload(session_id, f"d{burst}-{index}@mission.org"),
                                            environ_base=_from("192.0.2.44")).status_code)
            clock[0] += 20 * 60
        assert statuses == [201] * 30
    finally:
        transaction.rollback()
        connection.close()
        app.extensions["db_engine"].dispose()
