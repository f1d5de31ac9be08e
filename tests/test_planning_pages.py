"""Secretariat planning pages: access, languages, applying a plan to sessions A and B, CSRF, SVG, series."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

import sqlalchemy as sa
from support.api import register, registration_payload
from support.factories import make_meeting
from support.logins import login_as
from support.pages import csrf_token, post_form

from meetings.core.audit import AuditEntry
from meetings.models import GlobalMeeting, MeetingSession
from meetings.planning import operations as ops

INPUTS = {"date": "2027-03-17", "duration": "180", "window": "08:00-20:00", "interpreters": "07:00-22:00",
          "step": "15", "min_gap": "60", "same_day": "y", "tolerance": "0", "rotate": "y",
          "source": "member_states"}


def _url(meeting, suffix=""):
    return f"/secretariat/meetings/{meeting.id}/plan{suffix}"


def test_anonymous_is_sent_to_login_and_co_convener_is_refused(client, db):
    meeting = make_meeting(db)
    response = client.get(_url(meeting))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert client.post(_url(meeting, "/apply"), data=INPUTS).status_code in (302, 400)
    login_as(client, db, "co_convener")
    assert client.get(_url(meeting)).status_code == 403
    assert client.get("/secretariat/series").status_code == 403


def test_form_defaults_to_session_a_date_in_the_reference_zone(client, db):
    meeting = make_meeting(db, start=datetime(2027, 3, 17, 23, 30, tzinfo=UTC))  # 00:30 on the 18th in Zurich
    login_as(client, db)
    html = client.get(_url(meeting)).get_data(as_text=True)
    assert 'value="2027-03-18"' in html and 'value="180"' in html


def test_plan_page_renders_in_french_and_spanish(client, db):
    meeting = make_meeting(db)
    login_as(client, db)
    for language, words in (("fr", ["Planifier", "Amériques", "Session A", "Nouvelle-Zélande"]),
                            ("es", ["Planificar", "Américas", "Sesión A", "Nueva Zelanda"])):
        headers = {"Accept-Language": language}
        response = post_form(client, _url(meeting), INPUTS, headers=headers)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        for word in words:
            assert word in html, (language, word)
        assert 'id="coverage"' in html and "<svg" in html and "style=" not in html
        assert "New Zealand" not in html  # countries are named in the viewer's language


def test_bad_inputs_show_beside_their_fields(client, db):
    meeting = make_meeting(db)
    login_as(client, db)
    response = post_form(client, _url(meeting), {**INPUTS, "step": "7", "window": "20:00-08:00"},
                         headers={"Accept-Language": "fr"})
    assert response.status_code == 422
    assert 'id="plan"' not in response.get_data(as_text=True)


def test_apply_moves_sessions_bumps_sequence_and_audits(client, db):
    meeting = make_meeting(db)  # A 07:00 UTC, B 15:00 UTC
    login_as(client, db)
    page = post_form(client, _url(meeting), INPUTS).get_data(as_text=True)
    expected = client.post("/api/v1/plans", json={"date": "2027-03-17", "duration": 180}).get_json()
    for n in range(3):  # three active registrants of session A, one cancelled: three people are told
        created = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                              json=registration_payload(meeting.sessions[0].id, email=f"p{n}@example.org"))
        assert created.status_code == 201
    client.delete(f"/api/v1/registrations/{created.get_json()['token']}")
    client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                json=registration_payload(meeting.sessions[0].id, email="p9@example.org"))
    # First the confirmation: old -> new times and the number of people notified; nothing moves yet.
    confirm = client.post(_url(meeting, "/apply"), data={**INPUTS, "csrf_token": csrf_token(page)})
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "3 people will receive an updated invitation." in html
    db.expire_all()
    assert {s.ical_sequence for s in db.scalars(sa.select(MeetingSession).where(
        MeetingSession.meeting_id == meeting.id))} == {0}
    response = client.post(_url(meeting, "/apply"),
                           data={**INPUTS, "csrf_token": csrf_token(page), "confirmed": "yes"})
    assert response.status_code == 303
    db.expire_all()
    query = sa.select(MeetingSession).where(MeetingSession.meeting_id == meeting.id)
    sessions = {s.label: s for s in db.scalars(query)}
    for planned in expected["sessions"]:
        meeting_session = sessions[planned["label"]]
        assert meeting_session.starts_at == datetime.fromisoformat(planned["start_utc"].replace("Z", "+00:00"))
        assert meeting_session.ical_sequence == 1
    stored = db.get(GlobalMeeting, meeting.id)
    assert stored.plan_document["sessions"] == expected["sessions"] and stored.plan_burden == expected["burden"]
    actions = [e.action for e in db.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("session.rescheduled") == 2 and "meeting.plan_applied" in actions
    # Applying the same plan again changes nothing and does not bump the sequence.
    client.post(_url(meeting, "/apply"), data={**INPUTS, "csrf_token": csrf_token(page), "confirmed": "yes"})
    db.expire_all()
    assert {s.ical_sequence for s in db.scalars(sa.select(MeetingSession).where(
        MeetingSession.meeting_id == meeting.id))} == {1}


def test_apply_requires_csrf(client, db):
    meeting = make_meeting(db)
    login_as(client, db)
    before = [(s.starts_at, s.ical_sequence) for s in meeting.sessions]
    response = client.post(_url(meeting, "/apply"), data=INPUTS, headers={"Accept-Language": "es"})
    assert response.status_code == 400
    db.expire_all()
    assert [(s.starts_at, s.ical_sequence) for s in db.get(GlobalMeeting, meeting.id).sessions] == before


def test_chart_download_is_svg(client, db):
    meeting = make_meeting(db)
    login_as(client, db)
    response = client.get(_url(meeting, "/chart.svg"), query_string=INPUTS, headers={"Accept-Language": "es"})
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    assert ElementTree.fromstring(response.data).tag.endswith("svg")
    assert "Américas" in response.get_data(as_text=True)


def test_csv_upload_and_its_chart(client, db):
    import io

    meeting = make_meeting(db)
    login_as(client, db)
    page = client.get(_url(meeting)).get_data(as_text=True)
    csv = b"timezone,weight\nAsia/Tokyo,3\nAmerica/Lima,2\n"
    response = client.post(_url(meeting), data={**INPUTS, "source": "csv", "csrf_token": csrf_token(page),
                                                "csv_file": (io.BytesIO(csv), "zones.csv")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "America/Lima" in html
    chart = client.post(_url(meeting, "/chart.svg"), data={**INPUTS, "source": "csv", "csv_text": csv.decode(),
                                                           "csrf_token": csrf_token(html)})
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    bad = client.post(_url(meeting), data={**INPUTS, "source": "csv", "csrf_token": csrf_token(page),
                                           "csv_file": (io.BytesIO(b"timezone,weight\nMars/Base,1\n"), "z.csv")},
                      content_type="multipart/form-data", headers={"Accept-Language": "fr"})
    assert bad.status_code == 422 and "Mars/Base" in bad.get_data(as_text=True)


def test_registrations_as_participants(client, db):
    meeting = make_meeting(db)
    for index, zone in enumerate(["Asia/Tokyo", "Asia/Tokyo", "America/Lima"]):
        assert register(client, meeting, f"p{index}@example.org", "A", timezone=zone).status_code == 201
    participants = ops.meeting_participants(db, meeting)
    assert sorted((p.zone, p.weight) for p in participants) == [("America/Lima", 1), ("Asia/Tokyo", 2)]
    login_as(client, db)
    html = post_form(client, _url(meeting), {**INPUTS, "source": "registrations"}).get_data(as_text=True)
    assert "Asia/Tokyo" in html and "Europe/Zurich" not in html.split('id="countries"')[1]


def test_rotation_uses_the_previous_edition_burden(client, db):
    earlier = make_meeting(db, edition="2026-2", start=datetime(2026, 10, 21, 7, 0, tzinfo=UTC))
    later = make_meeting(db, edition="2027-1")
    login_as(client, db)
    page = post_form(client, _url(earlier), {**INPUTS, "date": "2026-10-21"}).get_data(as_text=True)
    client.post(_url(earlier, "/apply"), data={**INPUTS, "date": "2026-10-21", "csrf_token": csrf_token(page),
                                               "confirmed": "yes"})
    db.expire_all()
    burden = db.get(GlobalMeeting, earlier.id).plan_burden
    assert burden and ops.previous_burden(db, later.edition) == burden
    assert ops.previous_burden(db, earlier.edition) is None


def test_series_suggests_and_creates_draft_meetings(client, db):
    login_as(client, db)
    response = client.get("/secretariat/series", query_string={"year": "2029", "blackout_dates": "2029-03-21",
                                                                "duration": "120"},
                          headers={"Accept-Language": "fr"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="series"' in html
    assert "22 mars 2029" in html  # third Wednesday (21 March) is blacked out: next weekday
    response = client.post("/secretariat/series/create", data={"year": "2029", "blackout_dates": "2029-03-21",
                                                               "duration": "120", "csrf_token": csrf_token(html)})
    assert response.status_code == 303
    created = {m.edition: m for m in db.scalars(sa.select(GlobalMeeting).where(GlobalMeeting.edition.like("2029-%")))}
    assert set(created) == {"2029-1", "2029-2"}
    for meeting in created.values():
        assert meeting.status == "draft" and len(meeting.sessions) == 2 and meeting.plan_document
        assert meeting.title_fr and meeting.title_es and meeting.title_fr != meeting.title_en
        assert all(s.duration_minutes == 120 for s in meeting.sessions)
    again = client.post("/secretariat/series/create", data={"year": "2029", "blackout_dates": "", "duration": "120",
                                                            "csrf_token": csrf_token(html)})
    assert again.status_code == 303
    assert db.scalar(sa.select(sa.func.count()).select_from(GlobalMeeting).where(
        GlobalMeeting.edition.like("2029-%"))) == 2
