"""Participant pages: times in the viewer's zone and UTC, registering with CSRF, managing, languages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from support.factories import make_meeting
from support.pages import csrf_token, post_form

from meetings.models import Registration
from meetings.organizations.models import WorkstreamInterest

FORM = {
    "name": "Amadou Diallo", "email": "amadou@example.org", "function": "Directeur",
    "organization": "Commission nationale pour les réfugiés", "category": "national_asylum_authority",
    "country": "SN", "region": "west_central_africa", "language": "fr", "spoken_language": "fr",
    "listening_language": "en", "timezone": "Africa/Dakar", "consent": "y", "workstreams": ["1", "3"],
}


def _form(meeting, **overrides):
    return {**FORM, "session_id": str(meeting.sessions[0].id), **overrides}


def test_meeting_page_shows_local_time_utc_and_day_mark(client, meeting):
    html = client.get(f"/meetings/{meeting.id}?tz=Pacific/Auckland").get_data(as_text=True)
    # Session B: 15:00 UTC on 17 March 2027 = 04:00 on 18 March in Auckland (NZDT, UTC+13).
    assert "04:00" in html and "+1 day" in html
    assert "15:00–18:00 UTC" in html and "07:00–10:00 UTC" in html
    assert "secret-" not in html  # no join link on public pages


def test_meeting_page_suggests_the_session_for_the_zone(client, meeting):
    tokyo = client.get(f"/meetings/{meeting.id}?tz=Asia/Tokyo").get_data(as_text=True)
    # A at 07:00 UTC = 16:00 Tokyo; B at 15:00 UTC = 00:00 Tokyo.
    assert re.search(r'class="session-card suggested" data-session="A"', tokyo)
    mexico = client.get(f"/meetings/{meeting.id}?tz=America/Mexico_City").get_data(as_text=True)
    # A = 01:00 Mexico City; B = 09:00 Mexico City.
    assert re.search(r'class="session-card suggested" data-session="B"', mexico)


def test_chosen_zone_is_remembered_and_bad_zone_ignored(client, meeting):
    response = client.get(f"/meetings/{meeting.id}?tz=Asia/Kolkata")
    assert "tz=Asia/Kolkata" in response.headers["Set-Cookie"]
    assert "12:30" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)  # 07:00 UTC in Kolkata
    bad = client.get(f"/meetings/{meeting.id}?tz=<script>alert(1)</script>")
    assert bad.status_code == 200 and "<script>alert" not in bad.get_data(as_text=True)


def test_register_through_the_form(client, db, meeting):
    response = post_form(client, f"/meetings/{meeting.id}/register", _form(meeting))
    assert response.status_code == 303
    registration = db.scalar(sa.select(Registration))
    assert registration.email == "amadou@example.org" and registration.status == "confirmed"
    assert registration.listening_language == "en" and registration.timezone == "Africa/Dakar"
    assert db.scalar(sa.select(sa.func.count()).select_from(WorkstreamInterest)) == 2
    page = client.get(response.headers["Location"], headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert registration.manage_token in page
    assert "07:00" in page  # Dakar is UTC+0


def test_form_without_csrf_token_is_refused(client, db, meeting):
    response = client.post(f"/meetings/{meeting.id}/register", data=_form(meeting))
    assert response.status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_form_errors_are_shown_beside_fields_in_spanish(client, db, meeting):
    headers = {"Accept-Language": "es"}
    response = post_form(client, f"/meetings/{meeting.id}/register",
                         _form(meeting, email="not-an-email", consent=""), headers=headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert "privacidad" in html
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_manage_page_changes_session_and_cancels(client, db):
    meeting = make_meeting(db, capacity=5)
    post_form(client, f"/meetings/{meeting.id}/register", _form(meeting))
    token = db.scalar(sa.select(Registration.manage_token))
    manage_url = f"/manage/{token}"
    changed = post_form(client, manage_url, {
        "session_id": str(meeting.sessions[1].id), "language": "es", "timezone": "America/Bogota",
        "listening_language": "es", "spoken_language": "", "function": "", "liaison_email": "",
        "workstreams": ["2"]})
    assert changed.status_code == 303
    db.expire_all()
    registration = db.scalar(sa.select(Registration))
    assert registration.session.label == "B" and registration.timezone == "America/Bogota"
    html = client.get(manage_url).get_data(as_text=True)
    assert f'href="{manage_url}/cancel"' in html  # a link to a confirmation page, not a one-click POST
    confirm = client.get(f"{manage_url}/cancel", headers={"Accept-Language": "fr"})
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Annuler votre inscription ?" in page and "liste d'attente" in page
    db.expire_all()
    assert db.scalar(sa.select(Registration.status)) == "confirmed"  # looking changes nothing
    cancelled = client.post(f"{manage_url}/cancel", data={"csrf_token": csrf_token(page)})
    assert cancelled.status_code == 303
    db.expire_all()
    assert db.scalar(sa.select(Registration.status)) == "cancelled"
    after = client.get(manage_url).get_data(as_text=True)
    assert "Add to your calendar" not in after and "Remove it from your calendar" in after
    assert "Subscribe in your calendar app" not in after
    assert client.get(f"{manage_url}/cancel").status_code == 303  # nothing left to confirm


def test_every_error_in_one_pass_with_a_summary_and_described_fields(client, db, meeting):
    response = post_form(client, f"/meetings/{meeting.id}/register",
                         {"session_id": str(meeting.sessions[0].id), "name": "Ana", "timezone": "UTC",
                          "language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "There is a problem" in html
    summary = html[html.index("data-error-summary"):html.index("</ul>", html.index("data-error-summary"))]
    for target in ("#email", "#organization", "#category", "#country", "#consent"):
        assert f'href="{target}"' in summary, target
    assert "Please accept the privacy notice to register." in summary  # consent found in the same pass
    assert 'aria-describedby="email-error"' in html and 'id="email-error"' in html
    assert 'aria-describedby="timezone-hint"' in html and 'id="timezone-hint"' in html
    assert '<span class="optional">(optional)</span>' in html  # optional fields are marked
    assert 'href="#main"' in html and 'aria-label="Main"' in html  # skip link, named navigation


def test_wrong_manage_token_is_a_404_page(client):
    response = client.get("/manage/guess", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "lien" in response.get_data(as_text=True)


def test_workstream_sign_up_page(client, db):
    response = post_form(client, "/workstreams", {
        "organization": "Red de Personas Refugiadas", "category": "asylum_system_users", "country": "CO",
        "contact_name": "Luz", "contact_email": "luz@example.org", "workstreams": ["3"], "note": "Peer learning"})
    assert response.status_code == 303
    interest = db.scalar(sa.select(WorkstreamInterest))
    assert interest.workstream.number == 3 and interest.note == "Peer learning"


def test_language_switch_is_remembered_and_refuses_open_redirects(client, meeting):
    response = client.get(f"/language/es?next=/meetings/{meeting.id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert "Reunión mundial" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    evil = client.get("/language/fr?next=https://evil.example/")
    assert "evil.example" not in evil.headers["Location"]


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_page_renders_translated(client, db, meeting, language):
    post_form(client, f"/meetings/{meeting.id}/register", _form(meeting))
    token = db.scalar(sa.select(Registration.manage_token))
    english = {"/": "Global meetings", f"/meetings/{meeting.id}": "Seats left",
               f"/meetings/{meeting.id}/register": "Full name",
               f"/registrations/{token}/confirmation": "You are registered",
               f"/manage/{token}": "Save changes", "/workstreams": "Sign up your organization",
               "/privacy": "Privacy notice"}
    for url, text in english.items():
        response = client.get(url, headers={"Accept-Language": language})
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in html
        assert text not in html, f"untranslated text on {url}"


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_registering_again_with_a_known_address_never_shows_the_private_link(client, db, meeting):
    post_form(client, f"/meetings/{meeting.id}/register", _form(meeting))
    token = db.scalar(sa.select(Registration.manage_token))
    again = post_form(client, f"/meetings/{meeting.id}/register", _form(meeting, name="Someone Else"))
    assert again.status_code == 303 and token not in again.headers["Location"]
    page = client.get(again.headers["Location"], headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert token not in page and "usage unique" in page
    db.expire_all()
    assert db.scalar(sa.select(Registration.name)) != "Someone Else"  # nothing changed

