"""The outbox: rows written with the change, delivered to a real SMTP server, retried, never doubled."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser

import pytest
import sqlalchemy as sa
from support.api import register
from support.factories import make_meeting
from support.http_server import recording_http_server
from support.identity import verify as verify_address
from support.mail import composed, deliver
from support.smtp_server import SmtpServer

from meetings.core import db as dbmod
from meetings.outbox.delivery import Outcomes, claim_due, requeue
from meetings.outbox.enqueue import enqueue_webhook_event
from meetings.outbox.models import OutboxMessage, Webhook
from meetings.outbox.test_email import queue_test_email
from meetings.outbox.transports import Transports
from meetings.sessions.messages import sweep_reminders
from notifications.smtp import SmtpSettings
from notifications.webhooks import WebhookLimits, verify

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def _transports(port: int) -> Transports:
    return Transports(mail_from="ACSG Dialogue Platform <dialogue@acsg.example.org>",
                      smtp=SmtpSettings("127.0.0.1", port, timeout=5), mail_folder=None,
                      webhook_limits=WebhookLimits(allowed_hosts=frozenset({"127.0.0.1"})))


def _rows(db, **filters):
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in filters.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return db.scalars(query).all()


def test_registration_writes_its_email_in_the_same_transaction(client, db, meeting):
    assert register(client, meeting, liaison_email="mission@un.example.org").status_code == 201
    (link,) = _rows(db, channel="email")  # unverified: only the one-time link, nobody else is mailed
    assert link.topic == "registration.verify" and link.to_addresses == ["ana@example.org"]
    assert link.composer == "registration.sign_in" and link.body_text == "" and link.calendar is None
    message = composed(db, link)
    assert "secret-" not in message.email.text and message.calendar is None and "/sign-in/" in message.email.text
    verify_address(client, db, "ana@example.org")
    (_link, email, liaison) = _rows(db, channel="email")
    assert email.topic == "registration.verified" and email.to_addresses == ["ana@example.org"]
    assert email.calendar_method == "REQUEST" and email.ical_uid == meeting.sessions[0].ical_uid
    invite = composed(db, email)
    assert invite.calendar.method == "REQUEST" and b"METHOD:REQUEST" in invite.calendar.data
    assert "secret-2027-1-A" in invite.email.text  # join link for the confirmed participant
    copy = composed(db, liaison).email.text
    assert liaison.to_addresses == ["mission@un.example.org"] and "secret-" not in copy and "/manage/" not in copy


def test_refused_registration_writes_nothing(client, db, meeting):
    assert register(client, meeting, timezone="Not/AZone").status_code == 422
    assert _rows(db) == []


def test_the_same_event_never_produces_two_rows(client, db, meeting):
    token = register(client, meeting).json["token"]
    client.patch(f"/api/v1/registrations/{token}", json={"language": "es"})  # same data again: no new message
    verify_address(client, db, "ana@example.org")
    assert [r.topic for r in _rows(db)] == ["registration.verify", "registration.verified"]


def test_waitlist_promotion_and_cancellation_are_notified(client, db):
    meeting = make_meeting(db, capacity=1)
    register(client, meeting, email="first@example.org")
    first = verify_address(client, db, "first@example.org")
    register(client, meeting, email="second@example.org")
    verify_address(client, db, "second@example.org")
    client.delete(f"/api/v1/registrations/{first}")
    topics = [(r.to_addresses[0], r.topic, r.calendar_method) for r in _rows(db)]
    assert topics == [
        ("first@example.org", "registration.verify", None),
        ("first@example.org", "registration.verified", "REQUEST"),
        ("second@example.org", "registration.verify", None),
        ("second@example.org", "registration.verified", None),  # waitlisted: nothing for a calendar yet
        ("first@example.org", "registration.cancelled", "CANCEL"),
        ("second@example.org", "registration.promoted", "REQUEST"),
    ]


def test_a_move_is_one_email_inviting_to_b_with_the_cancellation_of_a(client, db, meeting):
    register(client, meeting)
    token = verify_address(client, db, "ana@example.org")
    client.patch(f"/api/v1/registrations/{token}", json={"session_id": meeting.sessions[1].id})
    (moved,) = [r for r in _rows(db) if r.topic.startswith("registration.mov")]
    assert moved.topic == "registration.moved" and moved.calendar_method == "REQUEST"
    message = composed(db, moved)
    assert message.calendar.method == "REQUEST" and message.calendar.uid == meeting.sessions[1].ical_uid
    (cancel,) = message.more_calendars
    assert cancel.method == "CANCEL" and cancel.uid == meeting.sessions[0].ical_uid
    assert b"STATUS:CANCELLED" in cancel.data and b"STATUS:CANCELLED" not in message.calendar.data
    assert not [r for r in _rows(db) if r.topic == "registration.left_session"]


@pytest.mark.parametrize("language", ["fr", "es"])
def test_delivered_email_has_the_promised_structure(client, db, meeting, language):
    register(client, meeting, language=language)
    verify_address(client, db, "ana@example.org")
    db.commit()
    with SmtpServer() as server:
        app = client.application
        report = deliver(app, lambda: dbmod.new_session(app), _transports(server.port), lambda: NOW)
        assert (report.sent, report.superseded) == (1, 1), report  # the link was used before it could go
        (received,) = server.messages
    message = BytesParser(policy=policy.default).parsebytes(received.data)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, calendar = alternative.get_payload()
    assert (plain.get_content_type(), html.get_content_type(), calendar.get_content_type()) == (
        "text/plain", "text/html", "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset().lower() == "utf-8"
    assert "METHOD:REQUEST" in calendar.get_content()
    assert attachment.get_filename() == "invite.ics"
    expected = {"fr": ("Adresse confirmée", "Votre heure"), "es": ("Dirección confirmada", "Su hora")}
    assert expected[language][0] in message["Subject"]
    assert expected[language][1] in plain.get_content()
    assert "07:00–10:00 UTC" in plain.get_content()
    assert message["Message-ID"].endswith("@acsg.example.org>")
    assert [(r.topic, r.status) for r in _rows(db)] == [("registration.verify", "superseded"),
                                                        ("registration.verified", "sent")]
    sent = _rows(db, status="sent")[0]
    assert sent.subject == message["Subject"] and sent.ical_sequence is not None  # what went out is recorded


def test_server_down_then_up_delivers_each_message_exactly_once(app, db):
    for index in range(50):
        queue_test_email(db, f"p{index}@example.org", "en", NOW, key=f"bulk:{index}")
    db.commit()
    with SmtpServer() as server:
        port = server.port
    # Nothing listens on the port now: every row waits with a back-off.
    down = deliver(app, lambda: dbmod.new_session(app), _transports(port), lambda: NOW)
    assert (down.sent, down.retrying) == (0, 50)
    assert not [t for t in threading.enumerate() if t.name == "outbox-smtp"]  # the sender thread is gone
    assert all(r.next_attempt_at > NOW and r.attempts == 1 for r in _rows(db))
    assert deliver(app, lambda: dbmod.new_session(app), _transports(port), lambda: NOW).claimed == 0  # not due
    server = SmtpServer(port=port)
    server.start()
    try:
        later = NOW + timedelta(hours=2)
        up = deliver(app, lambda: dbmod.new_session(app), _transports(port), lambda: later)
        assert up.sent == 50
        assert not [t for t in threading.enumerate() if t.name == "outbox-smtp"]
        ids = server.message_ids()
    finally:
        server.stop()
    assert len(ids) == len(set(ids)) == 50
    db.expire_all()
    assert {r.status for r in _rows(db)} == {"sent"}


def test_permanent_failure_stays_visible_and_can_be_requeued(app, db):
    queue_test_email(db, "nobody@example.org", "en", NOW, key="refused")
    db.commit()
    with SmtpServer() as server:
        server.reject_rcpt = "550 5.1.1 No such user"
        report = deliver(app, lambda: dbmod.new_session(app), _transports(server.port), lambda: NOW)
    assert report.failed == 1
    (row,) = _rows(db)
    db.refresh(row)
    assert row.status == "failed" and "550" in row.last_error
    assert requeue(db, NOW) == 1
    db.commit()
    db.refresh(row)
    assert row.status == "pending" and row.attempts == 0


def test_a_dead_workers_rows_are_claimed_again_after_the_lease(app, db):
    queue_test_email(db, "a@example.org", "en", NOW, key="leased")
    db.commit()
    with dbmod.new_session(app) as worker_a:
        _token, ids = claim_due(worker_a, NOW, 10, lease=timedelta(minutes=5))
    assert len(ids) == 1  # worker A dies here without sending
    with SmtpServer() as server:
        def factory():
            return dbmod.new_session(app)

        early = deliver(app, factory, _transports(server.port), lambda: NOW + timedelta(minutes=1))
        assert early.claimed == 0
        late = deliver(app, factory, _transports(server.port), lambda: NOW + timedelta(minutes=6))
        assert late.sent == 1 and len(server.messages) == 1


def test_reminders_are_swept_once_and_follow_the_session(app_context, client, db, meeting):
    register(client, meeting, email="confirmed@example.org")
    verify_address(client, None, "confirmed@example.org")
    register(client, meeting, email="unverified@example.org")
    cancelled = register(client, meeting, email="cancelled@example.org").json["token"]
    client.delete(f"/api/v1/registrations/{cancelled}")
    start = meeting.sessions[0].starts_at
    one_day_before = start - timedelta(days=1)
    assert sweep_reminders(db, one_day_before) == 1
    assert sweep_reminders(db, one_day_before + timedelta(minutes=5)) == 0  # idempotent
    reminders = _rows(db, topic="registration.reminder")
    assert [r.to_addresses for r in reminders] == [["confirmed@example.org"]]
    assert sweep_reminders(db, start - timedelta(days=3)) == 0  # nothing due then
    # The session moves: the reminders follow its new time.
    session_a = meeting.sessions[0]
    session_a.starts_at = start + timedelta(days=2)
    session_a.ical_sequence += 1
    db.flush()
    assert sweep_reminders(db, one_day_before) == 0
    assert sweep_reminders(db, session_a.starts_at - timedelta(hours=1)) == 1


def test_webhooks_are_signed_and_delivered_through_the_outbox(client, db, meeting):
    with recording_http_server() as server:
        db.add(Webhook(url=f"{server.url}/hook", secret="s3cret",
                       events=["registration.created", "registration.cancelled"]))
        db.commit()
        token = register(client, meeting).json["token"]
        client.delete(f"/api/v1/registrations/{token}")
        db.commit()
        with SmtpServer() as smtp:
            app = client.application
            report = deliver(app, lambda: dbmod.new_session(app), _transports(smtp.port), lambda: NOW)
        assert report.failed == 0
    received = [(headers, body) for _path, headers, body in server.requests]
    events = [json.loads(body) for _headers, body in received]
    assert [e["type"] for e in events] == ["registration.created", "registration.cancelled"]
    for headers, body in received:
        assert verify(body, "s3cret", headers["x-acsg-signature"])
        assert not verify(body + b" ", "s3cret", headers["x-acsg-signature"])
    assert "ana@example.org" not in received[0][1].decode()
    assert token not in received[0][1].decode()


def test_two_workers_in_parallel_deliver_500_messages_once(live_app, committed, backend):
    if backend != "postgresql":
        pytest.skip("SKIP LOCKED concurrency is a PostgreSQL property")
    with dbmod.new_session(live_app) as db:
        for index in range(500):
            queue_test_email(db, f"p{index}@example.org", "en", NOW, key=f"parallel:{index}")
        db.commit()
    try:
        with SmtpServer() as server:
            def worker(_):
                return deliver(live_app, lambda: dbmod.new_session(live_app), _transports(server.port), lambda: NOW,
                                   batch_size=25)
            with ThreadPoolExecutor(max_workers=2) as pool:
                reports = list(pool.map(worker, range(2)))
            ids = server.message_ids()
        assert sum(r.sent for r in reports) == 500
        assert all(r.sent > 0 for r in reports), [r.sent for r in reports]
        assert len(ids) == len(set(ids)) == 500
    finally:
        with dbmod.new_session(live_app) as db:
            db.execute(sa.delete(OutboxMessage))
            db.commit()


def test_outcomes_are_written_in_groups_and_only_on_rows_still_claimed(app, db):
    for n in range(3):
        queue_test_email(db, f"g{n}@example.org", "en", NOW, key=f"group:{n}")
    db.commit()
    with dbmod.new_session(app) as worker:
        token, ids = claim_due(worker, NOW, 10)
    first, second, taken = ids
    db.execute(sa.update(OutboxMessage).where(OutboxMessage.id == taken).values(claim_token="another worker"))
    db.commit()
    outcomes = Outcomes(lambda: dbmod.new_session(app), token, every=3, seconds=3600)
    outcomes.add(first, {"status": "sent", "sent_at": NOW, "attempts": 1, "lease_until": None, "subject": "Hi"})
    outcomes.add(second, {"status": "failed", "attempts": 1, "lease_until": None, "last_error": "550 no such user"})

    def statuses():
        db.expire_all()
        return {row.id: (row.status, row.subject, row.last_error) for row in db.scalars(sa.select(OutboxMessage))}

    assert {status for status, _, _ in statuses().values()} == {"sending"}  # nothing written before the group is full
    outcomes.add(taken, {"status": "sent", "sent_at": NOW, "attempts": 1, "lease_until": None, "subject": "Lost"})
    after = statuses()
    assert after[first] == ("sent", "Hi", "") and after[second] == ("failed", after[second][1], "550 no such user")
    assert after[taken][0] == "sending" and after[taken][1] != "Lost"  # another worker holds it: left alone
    assert outcomes.waiting == []


def test_a_key_is_queued_once_in_a_transaction_and_after_a_commit(app, db):
    first = queue_test_email(db, "a@example.org", "fr", NOW, key="once")
    assert first is not None and first.id is not None and first in db  # the new row, in the session
    assert (first.status, first.attempts, first.channel, first.language) == ("pending", 0, "email", "fr")
    assert queue_test_email(db, "b@example.org", "en", NOW, key="once") is None
    db.commit()
    assert queue_test_email(db, "c@example.org", "en", NOW, key="once") is None
    db.commit()  # a refused duplicate leaves the transaction usable
    assert db.scalars(sa.select(OutboxMessage.to_addresses)).all() == [["a@example.org"]]


def test_a_key_queued_by_a_transaction_not_yet_committed_is_not_queued_again(live_app, committed, backend):
    if backend != "postgresql":
        pytest.skip("SQLite serializes writers with BEGIN IMMEDIATE: the second one starts after the first commits")
    try:
        with dbmod.new_session(live_app) as first, dbmod.new_session(live_app) as second:
            assert queue_test_email(first, "a@example.org", "en", NOW, key="race") is not None
            with ThreadPoolExecutor(max_workers=1) as pool:
                waiting = pool.submit(queue_test_email, second, "b@example.org", "en", NOW, key="race")
                threading.Event().wait(0.3)
                assert not waiting.done()  # the database makes it wait for the first transaction
                first.commit()
                assert waiting.result(timeout=10) is None
            assert queue_test_email(second, "c@example.org", "en", NOW, key="other") is not None
            second.commit()  # still usable after the refused duplicate
        with dbmod.new_session(live_app) as db:
            rows = db.execute(sa.select(OutboxMessage.key, OutboxMessage.to_addresses).order_by(OutboxMessage.key))
            assert rows.all() == [("other", ["c@example.org"]), ("race", ["a@example.org"])]
    finally:
        with dbmod.new_session(live_app) as db:
            db.execute(sa.delete(OutboxMessage))
            db.commit()


def test_an_event_is_queued_once_for_each_active_webhook_subscribed_to_it(app, db):
    hooks = [Webhook(url=f"https://partner.example.org/{name}", secret="s" * 32, events=events, active=active,
                     created_at=NOW)
             for name, events, active in (("both", ["registration.created", "registration.cancelled"], True),
                                          ("other", ["registration.cancelled"], True),
                                          ("off", ["registration.created"], False),
                                          ("none", [], True),
                                          ("created", ["registration.created"], True))]
    db.add_all(hooks)
    db.flush()
    rows = enqueue_webhook_event(db, event_type="registration.created", event_id="e-7", payload={"n": 1}, now=NOW)
    assert [row.webhook_id for row in rows] == [hooks[0].id, hooks[4].id]
    assert [row.key for row in rows] == [f"webhook:{hooks[0].id}:e-7", f"webhook:{hooks[4].id}:e-7"]
    assert enqueue_webhook_event(db, event_type="registration.created", event_id="e-7", payload={}, now=NOW) == []
    db.commit()
    stored = db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(row.channel, row.topic, row.status, row.attempts, row.next_attempt_at) for row in stored] == [
        ("webhook", "registration.created", "pending", 0, NOW)] * 2
    assert stored[0].payload == {"type": "registration.created", "id": "e-7", "data": {"n": 1}}
