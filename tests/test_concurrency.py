"""Concurrent registrations never overbook: 120 at once for 20 seats, each on its own connection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from conftest import make_meeting, registration_payload

from meetings.core import db as dbmod
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


def test_mixed_concurrent_registrations_cancellations_and_moves_keep_the_seat_rules(live_app, committed):
    with dbmod.new_session(live_app) as session:
        meeting = make_meeting(session, edition="2029-2", capacity=20)
        meeting_id, a_id, b_id = meeting.id, meeting.sessions[0].id, meeting.sessions[1].id

    def register(index: int) -> dict:
        target = a_id if index % 2 == 0 else b_id
        response = live_app.test_client().post(
            f"/api/v1/meetings/{meeting_id}/registrations",
            json=registration_payload(target, f"mixed{index}@example.org", organization=f"Org {index % 5}"))
        assert response.status_code == 201, response.json
        return response.json

    with ThreadPoolExecutor(max_workers=16) as pool:
        people = list(pool.map(register, range(80)))
    confirmed_a = [p["token"] for p in people if p["session"]["id"] == a_id and p["status"] == "confirmed"]
    confirmed_b = [p["token"] for p in people if p["session"]["id"] == b_id and p["status"] == "confirmed"]

    def act(job: tuple[str, str]) -> int:
        kind, token = job
        client = live_app.test_client()
        if kind == "cancel":
            return client.delete(f"/api/v1/registrations/{token}").status_code
        return client.patch(f"/api/v1/registrations/{token}",
                            json={"session_id": a_id, "accept_waitlist": True}).status_code

    jobs = [("cancel", t) for t in confirmed_a[:10]] + [("move", t) for t in confirmed_b[:10]]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(act, jobs))
    assert set(statuses) == {200}, statuses

    with dbmod.new_session(live_app) as session:
        for session_id in (a_id, b_id):
            counts = dict(session.execute(
                sa.select(Registration.status, sa.func.count()).where(Registration.session_id == session_id)
                .group_by(Registration.status)).all())
            assert counts.get("confirmed", 0) <= 20, counts
            if counts.get("waitlisted", 0):
                assert counts.get("confirmed", 0) == 20, counts  # nobody waits while a seat is free


def test_colleagues_registering_at_once_share_one_new_organization(live_app, committed):
    with dbmod.new_session(live_app) as session:
        meeting = make_meeting(session, edition="2029-3", capacity=50)
        meeting_id, a_id, b_id = meeting.id, meeting.sessions[0].id, meeting.sessions[1].id
    start = threading.Barrier(12)

    def register(index: int) -> int:
        client = live_app.test_client()
        start.wait()
        return client.post(f"/api/v1/meetings/{meeting_id}/registrations", json=registration_payload(
            a_id if index % 2 else b_id, f"colleague{index}@example.org", organization="Brand New Agency",
            workstreams=[1, 2, 3])).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(register, range(12)))
    assert statuses == [201] * 12
    with dbmod.new_session(live_app) as session:
        from meetings.organizations.models import Organization, WorkstreamInterest

        organizations = session.scalars(sa.select(Organization).where(Organization.name == "Brand New Agency")).all()
        assert len(organizations) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(WorkstreamInterest).where(
            WorkstreamInterest.organization_id == organizations[0].id)) == 3


def test_the_same_address_registering_twice_at_once_gets_one_registration(live_app, committed):
    with dbmod.new_session(live_app) as session:
        meeting = make_meeting(session, edition="2029-4", capacity=50)
        meeting_id, a_id, b_id = meeting.id, meeting.sessions[0].id, meeting.sessions[1].id
    start = threading.Barrier(8)

    def register(index: int) -> int:
        client = live_app.test_client()
        start.wait()
        return client.post(f"/api/v1/meetings/{meeting_id}/registrations", json=registration_payload(
            a_id if index % 2 else b_id, "same.person@example.org")).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(register, range(8)))
    assert statuses.count(201) == 1 and set(statuses) <= {201, 202, 409}, statuses
    with dbmod.new_session(live_app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Registration)
                              .where(Registration.meeting_id == meeting_id)) == 1
