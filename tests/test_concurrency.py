"""Concurrent registrations never overbook: 120 at once for 20 seats, each on its own connection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from conftest import make_meeting, registration_payload

from meetings import db as dbmod
from meetings.models import Registration


def test_parallel_registrations_fill_exactly_the_seats(live_app, committed, backend):
    with dbmod.new_session(live_app) as session:
        meeting = make_meeting(session, edition="2029-1", capacity=20)
        meeting_id, session_id = meeting.id, meeting.sessions[0].id
    start = threading.Barrier(24)

    def register(index: int) -> int:
        client = live_app.test_client()
        if index < 24:
            start.wait()  # the first wave leaves together
        response = client.post(f"/api/v1/meetings/{meeting_id}/registrations",
                               json=registration_payload(session_id, f"person{index}@example.org",
                                                         organization=f"Org {index % 7}"))
        return response.status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(register, range(120)))
    assert statuses.count(201) == 120, statuses

    with dbmod.new_session(live_app) as session:
        rows = session.execute(
            sa.select(Registration.status, sa.func.count()).where(Registration.session_id == session_id)
            .group_by(Registration.status)).all()
        emails = session.scalars(sa.select(Registration.email_key).where(Registration.meeting_id == meeting_id)).all()
    assert dict(rows) == {"confirmed": 20, "waitlisted": 100}
    assert len(emails) == len(set(emails)) == 120
