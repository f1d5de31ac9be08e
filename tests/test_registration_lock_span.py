"""A session's seat lock covers the seat only (PostgreSQL, real connections and commits).

Registrations of one session are serialized by the lock on its row, so whatever a registration does
while holding it, every other registrant of that session waits for. The lock mode (``FOR NO KEY
UPDATE``) lets rows that merely point at the session be written meanwhile, and a new address writes its
registration row and its verification link before it asks for the lock.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.api import post_registration, registration_payload
from support.factories import make_meeting, make_organization

from meetings.core import db as dbmod
from meetings.models import MeetingSession, Registration
from meetings.registrations.operations import lock_sessions


@pytest.fixture
def seat_holder(live_app, committed, backend):
    """A committed meeting, and a second connection holding session A's seat lock (as a registration would)."""
    if backend != "postgresql":
        pytest.skip("row lock modes are PostgreSQL's; SQLite serializes writers with BEGIN IMMEDIATE")
    with dbmod.new_session(live_app) as db:
        meeting = make_meeting(db, edition="2031-7", capacity=5)
        ids = meeting.id, meeting.sessions[0].id
    holder = dbmod.new_session(live_app)
    lock_sessions(holder, {ids[1]})
    yield ids, holder
    holder.rollback()
    holder.close()


def _backend_waiting_for_a_lock(holder, timeout: float = 10) -> int:
    """The pid of the other backend of this database that waits for a row lock (until ``timeout``)."""
    deadline = time.monotonic() + timeout
    with holder.get_bind().connect() as conn:
        while time.monotonic() < deadline:
            pid = conn.execute(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()")).scalar()
            if pid is not None:
                return pid
            conn.rollback()
            time.sleep(0.02)
    raise AssertionError("no registration waited for the seat lock")


def _post_while_the_seat_is_held(live_app, seat_holder, email: str, while_waiting=None):
    """POST a registration of ``email`` for the held session; once it waits for the session's lock, call
    ``while_waiting(pid)`` (the waiting backend), then commit the holder's transaction; return the answer."""
    (meeting_id, session_id), holder = seat_holder
    answers = []
    thread = threading.Thread(target=lambda: answers.append(
        post_registration(live_app.test_client(), meeting_id, session_id, email)))
    thread.start()
    try:
        pid = _backend_waiting_for_a_lock(holder)
        if while_waiting is not None:
            while_waiting(pid)
    finally:
        holder.commit()
        thread.join(timeout=30)
    return answers[0]


def _query_of(holder, pid: int) -> str:
    with holder.get_bind().connect() as conn:
        return conn.execute(sa.text("SELECT query FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar()


def _register_while_the_holder_changes_the_session(live_app, seat_holder, change):
    """POST a registration for the held session; ``change`` the session in the holder's transaction, commit it
    while the registration waits for the lock; return the answer."""
    (_meeting_id, session_id), holder = seat_holder
    change(holder.get(MeetingSession, session_id))
    holder.flush()
    return _post_while_the_seat_is_held(live_app, seat_holder, "waiting@example.org")


def test_a_seat_holder_does_not_block_rows_that_point_at_its_session(live_app, seat_holder):
    (_meeting_id, session_id), _holder = seat_holder
    with dbmod.new_session(live_app) as db:
        db.execute(sa.text("SET LOCAL lock_timeout = '2s'"))  # the old FOR UPDATE made this insert wait
        meeting = db.get(MeetingSession, session_id).meeting
        db.add(Registration(meeting=meeting, session_id=session_id, organization=make_organization(db),
                            name="Pointing", email="p@example.org",
                            email_key="p@example.org", language="en", timezone="UTC", status="cancelled",
                            consent_given_at=dbmod.utcnow(), created_at=dbmod.utcnow(), updated_at=dbmod.utcnow()))
        db.flush()  # checks the foreign key (KEY SHARE on the session row) without waiting
        db.rollback()


def test_a_new_address_writes_its_registration_and_link_before_it_waits_for_the_seat(live_app, seat_holder):
    holder = seat_holder[1]

    def check(pid):
        with holder.get_bind().connect() as conn:
            written = set(conn.execute(sa.text(
                "SELECT relation::regclass::text FROM pg_locks WHERE pid = :pid AND granted "
                "AND mode = 'RowExclusiveLock' AND locktype = 'relation'"), {"pid": pid}).scalars())
        waiting_for = _query_of(holder, pid)
        assert "FROM sessions" in waiting_for and "FOR NO KEY UPDATE" in waiting_for, waiting_for
        assert {"registrations", "registration_sign_ins", "outbox"} <= written, written

    answer = _post_while_the_seat_is_held(live_app, seat_holder, "waits@example.org", check)
    assert answer.status_code == 201 and answer.json["status"] == "confirmed", answer.json


def test_an_address_committed_meanwhile_by_another_registration_is_a_localized_409_then_202(live_app, seat_holder):
    (meeting_id, session_id), holder = seat_holder
    holder.commit()  # no seat lock here: the other transaction holds the address's pending unique key instead
    other = dbmod.new_session(live_app)
    meeting_session = other.get(MeetingSession, session_id)
    other.add(Registration(meeting=meeting_session.meeting, session=meeting_session,
                           organization=make_organization(other), name="First", email="twice@example.org",
                           email_key="twice@example.org", language="en", timezone="UTC", status="confirmed",
                           consent_given_at=dbmod.utcnow()))
    other.flush()
    body = registration_payload(session_id, "Twice@Example.org", name="Second")
    answers = []
    thread = threading.Thread(target=lambda: answers.append(live_app.test_client().post(
        f"/api/v1/meetings/{meeting_id}/registrations", json=body, headers={"Accept-Language": "fr"})))
    thread.start()
    try:
        _backend_waiting_for_a_lock(holder)  # its insert waits for the other transaction's address
    finally:
        other.commit()
        other.close()
        thread.join(timeout=30)
    refused = answers[0]
    assert refused.status_code == 409 and refused.json["error"]["code"] == "registration_in_progress", refused.json
    assert "au même moment" in refused.json["error"]["message"]
    with dbmod.new_session(live_app) as db:
        rows = db.scalars(sa.select(Registration).where(Registration.meeting_id == meeting_id)).all()
        assert [r.name for r in rows] == ["First"]  # nothing of the refused registration was kept
    again = post_registration(live_app.test_client(), meeting_id, session_id, "twice@example.org")
    assert again.status_code == 202


def test_seats_taken_by_the_holder_of_the_lock_are_counted_once_it_is_granted(live_app, seat_holder):
    """The seat is counted and taken in one statement, after the statement that waited for the lock.

    A statement sees what was committed when it started: seats committed while a registration waited for
    the session's lock are counted only by a statement that starts once the lock is granted.
    """
    (meeting_id, session_id), holder = seat_holder
    meeting_session = holder.get(MeetingSession, session_id)
    organization = make_organization(holder)  # written under the seat lock here only: nobody else creates it
    for index in range(meeting_session.capacity):  # the holder takes every seat, then commits
        holder.add(Registration(meeting=meeting_session.meeting, session=meeting_session, organization=organization,
                                name=f"Holder {index}", email=f"holder{index}@example.org",
                                email_key=f"holder{index}@example.org", language="en", timezone="UTC",
                                status="confirmed", consent_given_at=dbmod.utcnow()))
    holder.flush()

    def check(pid):
        waiting_for = _query_of(holder, pid)
        assert "FROM sessions" in waiting_for and "FOR NO KEY UPDATE" in waiting_for, waiting_for

    answer = _post_while_the_seat_is_held(live_app, seat_holder, "late@example.org", check)
    assert answer.status_code == 201, answer.json
    assert (answer.json["status"], answer.json["waitlist_position"]) == ("waitlisted", 1), answer.json
    with dbmod.new_session(live_app) as db:
        confirmed = db.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.session_id == session_id, Registration.status == "confirmed"))
        assert confirmed == meeting_session.capacity


def test_a_session_cancelled_while_a_new_address_waited_for_its_lock_refuses_it(live_app, seat_holder):
    answer = _register_while_the_holder_changes_the_session(
        live_app, seat_holder, lambda meeting_session: setattr(meeting_session, "status", "cancelled"))
    assert answer.status_code == 409 and answer.json["error"]["code"] == "session_cancelled", answer.json
    with dbmod.new_session(live_app) as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_a_new_address_answers_with_the_session_as_its_lock_holder_left_it(live_app, seat_holder):
    def move_and_shrink(meeting_session):
        meeting_session.starts_at += timedelta(hours=2)
        meeting_session.ical_sequence += 1
        meeting_session.capacity = 0

    answer = _register_while_the_holder_changes_the_session(live_app, seat_holder, move_and_shrink)
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "waitlisted", answer.json  # the capacity committed by the holder
    with dbmod.new_session(live_app) as db:
        meeting_session = db.get(MeetingSession, seat_holder[0][1])
        assert answer.json["session"]["start_utc"] == meeting_session.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
