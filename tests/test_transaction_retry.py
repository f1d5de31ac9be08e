"""A transaction the database aborts for a deadlock runs again, and after three tries answers 409."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from conftest import make_meeting

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
