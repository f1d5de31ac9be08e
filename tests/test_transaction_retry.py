"""A transaction the database aborts for a lock conflict runs again, and after three tries answers 409.

PostgreSQL: a real deadlock with a second connection. SQLite: a second connection holding the file's
write lock, with the application waiting 50 ms instead of 30 s for it.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from support.api import registration_payload
from support.factories import make_meeting

from meetings import create_app
from meetings.core import db as dbmod
from meetings.core.errors import Conflict
from meetings.core.transactions import ATTEMPTS, commit_with_retry
from meetings.models import MeetingSession


def _deadlocking_work(live_app, first_id: int, second_id: int, deadlocks: int, attempts: list[int],
                     threads: list[threading.Thread]):
    """Work that locks two session rows while another connection takes them in the other order.

    The work waits first, so PostgreSQL's deadlock detector aborts the work's transaction; after
    ``deadlocks`` attempts the other connection stays away and the work commits.
    """
    engine = live_app.extensions["db_engine"]

    def work():
        attempts.append(1)
        db = dbmod.get_db()
        if len(attempts) > deadlocks:
            db.execute(sa.update(MeetingSession).where(MeetingSession.id == first_id).values(capacity=77))
            return "done"
        other = engine.connect()
        other.begin()
        other.execute(sa.select(MeetingSession.id).where(MeetingSession.id == second_id).with_for_update())
        db.execute(sa.select(MeetingSession.id).where(MeetingSession.id == first_id).with_for_update())

        def close_the_cycle():
            time.sleep(0.3)  # after the work started waiting for the second row
            try:
                other.execute(sa.select(MeetingSession.id).where(MeetingSession.id == first_id).with_for_update())
            finally:
                other.rollback()
                other.close()

        thread = threading.Thread(target=close_the_cycle)
        thread.start()
        threads.append(thread)  # it ends once the aborted work is rolled back
        db.execute(sa.select(MeetingSession.id).where(MeetingSession.id == second_id).with_for_update())
        return "not reached"

    return work


@pytest.fixture
def two_sessions(live_app, committed, backend):
    if backend != "postgresql":
        pytest.skip("deadlock detection is PostgreSQL's; SQLite serializes writers with BEGIN IMMEDIATE")
    with dbmod.new_session(live_app) as session:
        meeting = make_meeting(session, edition="2031-9")
        return meeting.sessions[0].id, meeting.sessions[1].id


def test_a_deadlocked_transaction_is_run_again_and_commits(live_app, two_sessions):
    first_id, second_id = two_sessions
    attempts: list[int] = []
    threads: list[threading.Thread] = []
    with live_app.test_request_context():
        assert commit_with_retry(_deadlocking_work(live_app, first_id, second_id, 1, attempts, threads)) == "done"
    for thread in threads:
        thread.join(timeout=30)
    assert len(attempts) == 2
    with dbmod.new_session(live_app) as session:
        assert session.get(MeetingSession, first_id).capacity == 77


def test_a_transaction_deadlocked_every_time_is_a_localized_409(live_app, two_sessions):
    first_id, second_id = two_sessions
    attempts: list[int] = []
    threads: list[threading.Thread] = []
    with live_app.test_request_context(headers={"Accept-Language": "fr"}):
        with pytest.raises(Conflict) as refused:
            commit_with_retry(_deadlocking_work(live_app, first_id, second_id, ATTEMPTS, attempts, threads))
        assert refused.value.status == 409 and refused.value.code == "concurrent_change"
        assert "réessayer" in refused.value.message
    for thread in threads:
        thread.join(timeout=30)
    assert len(attempts) == ATTEMPTS
    with dbmod.new_session(live_app) as session:
        assert session.get(MeetingSession, first_id).capacity == 50


@pytest.fixture
def impatient_sqlite_app(database_url, backend, committed):
    """The application on the SQLite test database, waiting 50 ms (not 30 s) for a busy file."""
    if backend != "sqlite":
        pytest.skip("a busy database file is SQLite's lock conflict")
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret",
                      "PUBLIC_BASE_URL": "http://localhost"})
    engine = app.extensions["db_engine"]

    @event.listens_for(engine, "connect")
    def _impatient(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    yield app
    engine.dispose()


def _writer_holding_the_file(database_url: str) -> sqlite3.Connection:
    blocker = sqlite3.connect(sa.make_url(database_url).database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    return blocker


def test_a_busy_sqlite_file_is_retried_then_a_localized_409(impatient_sqlite_app, database_url):
    client = impatient_sqlite_app.test_client()
    with dbmod.new_session(impatient_sqlite_app) as session:
        meeting = make_meeting(session, edition="2031-8")
        meeting_id, session_id = meeting.id, meeting.sessions[0].id
    token = client.post(f"/api/v1/meetings/{meeting_id}/registrations",
                        json=registration_payload(session_id)).json["token"]
    blocker = _writer_holding_the_file(database_url)
    try:
        refused = client.patch(f"/api/v1/registrations/{token}", json={"language": "fr"},
                               headers={"Accept-Language": "es"})
    finally:
        blocker.rollback()
        blocker.close()
    assert refused.status_code == 409 and refused.json["error"]["code"] == "concurrent_change"
    assert "vuelva a intentarlo" in refused.json["error"]["message"]
    assert client.get(f"/api/v1/registrations/{token}").json["language"] == "es"
    changed = client.patch(f"/api/v1/registrations/{token}", json={"language": "fr"})
    assert changed.status_code == 200 and changed.json["language"] == "fr"


def test_a_busy_sqlite_file_freed_before_the_next_try_commits(impatient_sqlite_app, database_url):
    with dbmod.new_session(impatient_sqlite_app) as session:
        first_id = make_meeting(session, edition="2031-7").sessions[0].id
    blocker = _writer_holding_the_file(database_url)
    attempts: list[int] = []

    def work():
        attempts.append(1)
        if len(attempts) == 2:
            blocker.rollback()
        db = dbmod.get_db()
        db.execute(sa.update(MeetingSession).where(MeetingSession.id == first_id).values(capacity=77))
        return "done"

    try:
        with impatient_sqlite_app.test_request_context():
            assert commit_with_retry(work) == "done"
    finally:
        blocker.close()
    assert len(attempts) == 2
    with dbmod.new_session(impatient_sqlite_app) as session:
        assert session.get(MeetingSession, first_id).capacity == 77
