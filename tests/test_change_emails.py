"""E-mails after a change say what changed (old time -> new time); the e-mail that removes the session
left behind describes that session, not the new one."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from support.api import registration_payload
from support.factories import make_meeting
from support.identity import register_verified
from support.mail import composed, html_of, text_of

from meetings.core import db as dbmod
from meetings.core.db import utcnow
from meetings.core.tasks import run_tasks
from meetings.jobs.definitions import TASK_STEPS
from meetings.outbox.models import OutboxMessage
from meetings.sessions.operations import reschedule_session


def _messages(db, topic):
    return db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)).all()


def test_session_moved_by_the_secretariat_says_old_and_new_time(app_context, client, db):
    meeting = make_meeting(db)  # A 07:00-10:00 UTC on 17 March 2027
    register_verified(client, meeting.id, registration_payload(meeting.sessions[0].id, "ana@example.org",
                                                               language="en", timezone="America/Mexico_City"))
    session = meeting.sessions[0]
    assert reschedule_session(db, session, session.starts_at + timedelta(hours=2, minutes=30), 180, None, utcnow())
    db.commit()  # the scheduler's background task writes the e-mails, with the time before the move
    run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow)
    (update,) = _messages(db, "registration.session_changed")
    text = text_of(db, update)
    # Mexico City is UTC-6 in March 2027: 01:00 before, 03:30 now.
    zone = "America/Mexico_City"
    assert f"Old time: Wednesday, March 17, 2027, 01:00–04:00 ({zone}), Mar 17, 2027, 07:00–10:00 UTC" in text
    assert f"New time: Wednesday, March 17, 2027, 03:30–06:30 ({zone}), Mar 17, 2027, 09:30–12:30 UTC" in text
    assert "<s>Old time:" in html_of(db, update) and "<strong>New time:" in html_of(db, update)


def test_moving_from_a_to_b_is_one_email_with_the_right_session_in_each_part(app_context, client, db):
    meeting = make_meeting(db)  # A 07:00 UTC, B 15:00 UTC
    created = register_verified(client, meeting.id, registration_payload(
        meeting.sessions[0].id, "ana@example.org", language="fr", timezone="UTC"))
    assert client.patch(f"/api/v1/registrations/{created['token']}",
                        json={"session_id": meeting.sessions[1].id}).status_code == 200
    (moved,) = [m for m in _messages(db, "registration.moved")]
    assert _messages(db, "registration.left_session") == []  # one e-mail per move
    message = composed(db, moved)
    text = message.email.text
    assert "de la session A à la session B" in message.email.subject
    assert "Ancienne heure" in text and "07:00–10:00 UTC" in text and "15:00–18:00 UTC" in text
    # The invitation is for session B (its time, its join link); the attached cancellation for session A.
    invite, (cancel,) = message.calendar.data.decode(), message.more_calendars
    assert message.calendar.method == "REQUEST" and "T150000Z" in invite and "secret-2027-1-B" in invite
    assert cancel.method == "CANCEL" and "T070000Z" in cancel.data.decode()
    assert "secret-" not in cancel.data.decode() and "T150000Z" not in cancel.data.decode()
