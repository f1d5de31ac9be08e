"""Scheduling an accepted roundtable: planner suggestion, sessions, and registration exactly like a global meeting."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from support.api import register
from support.factories import make_account, make_organization
from support.identity import registered_verified
from support.logins import login
from support.mail import calendar_of, subject_of, text_of
from support.pages import csrf_token, post_form
from support.roundtables import advance, future, proposal_input

from meetings.core.db import utcnow
from meetings.models import GlobalMeeting, Registration
from meetings.organizations.operations import sign_up_workstreams
from meetings.outbox.models import OutboxMessage
from meetings.roundtables import operations as ops
from meetings.roundtables.planner import planner_participants


def _accepted(app, db):
    with app.app_context():
        return _accept(db)


def _accept(db):
    mexico = make_organization(db)
    ana = make_account(db, "ana@comar.example.org", org=mexico, language="es")
    make_account(db, "otto@bamf.example.org",
            org=make_organization(db, "Bundesamt für Migration", country="DE", region="europe"))
    sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
    roundtable = ops.create_proposal(db, ana, proposal_input(), utcnow())
    advance(db, roundtable, sec, "submit", "accept")
    return roundtable, sec


def _schedule_form(**overrides):
    data = {"mode": "twin", "date": future(65).isoformat(), "reference_zone": "Europe/Zurich",
            "duration_minutes": "120", "start_a": "08:00", "start_b": "16:00", "capacity": "2",
            "join_url_a": "https://meet.example.org/rt-a", "join_url_b": "https://meet.example.org/rt-b",
            "schedule": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_schedule_twin_sessions_then_register_through_the_existing_api_and_feeds(app, client, db):
    roundtable, _sec = _accepted(app, db)
    login(client, "sec@unhcr.example.org")
    url = f"/roundtables/{roundtable.id}/schedule"
    assert post_form(client, url, _schedule_form()).status_code == 303
    db.expire_all()
    meeting = roundtable.meeting
    assert roundtable.status == "scheduled" and meeting.status == "open" and meeting.edition == f"RT-{roundtable.id}"
    assert [(s.label, s.capacity, s.join_url) for s in meeting.sessions] == [
        ("A", 2, "https://meet.example.org/rt-a"), ("B", 2, "https://meet.example.org/rt-b")]
    assert meeting.sessions[0].starts_at.hour in (6, 7)  # 08:00 in Zurich: 06:00 UTC in summer, 07:00 in winter
    assert meeting.title_en == roundtable.title_en and meeting.allowed_categories == [
        "national_asylum_authority", "civil_society", "unhcr"]
    assert meeting.sessions[0].floor_languages == ["en", "fr", "es"]
    # The proposer hears about it in Spanish, with the times.
    mail = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.topic == "roundtable.schedule"))
    assert mail.language == "es" and "programada" in subject_of(db, mail).lower() and "Sesión A" in text_of(db, mail)
    # Registration: same API, same rules (category, capacity, waitlist), same invites and feeds.
    assert registered_verified(client, meeting, "one@example.org")["status"] == "confirmed"
    assert register(client, meeting, "two@example.org").json["status"] == "confirmed"
    third = register(client, meeting, "three@example.org")
    assert third.status_code == 201 and third.json["status"] == "waitlisted"
    refused = register(client, meeting, "p@example.org", category="private_sector")
    assert refused.status_code == 409
    invite = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.topic == "registration.verified"))
    assert invite.calendar_method == "REQUEST" and "https://meet.example.org/rt-a" in calendar_of(db, invite)
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    index = client.get("/").get_data(as_text=True)
    heading = index.index("Thematic roundtables")
    assert index.index(f"/meetings/{meeting.id}\"") > heading  # listed apart from the global meetings
    assert client.get(f"/meetings/{meeting.id}/register").status_code == 200
    feed = client.get(f"/feeds/meetings/{meeting.id}.ics")
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.data and b"rt-a" not in feed.data
    # The roundtable's registrations page.
    page = client.get(f"/roundtables/{roundtable.id}/registrations").get_data(as_text=True)
    assert "one@example.org" in page and "three@example.org" in page


def test_registrations_are_visible_to_the_roundtables_co_conveners_only(app, client, db):
    roundtable, sec = _accepted(app, db)
    with app.app_context():
        ops.schedule_roundtable(db, roundtable, sec, ops.ScheduleInput(
            starts=(utcnow() + timedelta(days=30),), duration_minutes=90, capacity=10,
            join_urls=("https://meet.example.org/x",)), utcnow())
        db.commit()
    register(client, roundtable.meeting, "reg@example.org")
    login(client, "ana@comar.example.org")
    assert "reg@example.org" in client.get(f"/roundtables/{roundtable.id}/registrations").get_data(as_text=True)
    client.post("/account/logout", data={"csrf_token": _token(client)})
    login(client, "otto@bamf.example.org")
    response = client.get(f"/roundtables/{roundtable.id}/registrations")
    assert response.status_code == 403 and "reg@example.org" not in response.get_data(as_text=True)


def _token(client):
    return csrf_token(client.get("/roundtables/").get_data(as_text=True))


def test_one_session_and_bad_schedules(app, client, db):
    roundtable, _sec = _accepted(app, db)
    login(client, "sec@unhcr.example.org")
    url = f"/roundtables/{roundtable.id}/schedule"
    past = post_form(client, url, _schedule_form(date=(utcnow() - timedelta(days=1)).date().isoformat()),
                     headers={"Accept-Language": "fr"})
    assert past.status_code == 422 and "futur" in past.get_data(as_text=True)
    overlap = post_form(client, url, _schedule_form(start_b="09:00"))
    assert overlap.status_code == 422
    bad_link = post_form(client, url, _schedule_form(join_url_a="javascript:alert(1)"))
    assert bad_link.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(GlobalMeeting)) == 0
    single = post_form(client, url, _schedule_form(mode="single", start_b=None, join_url_b=None))
    assert single.status_code == 303
    db.expire_all()
    assert [s.label for s in roundtable.meeting.sessions] == ["A"]
    again = post_form(client, url, _schedule_form())
    assert again.status_code == 409  # scheduled already: not in the table any more


def test_planner_uses_the_workstreams_organizations_or_the_regions(app, client, db):
    roundtable, _sec = _accepted(app, db)
    participants, source = planner_participants(db, roundtable)
    assert source == "regions" and {p.region for p in participants} == {"americas", "europe"}
    kenya = make_organization(db, "Refugee Affairs Secretariat", country="KE", region="east_horn_great_lakes")
    sign_up_workstreams(db, kenya, (3,), "Wanjiku", "w@ras.example.org", "", utcnow())
    sign_up_workstreams(db, make_organization(db), (3,), "Ana", "ana@comar.example.org", "", utcnow())
    db.commit()
    participants, source = planner_participants(db, roundtable)
    assert source == "workstream" and sorted(p.zone for p in participants) == ["Africa/Nairobi", "America/Mexico_City"]
    login(client, "sec@unhcr.example.org")
    response = post_form(client, f"/roundtables/{roundtable.id}/schedule",
                         _schedule_form(schedule=None, suggest="1", start_a="", start_b=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="suggestion"' in html
    assert 'name="start_a" type="text" value="' in html and 'value=""' not in html.split('name="start_a"')[1][:40]
    assert db.scalar(sa.select(sa.func.count()).select_from(GlobalMeeting)) == 0  # suggesting writes nothing


def test_marking_held_closes_the_meeting(app_context, db):
    roundtable, sec = _accept(db)
    ops.schedule_roundtable(db, roundtable, sec, ops.ScheduleInput(
        starts=(utcnow() + timedelta(days=30),), duration_minutes=90, capacity=10,
        join_urls=("https://meet.example.org/x",)), utcnow())
    ops.change_status(db, roundtable, sec, "mark_held", "", utcnow())
    db.commit()
    assert roundtable.status == "held" and roundtable.meeting.status == "held"
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
