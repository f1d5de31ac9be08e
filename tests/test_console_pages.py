"""Console pages: access, fr/es rendering with SVG charts (no inline style), interpretation bookings,
attendance, cancel buttons with confirmation, audit log."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa
from support.console import populated_meeting
from support.logins import login_as
from support.pages import csrf_token, post_form

from meetings.console.models import Attendance, InterpretationBooking
from meetings.core.audit import AuditEntry
from meetings.models import GlobalMeeting, MeetingSession

PAGES = ["/secretariat/console/", "/secretariat/console/meetings/{m}",
         "/secretariat/console/meetings/{m}/interpretation",
         "/secretariat/console/sessions/{a}/attendance", "/secretariat/console/sessions/{a}/cancel",
         "/secretariat/console/meetings/{m}/cancel", "/secretariat/console/meetings/{m}/anonymize",
         "/secretariat/console/lists/registrations?meeting_id={m}", "/secretariat/console/lists/organizations",
         "/secretariat/console/lists/interests", "/secretariat/console/audit"]


def _urls(meeting):
    return [p.format(m=meeting.id, a=meeting.sessions[0].id) for p in PAGES]


def test_only_the_secretariat_gets_in(client, db):
    meeting, _tokens = populated_meeting(client, db)
    for url in _urls(meeting):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], url
    login_as(client, db, "co_convener")
    for url in _urls(meeting):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("language, words", [
    ("fr", ["Tableau de bord", "Session A", "interprétation", "Mexique", "Liste d'attente", "axe de travail"]),
    ("es", ["Panel", "Sesión A", "interpretación", "México", "Lista de espera", "línea de trabajo"]),
])
def test_every_console_page_renders_in_french_and_spanish(client, db, language, words):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    headers = {"Accept-Language": language}
    seen = ""
    for url in _urls(meeting):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert 'style="' not in html and "<style" not in html, url  # CSP: style-src 'self'
        assert f'<html lang="{language}">' in html
        seen += html
    for word in words:
        assert word.lower() in seen.lower(), (language, word)
    assert ">Mexico<" not in seen  # countries in the viewer's language (charts and lists)
    assert (">Mexique<" if language == "fr" else ">México<") in seen


def test_dashboard_counts_and_charts(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    html = client.get(f"/secretariat/console/meetings/{meeting.id}").get_data(as_text=True)
    for chart in ("chart-session", "chart-status", "chart-category", "chart-region", "chart-country",
                  "chart-language", "chart-timezone", "chart-interest-workstream", "world-time"):
        assert f'id="{chart}"' in html, chart
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart world-time"')
    world = ElementTree.fromstring(html[start:html.index("</svg>", start) + 6])
    ns = "{http://www.w3.org/2000/svg}"
    rows = world.findall(f"{ns}g[@class='zone-row']")
    # Mexico City (UTC-6), Dakar (0), Nairobi (+3), Bangkok (+7), Paris (+1 on 17 March 2027), east to west.
    assert [int(r.get("data-offset")) for r in rows] == [420, 180, 60, 0, -360]
    sessions = world.findall(f"{ns}rect[@class='session session-A']") + world.findall(
        f"{ns}rect[@class='session session-B']")
    assert len(sessions) == 2
    session_row = html[html.index('data-session="A"'):html.index("</tr>", html.index('data-session="A"'))]
    assert "<td>3</td>" in session_row  # three confirmed in session A


def test_labels_are_escaped_in_charts(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    from meetings.core.charts import bar_chart_svg

    svg = bar_chart_svg([("<script>alert(1)</script>", 3)], title="T & <b>", chart_id="x")
    ElementTree.fromstring(svg)  # well-formed
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_interpretation_plan_booking_and_audit(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    url = f"/secretariat/console/meetings/{meeting.id}/interpretation"
    html = client.get(url).get_data(as_text=True)
    section_a = html[html.index('id="session-A"'):html.index('id="session-B"')]
    # Session A: Ana (es->en), Awa (fr->fr), Ben (en->en): fr->en and es->en for English listeners,
    # en->fr for Awa; nobody listens in Spanish.
    for key in ('data-channel="fr-en"', 'data-channel="es-en"', 'data-channel="en-fr"'):
        assert key in section_a
    assert 'data-channel="en-es"' not in section_a
    session_a = meeting.sessions[0]
    booked = post_form(client, f"/secretariat/console/sessions/{session_a.id}/interpretation/fr-en",
                       {"action": "book"}, page=url)
    assert booked.status_code == 303
    booking = db.scalar(sa.select(InterpretationBooking))
    assert (booking.session_id, booking.source_language, booking.target_language) == (session_a.id, "fr", "en")
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "interpretation.booked"))
    assert entry.actor_label == "secretariat@unhcr.example.org" and entry.details["channel"] == "fr-en"
    bad = post_form(client, f"/secretariat/console/sessions/{session_a.id}/interpretation/fr-fr",
                    {"action": "book"}, page=url)
    assert bad.status_code == 422
    no_csrf = client.post(f"/secretariat/console/sessions/{session_a.id}/interpretation/es-en", data={"action": "book"})
    assert no_csrf.status_code == 400
    unbooked = post_form(client, f"/secretariat/console/sessions/{session_a.id}/interpretation/fr-en",
                         {"action": "unbook"}, page=url)
    assert unbooked.status_code == 303 and db.scalar(sa.select(sa.func.count()).select_from(InterpretationBooking)) == 0
    assert db.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "interpretation.unbooked"))


def test_interpretation_follows_registrations_and_flags_stale_bookings(client, db):
    meeting, tokens = populated_meeting(client, db)
    login_as(client, db)
    url = f"/secretariat/console/meetings/{meeting.id}/interpretation"
    session_b = meeting.sessions[1]
    post_form(client, f"/secretariat/console/sessions/{session_b.id}/interpretation/en-fr", {"action": "book"},
              page=url)
    client.delete(f"/api/v1/registrations/{tokens['dana@example.org']}")  # the only French listener in B
    html = client.get(url).get_data(as_text=True)
    section_b = html[html.index('id="session-B"'):]
    assert 'data-channel="en-fr"' not in section_b
    assert "no-interpretation" in section_b and 'class="warning"' in section_b


def test_attendance_is_marked_after_the_session_and_audited(client, db):
    meeting, _tokens = populated_meeting(client, db)
    session_a = meeting.sessions[0]
    login_as(client, db)
    url = f"/secretariat/console/sessions/{session_a.id}/attendance"
    assert 'id="attendance"' not in client.get(url).get_data(as_text=True)  # 2027: not started yet
    session_a.starts_at = session_a.starts_at.replace(year=2020)
    db.commit()
    html = client.get(url).get_data(as_text=True)
    ids = sorted(int(v) for v in __import__("re").findall(r'name="present" value="(\d+)"', html))
    assert len(ids) == 3
    response = client.post(url, data={"csrf_token": csrf_token(html), "present": [str(ids[0]), str(ids[2])]})
    assert response.status_code == 303
    marks = dict(db.execute(sa.select(Attendance.registration_id, Attendance.present)).all())
    assert marks == {ids[0]: True, ids[1]: False, ids[2]: True}
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "attendance.marked"))
    assert entry.details["present"] == 2 and entry.details["absent"] == 1
    outsider = client.post(url, data={"csrf_token": csrf_token(html), "present": ["999999"]})
    assert outsider.status_code == 422


def test_cancel_session_and_meeting_need_confirmation(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    session_a = meeting.sessions[0]
    url = f"/secretariat/console/sessions/{session_a.id}/cancel"
    unticked = post_form(client, url, {})
    assert unticked.status_code == 422
    db.expire_all()
    assert db.get(MeetingSession, session_a.id).status == "scheduled"
    assert client.post(url, data={"confirm": "y"}).status_code == 400  # no CSRF token
    assert post_form(client, url, {"confirm": "y"}).status_code == 303
    db.expire_all()
    assert db.get(MeetingSession, session_a.id).status == "cancelled"
    assert db.scalar(sa.select(AuditEntry.actor_label).where(AuditEntry.action == "session.cancelled")) == \
        "secretariat@unhcr.example.org"
    meeting_url = f"/secretariat/console/meetings/{meeting.id}/cancel"
    assert post_form(client, meeting_url, {"confirm": "y"}).status_code == 303
    db.expire_all()
    assert db.get(GlobalMeeting, meeting.id).status == "cancelled"
    assert db.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "meeting.cancelled"))


def test_audit_log_filters(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    page = f"/secretariat/console/meetings/{meeting.id}/interpretation"
    post_form(client, f"/secretariat/console/sessions/{meeting.sessions[0].id}/interpretation/fr-en",
              {"action": "book"}, page=page)
    client.get(f"/secretariat/console/lists/registrations.csv?meeting_id={meeting.id}")
    html = client.get("/secretariat/console/audit").get_data(as_text=True)
    assert 'data-action="interpretation.booked"' in html and 'data-action="export.downloaded"' in html
    only = client.get("/secretariat/console/audit?action=export.downloaded").get_data(as_text=True)
    assert 'data-action="interpretation.booked"' not in only and 'data-action="export.downloaded"' in only
    nobody = client.get("/secretariat/console/audit?actor=someone-else").get_data(as_text=True)
    assert "data-action=" not in nobody
    tomorrow = (db.scalar(sa.select(sa.func.max(AuditEntry.at))) + timedelta(days=1)).date().isoformat()
    assert "data-action=" not in client.get(f"/secretariat/console/audit?since={tomorrow}").get_data(as_text=True)
    assert client.get("/secretariat/console/audit?since=not-a-date").status_code == 422


def test_audit_entries_read_as_sentences_in_the_readers_language(client, db):
    from datetime import UTC, datetime

    from meetings.core.audit import record_action

    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    session = meeting.sessions[0]
    record_action(db, None, "session.rescheduled", "session", session.id, datetime(2027, 1, 5, tzinfo=UTC),
                  label="A", meeting_id=meeting.id, before={"starts_at": "2027-03-17T07:00:00+00:00"},
                  after={"starts_at": "2027-03-17T09:30:00+00:00"})
    record_action(db, None, "meeting.cancelled", "meeting", meeting.id, datetime(2027, 1, 6, tzinfo=UTC),
                  edition="2027-1")
    record_action(db, None, "something.new", "thing", 7, datetime(2027, 1, 7, tzinfo=UTC))
    db.commit()
    english = client.get("/secretariat/console/audit").get_data(as_text=True)
    assert "cli moved session A from Mar 17, 2027, 07:00 UTC to Mar 17, 2027, 09:30 UTC." in english
    assert "cli cancelled the meeting 2027-1." in english
    assert "cli: something.new (#7)." in english  # an unknown code still reads, with its raw code
    french = client.get("/secretariat/console/audit", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "cli a annulé la réunion 2027-1." in french
    spanish = client.get("/secretariat/console/audit", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "cli canceló la reunión 2027-1." in spanish
