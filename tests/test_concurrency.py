"""Concurrent registrations never overbook: 120 at once for 20 seats, each on its own connection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from support.api import post_registration
from support.factories import make_meeting

from meetings.core import db as dbmod
from meetings.models import Registration


def _committed_meeting(live_app, edition: str, capacity: int) -> tuple[int, int, int]:
    """A committed meeting: its id and the ids of its sessions A and B."""
    with dbmod.new_session(live_app) as db:
        meeting = make_meeting(db, edition=edition, capacity=capacity)
        return meeting.id, meeting.sessions[0].id, meeting.sessions[1].id


def _all_at_once(live_app, count: int, post) -> list[int]:
    """``post(client, index)`` for ``count`` indexes, each on its own thread and client, released together;
    returns the status codes."""
    start = threading.Barrier(count)

    def one(index: int) -> int:
        client = live_app.test_client()
        start.wait()
        return post(client, index).status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_parallel_registrations_fill_exactly_the_seats(live_app, committed, backend):
    meeting_id, session_id, _ = _committed_meeting(live_app, "2029-1", capacity=20)
    start = threading.Barrier(24)

    def register(index: int) -> int:
        client = live_app.test_client()
        if index < 24:
            start.wait()  # the first wave leaves together
        response = post_registration(client, meeting_id, session_id, f"person{index}@example.org",
                                     organization=f"Org {index % 7}")
        return response.status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(register, range(120)))
    assert statuses.count(201) == 120, statuses

    with dbmod.new_session(live_app) as db:
        rows = db.execute(
            sa.select(Registration.status, sa.func.count()).where(Registration.session_id == session_id)
            .group_by(Registration.status)).all()
        emails = db.scalars(sa.select(Registration.email_key).where(Registration.meeting_id == meeting_id)).all()
    assert dict(rows) == {"confirmed": 20, "waitlisted": 100}
    assert len(emails) == len(set(emails)) == 120


def test_mixed_concurrent_registrations_cancellations_and_moves_keep_the_seat_rules(live_app, committed):
    meeting_id, a_id, b_id = _committed_meeting(live_app, "2029-2", capacity=20)

    def register(index: int) -> dict:
        target = a_id if index % 2 == 0 else b_id
        response = post_registration(live_app.test_client(), meeting_id, target, f"mixed{index}@example.org",
                                     organization=f"Org {index % 5}")
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

    with dbmod.new_session(live_app) as db:
        for session_id in (a_id, b_id):
            counts = dict(db.execute(
                sa.select(Registration.status, sa.func.count()).where(Registration.session_id == session_id)
                .group_by(Registration.status)).all())
            assert counts.get("confirmed", 0) <= 20, counts
            if counts.get("waitlisted", 0):
                assert counts.get("confirmed", 0) == 20, counts  # nobody waits while a seat is free


def test_colleagues_registering_at_once_share_one_new_organization(live_app, committed):
    meeting_id, a_id, b_id = _committed_meeting(live_app, "2029-3", capacity=50)
    statuses = _all_at_once(live_app, 12, lambda client, index: post_registration(
        client, meeting_id, a_id if index % 2 else b_id, f"colleague{index}@example.org",
        organization="Brand New Agency", workstreams=[1, 2, 3]))
    assert statuses == [201] * 12
    with dbmod.new_session(live_app) as db:
        from meetings.organizations.models import Organization, WorkstreamInterest

        organizations = db.scalars(sa.select(Organization).where(Organization.name == "Brand New Agency")).all()
        assert len(organizations) == 1
        assert db.scalar(sa.select(sa.func.count()).select_from(WorkstreamInterest).where(
            WorkstreamInterest.organization_id == organizations[0].id)) == 3


def test_the_same_address_registering_twice_at_once_gets_one_registration(live_app, committed):
    meeting_id, a_id, b_id = _committed_meeting(live_app, "2029-4", capacity=50)
    statuses = _all_at_once(live_app, 8, lambda client, index: post_registration(
        client, meeting_id, a_id if index % 2 else b_id, "same.person@example.org"))
    assert statuses.count(201) == 1 and set(statuses) <= {201, 202, 409}, statuses
    with dbmod.new_session(live_app) as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Registration)
                         .where(Registration.meeting_id == meeting_id)) == 1
