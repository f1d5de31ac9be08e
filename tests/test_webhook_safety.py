"""Webhooks never reach internal addresses, never hang e-mail, never read much and never show a receiver's answer."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from support.logins import login_as
from support.mail import deliver
from support.pages import post_form
from support.smtp_server import SmtpServer

from meetings.core import db as dbmod
from meetings.jobs.definitions import scheduler_jobs
from meetings.outbox.admin import add_webhook
from meetings.outbox.enqueue import enqueue_webhook_event
from meetings.outbox.models import OutboxMessage, Webhook
from meetings.outbox.test_email import queue_test_email
from meetings.outbox.transports import Transports, webhook_limits_from_config
from notifications.errors import DeliveryError
from notifications.smtp import SmtpSettings
from notifications.webhooks import WebhookLimits, build_webhook_request, is_public_address, post_webhook

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
LOOPBACK = frozenset({"127.0.0.1"})
RECEIVER_SECRET_BODY = "receiver-internal-detail-7731"


class Receiver(BaseHTTPRequestHandler):
    """/ok 204; /slow drips its status line one byte a second; /huge-headers, /endless-body; /fail 500 with a body."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append((self.path, dict(self.headers)))
        try:
            if self.path == "/slow":
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(1)
            elif self.path == "/huge-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n" + b"X-Filler: " + b"x" * 200_000 + b"\r\n\r\n")
            elif self.path == "/endless-body":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
                for _ in range(10_000):
                    self.wfile.write(b"y" * 65536)
            elif self.path == "/fail":
                body = RECEIVER_SECRET_BODY.encode()
                self.wfile.write(b"HTTP/1.1 500 Oops\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            else:
                self.wfile.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up: that is the point of these tests
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def _request():
    return build_webhook_request("registration.created", {"registration_id": 1}, "d-1", NOW)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "169.254.170.2",
    "100.100.100.200", "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::",
    "fd00::1", "fe80::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
    "2002:7f00:1::1",
])
def test_internal_addresses_are_not_public(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_public(address):
    assert is_public_address(ipaddress.ip_address(address))


def test_a_receiver_on_loopback_is_refused_unless_allowed(receiver):
    body, headers = _request()
    for url in (f"{receiver.url}/ok", f"http://localhost:{receiver.server_address[1]}/ok"):
        with pytest.raises(DeliveryError) as caught:
            post_webhook(url, body, headers, "s")
        assert caught.value.permanent and str(caught.value) == "address not allowed"
    assert receiver.requests == []
    assert post_webhook(f"{receiver.url}/ok", body, headers, "s", WebhookLimits(allowed_hosts=LOOPBACK)) == 204
    assert post_webhook(f"http://localhost:{receiver.server_address[1]}/ok", body, headers, "s",
                        WebhookLimits(allowed_hosts=frozenset({"localhost"}))) == 204
    assert len(receiver.requests) == 2


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/hook",
                                 "https://192.168.0.10/hook", "http://[::1]:8080/hook", "http://[fd00:ec2::254]/",
                                 "http://0.0.0.0:9/hook", "http://[::ffff:127.0.0.1]/hook"])
def test_metadata_and_private_ranges_are_refused_when_called(url):
    body, headers = _request()
    with pytest.raises(DeliveryError) as caught:
        post_webhook(url, body, headers, "s")
    assert caught.value.permanent and str(caught.value) == "address not allowed"


def test_every_resolved_address_is_checked_and_the_checked_one_is_used(receiver):
    """A name resolving to a public and an internal address is refused; the pinned address is the one connected."""
    port = receiver.server_address[1]
    body, headers = _request()
    calls = []

    def mixed(host, port, type=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]

    with pytest.raises(DeliveryError, match="address not allowed"):
        post_webhook(f"http://partner.test:{port}/ok", body, headers, "s", resolver=mixed)

    def on_prem(host, port, type=0):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    allowed = WebhookLimits(allowed_hosts=frozenset({"hooks.intranet.test"}))
    assert post_webhook(f"http://hooks.intranet.test:{port}/ok", body, headers, "s", allowed, resolver=on_prem) == 204
    assert calls == ["hooks.intranet.test"]  # resolved once, and that answer is where the request went
    assert receiver.requests[-1][1]["Host"] == f"hooks.intranet.test:{port}"


def test_a_slow_receiver_is_cut_at_the_deadline(receiver):
    body, headers = _request()
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        post_webhook(f"{receiver.url}/slow", body, headers, "s", WebhookLimits(deadline=2, allowed_hosts=LOOPBACK))
    elapsed = time.monotonic() - started
    assert str(caught.value) == "deadline exceeded" and not caught.value.permanent
    assert 1.9 <= elapsed < 3.0


def test_responses_are_capped(receiver):
    body, headers = _request()
    limits = WebhookLimits(deadline=5, max_response_bytes=64 * 1024, allowed_hosts=LOOPBACK)
    with pytest.raises(DeliveryError, match="response too large"):
        post_webhook(f"{receiver.url}/huge-headers", body, headers, "s", limits)
    started = time.monotonic()
    assert post_webhook(f"{receiver.url}/endless-body", body, headers, "s", limits) == 200  # stops reading
    assert time.monotonic() - started < 2


