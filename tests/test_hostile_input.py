"""Hostile or absurd input is refused with a 4xx, never a 500, and nothing is stored."""

from __future__ import annotations

import sqlalchemy as sa
from support.api import post_registration, register, registration_payload
from support.pages import post_form

from meetings.models import Registration


def test_huge_ids_in_urls_are_404(client):
    for url in ("/api/v1/meetings/99999999999999", "/meetings/99999999999999",
                "/api/v1/meetings/99999999999999/registrations"):
        assert client.get(url).status_code in (404, 405), url


def test_nul_characters_are_refused(client, db, meeting):
    body = registration_payload(meeting.sessions[0].id, name="Ana\u0000Pérez")
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations", json=body,
                           headers={"Accept-Language": "fr"})
    assert response.status_code == 400 and response.json["error"]["code"] == "http_400"
    page = client.get(f"/meetings/{meeting.id}?tz=Europe/Paris\u0000")
    assert page.status_code == 400
    form = post_form(client, f"/meetings/{meeting.id}/register", {"name": "A\u0000", "email": "a@example.org"})
    assert form.status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_out_of_range_numbers_in_json_are_422(client, db, meeting):
    assert register(client, meeting, workstreams=[99999999999]).status_code == 422
    assert post_registration(client, meeting.id, 99999999999).status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_malformed_json_is_a_4xx(client, meeting):
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations", data="{not json",
                           headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations", json=[1, 2, 3])
    assert 400 <= response.status_code < 500
