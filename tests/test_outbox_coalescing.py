"""When a newer message about the same registration and calendar object waits, only the newest is sent."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from support.api import registration_payload
from support.identity import register_verified
from support.mail import deliver
from support.smtp_server import SmtpServer

from meetings.core import db as dbmod
from meetings.core.db import utcnow
from meetings.core.tasks import run_tasks
from meetings.jobs.definitions import TASK_STEPS
from meetings.outbox.models import OutboxMessage
from meetings.outbox.transports import Transports
from meetings.sessions.operations import reschedule_session
from notifications.smtp import SmtpSettings


def _deliver(app):
    with SmtpServer() as smtp:
        transports = Transports(mail_from="dialogue@acsg.example.org", smtp=SmtpSettings("127.0.0.1", smtp.port),
                                mail_folder=None)
        report = deliver(app, lambda: dbmod.new_session(app), transports, utcnow, channel="email")
        received = defaultdict(list)
        for message in smtp.messages:
            parsed, calendars = message.parsed(), []
            for part in parsed.walk():
                if part.get_content_type() == "text/calendar":
                    ics = part.get_content() if isinstance(part.get_content(), str) else part.get_content().decode()
                    uid = re.search(r"^UID:(.+?)\r?$", ics, re.M).group(1)
                    sequence = int(re.search(r"^SEQUENCE:(\d+)", ics, re.M).group(1))
                    calendars.append((uid, sequence, part.get_param("method")))
            received[message.rcpt_tos[0]].extend(calendars or [(None, None, None)])
    return report, received


def test_only_the_newest_invite_goes_and_its_sequence_is_the_highest(app_context, client, db, meeting):
    for n in range(2):
        register_verified(client, meeting.id, registration_payload(meeting.sessions[0].id, f"c{n}@example.org"))
    session = meeting.sessions[0]
    for _move in range(2):
        reschedule_session(db, session, session.starts_at + timedelta(hours=1), 180, None, utcnow())
        db.commit()
        run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow)
    queued = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
    assert len(queued) == 8  # per person: the one-time link, the invite once verified, two updates; unsent
    report, received = _deliver(app_context)
    # Each person's newest update only: the invite and the first update are replaced by it, and the
    # one-time link was used (verified) before delivery ran, so it is dropped too.
    assert (report.sent, report.superseded) == (2, 6)
    for address in ("c0@example.org", "c1@example.org"):
        assert received[address] == [(session.ical_uid, 3, "REQUEST")]
    db.expire_all()
    rows = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email")
                      .order_by(OutboxMessage.id)).all()
    replaced = [r for r in rows if r.status == "superseded" and r.ical_uid]
    # The first updates are replaced by the second ones while both wait; the "address confirmed" e-mails
    # (which carry the join link, so always go) are composed from the current state, SEQUENCE 3, so the
    # second updates have nothing new to say when their turn comes.
    assert sorted((r.topic, r.ical_sequence, r.last_error.split("#")[0]) for r in replaced) == [
        ("registration.session_changed", 2, "replaced by "), ("registration.session_changed", 2, "replaced by "),
        ("registration.session_changed", 3, "already announced"),
        ("registration.session_changed", 3, "already announced")]
    assert all(r.secrets is None and not r.body_text for r in rows)
    assert [(r.topic, r.ical_sequence) for r in rows if r.status == "sent"] == [("registration.verified", 3)] * 2


def test_a_cancellation_of_the_left_session_is_never_lost(app_context, client, db, meeting):
    token = register_verified(client, meeting.id,
                              registration_payload(meeting.sessions[0].id, "mover@example.org"))["token"]
    assert client.patch(f"/api/v1/registrations/{token}",
                        json={"session_id": meeting.sessions[1].id}).status_code == 200
    report, received = _deliver(app_context)
    a, b = meeting.sessions[0].ical_uid, meeting.sessions[1].ical_uid
    calendars = received["mover@example.org"]
    # One e-mail: the invitation to B inline (and as invite.ics), the cancellation of A attached. The
    # invite to A, still unsent, is dropped (the move tells the current state); the used link too.
    assert (report.sent, report.superseded) == (1, 2)
    assert (a, 1, "REQUEST") not in calendars
    assert {(uid, method) for uid, _sequence, method in calendars if uid} == {(a, "CANCEL"), (b, "REQUEST")}


def test_sent_messages_are_not_coalesced_again(app_context, client, db, meeting):
    register_verified(client, meeting.id, registration_payload(meeting.sessions[0].id, "early@example.org"))
    first, received = _deliver(app_context)
    assert first.sent == 1 and first.superseded == 1  # the invite; the one-time link was used before it went
    session = meeting.sessions[0]
    reschedule_session(db, session, session.starts_at + timedelta(hours=3), 180, None, utcnow())
    db.commit()
    run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow)
    second, received = _deliver(app_context)
    assert second.sent == 1 and second.superseded == 0
    assert received["early@example.org"] == [(session.ical_uid, 2, "REQUEST")]