def test_errors_name_a_status_never_the_receivers_body(receiver):
    body, headers = _request()
    with pytest.raises(DeliveryError) as caught:
        post_webhook(f"{receiver.url}/fail", body, headers, "s", WebhookLimits(allowed_hosts=LOOPBACK))
    assert str(caught.value) == "HTTP 500" and RECEIVER_SECRET_BODY not in repr(caught.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data/",
                                 "http://10.0.0.5/hook", "https://[::1]/hook", "http://localhost/hook"])
def test_internal_addresses_are_refused_when_registered(client, db, url):
    login_as(client, db)
    response = post_form(client, "/secretariat/webhooks", {"url": url, "events": ["registration.created"]},
                         headers={"Accept-Language": "fr"})
    assert response.status_code == 422
    assert "réseau local, privé ou réservé" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Webhook)) == 0


def test_an_allowed_internal_host_can_be_registered(app_context, db):
    hook = add_webhook(db, "http://127.0.0.1:8080/hook", ["registration.created"], None, NOW,
                       WebhookLimits(allowed_hosts=LOOPBACK))
    assert hook.id and hook.url == "http://127.0.0.1:8080/hook"


def test_webhooks_and_emails_are_separate_jobs(app):
    assert {"deliver-email", "deliver-webhooks"} <= {job.name for job in scheduler_jobs(app)}


def test_a_slow_receiver_never_holds_email_back(live_app, committed, receiver):
    """The webhook worker waits on a receiver dripping a byte a second while e-mails reach a real SMTP server."""
    with dbmod.new_session(live_app) as db:
        db.add(Webhook(url=f"{receiver.url}/slow", secret="s" * 32, events=["registration.created"], created_at=NOW))
        db.add(Webhook(url=f"{receiver.url}/fail", secret="s" * 32, events=["registration.created"], created_at=NOW))
        db.flush()
        enqueue_webhook_event(db, event_type="registration.created", event_id="slow-1", payload={"x": 1}, now=NOW)
        for n in range(5):
            queue_test_email(db, f"p{n}@example.org", "en", NOW, key=f"slow-test:{n}")
        db.commit()
    try:
        with SmtpServer() as smtp:
            transports = Transports(mail_from="dialogue@acsg.example.org", smtp=SmtpSettings("127.0.0.1", smtp.port),
                                    mail_folder=None, webhook_limits=WebhookLimits(deadline=3, allowed_hosts=LOOPBACK))
            reports = {}

            def deliver_webhooks():
                reports["webhook"] = deliver(live_app, lambda: dbmod.new_session(live_app), transports, lambda: NOW,
                                                 channel="webhook", webhook_workers=2)

            started = time.monotonic()
            worker = threading.Thread(target=deliver_webhooks)
            worker.start()
            time.sleep(0.3)
            email = deliver(live_app, lambda: dbmod.new_session(live_app), transports, lambda: NOW, channel="email")
            email_done = time.monotonic() - started
            assert worker.is_alive()  # the webhook is still waiting for its receiver
            assert email.sent == 5 and len(smtp.messages) == 5
            worker.join(10)
            webhook_done = time.monotonic() - started
        assert email_done < 2.5 and 2.9 <= webhook_done < 5
        assert reports["webhook"].sent == 0 and reports["webhook"].retrying == 2  # both temporary: retried later
        with dbmod.new_session(live_app) as db:
            errors = sorted(db.scalars(sa.select(OutboxMessage.last_error).where(OutboxMessage.channel == "webhook")))
        assert errors == ["HTTP 500", "deadline exceeded"]
    finally:
        with dbmod.new_session(live_app) as db:
            db.execute(sa.delete(OutboxMessage))
            db.execute(sa.delete(Webhook))
            db.commit()


def test_the_outbox_page_shows_a_status_never_the_answer(client, db):
    db.add(Webhook(url="https://partner.example.org/h", secret="s" * 32, events=["registration.created"],
                   created_at=NOW))
    db.flush()
    [row] = enqueue_webhook_event(db, event_type="registration.created", event_id="e-1", payload={}, now=NOW)
    row.status, row.last_error = "failed", "HTTP 500"
    db.commit()
    login_as(client, db)
    html = client.get("/secretariat/outbox").get_data(as_text=True)
    assert "HTTP 500" in html


def test_allowed_hosts_and_limits_come_from_the_settings():
    limits = webhook_limits_from_config({"WEBHOOK_ALLOWED_HOSTS": " Hooks.Intranet.example., 10.0.0.7 ,",
                                         "WEBHOOK_DEADLINE_SECONDS": "4.5", "WEBHOOK_MAX_RESPONSE_BYTES": "1024"})
    assert limits == WebhookLimits(deadline=4.5, max_response_bytes=1024,
                                   allowed_hosts=frozenset({"hooks.intranet.example", "10.0.0.7"}))
    assert limits.allows("HOOKS.intranet.example") and not limits.allows("intranet.example")
    assert webhook_limits_from_config({}).allowed_hosts == frozenset()


def test_a_resolver_that_hangs_counts_against_the_deadline():
    body, headers = _request()
    release = threading.Event()

    def hanging(host, port, type=0):
        release.wait(10)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    started = time.monotonic()
    try:
        with pytest.raises(DeliveryError, match="deadline exceeded"):
            post_webhook("https://partner.test/hook", body, headers, "s", WebhookLimits(deadline=0.5),
                         resolver=hanging)
        assert time.monotonic() - started < 1.5
    finally:
        release.set()
