"""Moving or cancelling a session tells every registrant, with calendar updates and new reminders."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from support.factories import make_meeting
from support.identity import registered_verified
from support.mail import calendar_of

from meetings.core import db as dbmod
from meetings.core.audit import AuditEntry
from meetings.core.db import utcnow
from meetings.core.tasks import run_tasks
from meetings.jobs.definitions import TASK_STEPS
from meetings.outbox.models import OutboxMessage
from meetings.sessions.messages import sweep_reminders
from meetings.sessions.operations import cancel_meeting, cancel_session, reschedule_session


def _fill(client, meeting, people: int):
    return [registered_verified(client, meeting, f"p{i}@example.org") for i in range(people)]


def _messages(db, topic):
    return db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)).all()


def _run_tasks(db) -> None:
    """What the scheduler process does after the request: carry the fan-out to its end."""
    db.commit()
    app = current_app._get_current_object()
    run_tasks(lambda: dbmod.new_session(app), TASK_STEPS, utcnow)


def _sequence(calendar: str) -> int:
    return int(re.search(r"^SEQUENCE:(\d+)", calendar, re.M).group(1))


def test_moving_a_session_sends_one_update_per_participant_and_moves_reminders(app_context, client, db):
    meeting = make_meeting(db, capacity=3)
    people = _fill(client, meeting, 5)  # 3 confirmed, 2 waitlisted
    client.delete(f"/api/v1/registrations/{people[4]['token']}")  # a cancelled one hears nothing more
    session_a = meeting.sessions[0]
    first_invites = {m.to_addresses[0]: _sequence(calendar_of(db, m))
                     for m in _messages(db, "registration.verified") if m.calendar_method}
    new_start = session_a.starts_at + timedelta(hours=2)
    assert reschedule_session(db, session_a, new_start, 120, None, utcnow())
    assert _messages(db, "registration.session_changed") == []  # the request only records the decision
    _run_tasks(db)
    updates = _messages(db, "registration.session_changed")
    assert sorted(m.to_addresses[0] for m in updates) == ["p0@example.org", "p1@example.org", "p2@example.org",
                                                          "p3@example.org"]
    for message in updates:
        if message.to_addresses[0] == "p3@example.org":  # waitlisted: told, but nothing for the calendar
            assert message.calendar_method is None and calendar_of(db, message) is None
            continue
        assert message.calendar_method == "REQUEST"
        invite = calendar_of(db, message)
        assert "DTSTART:20270317T090000Z" in invite and "DTEND:20270317T110000Z" in invite
        assert _sequence(invite) > first_invites[message.to_addresses[0]] and _sequence(invite) == message.ical_sequence
    assert db.scalar(sa.select(AuditEntry.action)) == "session.rescheduled"
    assert not reschedule_session(db, session_a, new_start, 120, None, utcnow())  # no change, no message
    _run_tasks(db)
    assert len(_messages(db, "registration.session_changed")) == 4
    assert sweep_reminders(db, new_start - timedelta(hours=1)) == 3


def test_cancelling_a_session_sends_cancellations(app_context, client, db):
    meeting = make_meeting(db, capacity=10)
    _fill(client, meeting, 2)
    assert cancel_session(db, meeting.sessions[0], None, utcnow())
    _run_tasks(db)
    cancellations = _messages(db, "registration.session_cancelled")
    assert len(cancellations) == 2
    assert all(m.calendar_method == "CANCEL" and "STATUS:CANCELLED" in calendar_of(db, m) for m in cancellations)
    assert sweep_reminders(db, meeting.sessions[0].starts_at - timedelta(hours=1)) == 0


def test_cancelling_a_meeting_cancels_both_sessions(app_context, client, db):
    meeting = make_meeting(db, capacity=10)
    _fill(client, meeting, 1)
    cancel_meeting(db, meeting, None, utcnow())
    _run_tasks(db)
    assert {s.status for s in meeting.sessions} == {"cancelled"}
    assert len(_messages(db, "registration.session_cancelled")) == 1
