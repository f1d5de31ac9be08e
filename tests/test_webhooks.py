"""Webhooks against a real local HTTP server: signatures, body format, status and timeout handling."""

import json
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from support.http_server import recording_http_server
from support.smtp_server import free_port

from notifications.errors import DeliveryError
from notifications.webhooks import (
    WebhookLimits,
    build_webhook_request,
    post_webhook,
    sign,
    validate_webhook_url,
    verify,
)

SECRET = "hook-secret-ñ"
LOCAL = WebhookLimits(allowed_hosts=frozenset({"127.0.0.1"}))  # the test receiver listens on loopback
NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
PAYLOAD = {
    "registration": {"id": 42, "name": "José Núñez", "session": "B"},
    "starts_at": datetime(2025, 4, 16, 12, 0, tzinfo=UTC),
    "meeting": "Réunion mondiale",
}


@pytest.fixture
def http_server():
    with recording_http_server() as server:
        yield server


def request_for(**kwargs):
    return build_webhook_request("registration.created", PAYLOAD, "outbox-17", NOW, **kwargs)


def test_signed_delivery_verifies_on_the_receiving_side(http_server):
    body, headers = request_for()
    assert post_webhook(f"{http_server.url}/ok", body, headers, SECRET, LOCAL) == 204
    [(path, received_headers, received_body)] = http_server.requests
    assert received_body == body
    assert verify(received_body, SECRET, received_headers["X-ACSG-Signature"])
    assert not verify(received_body.replace(b"42", b"43"), SECRET, received_headers["X-ACSG-Signature"])
    assert not verify(received_body, "other secret", received_headers["X-ACSG-Signature"])
    assert received_headers["Content-Type"] == "application/json"
    assert received_headers["X-ACSG-Event"] == "registration.created"
    assert received_headers["X-ACSG-Delivery"] == "outbox-17"
    assert received_headers["X-ACSG-Timestamp"] == str(int(NOW.timestamp()))
    assert received_headers["User-Agent"].startswith("ACSG-Dialogue-Platform-Webhooks/")


def test_each_call_is_one_request(http_server):
    body, headers = request_for()
    for _ in range(4):
        assert post_webhook(f"{http_server.url}/ok?x=1", body, headers, SECRET, LOCAL) == 204
    assert len(http_server.requests) == 4
    assert http_server.requests[0][0] == "/ok?x=1"


def test_body_is_sorted_compact_utf8_json_with_envelope():
    body, headers = request_for()
    decoded = json.loads(body.decode("utf-8"))
    assert decoded == {
        "id": "outbox-17",
        "type": "registration.created",
        "created_at": "2025-03-01T09:30:00Z",
        "data": {
            "meeting": "Réunion mondiale",
            "registration": {"id": 42, "name": "José Núñez", "session": "B"},
            "starts_at": "2025-04-16T12:00:00Z",
        },
    }
    assert "José Núñez".encode() in body  # UTF-8, not \\u escapes
    assert body == json.dumps(decoded, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert request_for()[0] == body  # deterministic
    assert "X-ACSG-Signature" not in headers
    assert request_for(secret=SECRET)[1]["X-ACSG-Signature"] == sign(body, SECRET)


def test_created_at_is_utc_whatever_the_zone_of_now():
    bogota = timezone(timedelta(hours=-5))
    body, _ = build_webhook_request("session.changed", {}, "d-1", NOW.astimezone(bogota))
    assert json.loads(body)["created_at"] == "2025-03-01T09:30:00Z"


def test_sign_and_verify():
    signature = sign(b"{}", "s")
    assert signature.startswith("sha256=") and len(signature) == len("sha256=") + 64
    assert verify(b"{}", "s", signature)
    assert verify(b"{}", "s", signature + "\n")  # trailing whitespace from header parsing
    assert not verify(b"{}", "s", signature.upper())
    assert not verify(b"{}", "s", None)
    assert not verify(b"{}", "s", "sha256=é")
    assert not verify(b"{}", "", signature)
    with pytest.raises(ValueError):
        sign(b"{}", "")


@pytest.mark.parametrize("status, permanent", [(500, False), (503, False), (408, False), (429, False),
                                                (410, True), (400, True), (404, True), (302, True)])
def test_error_statuses_are_classified(http_server, status, permanent):
    body, headers = request_for()
    with pytest.raises(DeliveryError) as caught:
        post_webhook(f"{http_server.url}/status/{status}", body, headers, SECRET, LOCAL)
    assert caught.value.permanent is permanent
    assert caught.value.code == status
    assert str(caught.value) == f"HTTP {status}"  # a status, never the receiver's body
    assert len(http_server.requests) == 1  # redirects are not followed


def test_slow_server_times_out_as_temporary(http_server):
    body, headers = request_for()
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        post_webhook(f"{http_server.url}/slow", body, headers, SECRET,
                     WebhookLimits(deadline=0.3, allowed_hosts=LOCAL.allowed_hosts))
    assert caught.value.permanent is False
    assert str(caught.value) == "deadline exceeded"
    assert time.monotonic() - started < 0.9


def test_nothing_listening_is_temporary():
    body, headers = request_for()
    with pytest.raises(DeliveryError) as caught:
        post_webhook(f"http://127.0.0.1:{free_port()}/hook", body, headers, SECRET, LOCAL)
    assert caught.value.permanent is False


@pytest.mark.parametrize("url", ["ftp://example.org/hook", "file:///etc/passwd", "example.org/hook",
                                 "http:///nohost", "https://user:pw@example.org/hook", ""])
def test_non_http_urls_are_refused(url):
    with pytest.raises(ValueError):
        validate_webhook_url(url)
    with pytest.raises(DeliveryError) as caught:
        post_webhook(url, b"{}", {}, SECRET)
    assert caught.value.permanent is True


@pytest.mark.parametrize(
    "args",
    [
        ("Registration Created", {}, "d-1", NOW),
        ("registration.created", {}, "d 1", NOW),
        ("registration.created", {}, "", NOW),
        ("registration.created", {}, "d-1", datetime(2025, 3, 1)),  # noqa: DTZ001
        ("registration.created", {"when": datetime(2025, 3, 1)}, "d-1", NOW),  # noqa: DTZ001
        ("registration.created", {"x": float("nan")}, "d-1", NOW),
        ("registration.created", {"x": object()}, "d-1", NOW),
    ],
)
def test_bad_events_are_refused(args):
    with pytest.raises(ValueError):
        build_webhook_request(*args)
