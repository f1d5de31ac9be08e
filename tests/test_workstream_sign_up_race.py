"""Signing an organization up to several workstreams: one query and one insert, colleagues racing included.

A registration signs its organization up while it holds its session's seat lock, so the sign-ups that
exist are read in one query and the missing ones inserted together; when a colleague's transaction
commits one of them meanwhile (PostgreSQL: the insert waits for it, then meets the unique key), the
missing ones are taken one by one and the colleague's sign-up is kept as they made it.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from support.factories import make_organization

from meetings.core import db as dbmod
from meetings.organizations.models import Organization, Workstream, WorkstreamInterest
from meetings.organizations.operations import sign_up_workstreams

NOW = datetime(2031, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def organization_id(live_app, committed):
    with dbmod.new_session(live_app) as db:
        organization = make_organization(db, name="Racing Agency", country="KE", region=None)
        db.commit()
        return organization.id


def _statements(db) -> list[str]:
    seen: list[str] = []
    event.listen(db.get_bind(), "before_cursor_execute",
                 lambda _c, _cur, statement, *_rest: seen.append(statement.split()[0]))
    return seen


def _wait_for_a_lock_wait(session, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with session.get_bind().connect() as conn:
        while time.monotonic() < deadline:
            if conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND wait_event_type = 'Lock'")).scalar():
                return
            conn.rollback()
            time.sleep(0.02)
    raise AssertionError("the sign-up never waited for the colleague's")


def test_three_new_sign_ups_take_one_query_and_one_insert(live_app, organization_id, backend):
    with dbmod.new_session(live_app) as db:
        organization = db.get(Organization, organization_id)
        seen = _statements(db)
        interests = sign_up_workstreams(db, organization, (3, 1, 2), "Ana", "ana@example.org", "", NOW)
        assert seen.count("SELECT") == 2, seen  # the workstreams, the sign-ups that exist
        if backend == "postgresql":  # SQLite's driver sends the three rows one by one
            assert seen.count("INSERT") == 1, seen
        assert sorted(i.workstream.number for i in interests) == [1, 2, 3]
        again = sign_up_workstreams(db, organization, (1, 2, 3), "Other", "other@example.org", "", NOW)
        assert [i.id for i in again] == [i.id for i in interests]  # only adds: the first contact stays
        assert {i.contact_name for i in again} == {"Ana"}
        db.commit()


def test_a_colleague_committing_one_of_them_meanwhile_keeps_theirs(live_app, organization_id, backend):
    if backend != "postgresql":
        pytest.skip("SQLite serializes writers with BEGIN IMMEDIATE: no insert ever waits for another")
    colleague = dbmod.new_session(live_app)
    first = colleague.scalar(sa.select(Workstream).where(Workstream.number == 1))
    colleague.add(WorkstreamInterest(organization_id=organization_id, workstream=first, contact_name="Colleague",
                                     contact_email="colleague@example.org", created_at=NOW, updated_at=NOW))
    colleague.flush()
    outcome = []

    def sign_up():
        with dbmod.new_session(live_app) as db:
            organization = db.get(Organization, organization_id)
            interests = sign_up_workstreams(db, organization, (1, 2), "Ana", "ana@example.org", "", NOW)
            outcome.extend((i.workstream.number, i.contact_name) for i in interests)
            db.commit()

    thread = threading.Thread(target=sign_up)
    thread.start()
    _wait_for_a_lock_wait(colleague)  # its insert waits for the colleague's pending sign-up
    colleague.commit()
    colleague.close()
    thread.join(timeout=30)
    assert sorted(outcome) == [(1, "Colleague"), (2, "Ana")]
    with dbmod.new_session(live_app) as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(WorkstreamInterest)
                         .where(WorkstreamInterest.organization_id == organization_id)) == 2
