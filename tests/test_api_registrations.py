"""The JSON API: meetings with seats, registering, re-registering, moving, cancelling, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.api import register, registration_payload
from support.factories import make_meeting

from meetings.models import Registration
from meetings.organizations.models import WorkstreamInterest


def _count(db, **filters) -> int:
    query = sa.select(sa.func.count()).select_from(Registration)
    for name, value in filters.items():
        query = query.where(getattr(Registration, name) == value)
    return db.scalar(query)


def test_meetings_list_has_the_documented_shape(client, meeting):
    register(client, meeting)
    body = client.get("/api/v1/meetings").json
    (item,) = [m for m in body if m["id"] == meeting.id]
    assert item["status"] == "open"
    assert "national_asylum_authority" in item["allowed_categories"]
    a, b = item["sessions"]
    assert (a["label"], b["label"]) == ("A", "B")
    assert a["start_utc"] == "2027-03-17T07:00:00Z" and b["start_utc"] == "2027-03-17T15:00:00Z"
    assert a["duration_minutes"] == 180 and a["capacity"] == 50
    assert (a["seats_left"], b["seats_left"]) == (49, 50)
    assert "join" not in str(item) and "secret" not in str(item)


def test_drafts_are_not_listed(client, db):
    draft = make_meeting(db, edition="2028-1", status="draft")
    assert draft.id not in [m["id"] for m in client.get("/api/v1/meetings").json]
    assert client.get(f"/api/v1/meetings/{draft.id}").status_code == 404


def test_register_then_register_again_changes_nothing(client, db, meeting):
    first = register(client, meeting, workstreams=[1, 3])
    assert first.status_code == 201
    body = first.json
    assert body["status"] == "confirmed" and len(body["token"]) >= 40
    assert body["session"]["label"] == "A" and body["workstreams"] == [1, 3]
    again = register(client, meeting, email="ANA@Example.org", label="B", name="Ana María Pérez")
    assert again.status_code == 202
    assert "token" not in again.json and again.json["status"] == "link_sent"  # an address proves nothing
    owner = client.get(f"/api/v1/registrations/{body['token']}").json
    assert owner["session"]["label"] == "A" and owner["name"] == "Ana Pérez"
    assert _count(db, meeting_id=meeting.id) == 1


def test_a_registration_shows_every_workstream_its_organization_signed_up_to(client, db, meeting):
    assert register(client, meeting, workstreams=[3]).json["workstreams"] == [3]
    colleague = register(client, meeting, email="colleague@example.org", workstreams=[1, 3]).json
    assert colleague["workstreams"] == [1, 3]  # the sign-up made before, and the new one
    third = register(client, meeting, email="third@example.org", organization="COMISIÓN  de refugiados").json
    assert third["workstreams"] == [1, 3]
    assert client.get(f"/api/v1/registrations/{third['token']}").json["workstreams"] == [1, 3]
    assert register(client, meeting, email="other@example.org", organization="Other").json["workstreams"] == []
    assert db.scalar(sa.select(sa.func.count()).select_from(WorkstreamInterest)) == 2


def test_email_uniqueness_is_enforced_by_the_database(client, db, meeting):
    register(client, meeting)
    existing = db.scalar(sa.select(Registration))
    duplicate = Registration(
        meeting_id=meeting.id, session_id=existing.session_id, organization_id=existing.organization_id,
        name="X", email="Ana@example.org", email_key="ana@example.org", timezone="UTC",
        consent_given_at=existing.consent_given_at, status="confirmed")
    db.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError):
        db.flush()
    db.rollback()


def test_beyond_capacity_is_waitlisted_and_cancellation_promotes_oldest(client, db):
    meeting = make_meeting(db, capacity=2)
    tokens = [register(client, meeting, email=f"p{i}@example.org").json for i in range(4)]
    assert [t["status"] for t in tokens] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [t["waitlist_position"] for t in tokens[2:]] == [1, 2]
    cancelled = client.delete(f"/api/v1/registrations/{tokens[0]['token']}")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert client.get(f"/api/v1/registrations/{tokens[2]['token']}").json["status"] == "confirmed"
    assert client.get(f"/api/v1/registrations/{tokens[3]['token']}").json["waitlist_position"] == 1
    assert _count(db, session_id=meeting.sessions[0].id, status="confirmed") == 2


def test_the_answer_gives_the_waitlist_position_the_registration_has_once_committed(client, db):
    meeting = make_meeting(db, capacity=1)
    register(client, meeting, email="seated@example.org")
    first = register(client, meeting, email="first@example.org").json
    later = db.scalar(sa.select(Registration).where(Registration.email == "first@example.org"))
    later.waitlisted_at += timedelta(hours=1)  # as if it had been waitlisted after the next one
    db.commit()
    second = register(client, meeting, email="second@example.org").json
    third = register(client, meeting, email="third@example.org").json
    assert (second["waitlist_position"], third["waitlist_position"]) == (1, 2)  # ahead of "first" now
    for answer, position in ((second, 1), (first, 3), (third, 2)):
        assert client.get(f"/api/v1/registrations/{answer['token']}").json["waitlist_position"] == position
    moved = client.patch(f"/api/v1/registrations/{first['token']}",
                         json={"session_id": meeting.sessions[1].id, "accept_waitlist": True}).json
    assert moved["status"] == "confirmed" and moved["waitlist_position"] is None
    moved_back = client.patch(f"/api/v1/registrations/{first['token']}",
                              json={"session_id": meeting.sessions[0].id, "accept_waitlist": True}).json
    assert moved_back["status"] == "waitlisted" and moved_back["waitlist_position"] == 3
    assert client.get(f"/api/v1/registrations/{first['token']}").json["waitlist_position"] == 3


def test_moving_from_a_to_b_frees_the_seat_in_a(client, db):
    meeting = make_meeting(db, capacity=1)
    mover = register(client, meeting, email="mover@example.org").json
    waiting = register(client, meeting, email="waiting@example.org").json
    assert waiting["status"] == "waitlisted"
    moved = client.patch(f"/api/v1/registrations/{mover['token']}", json={"session_id": meeting.sessions[1].id})
    assert moved.status_code == 200
    assert moved.json["session"]["label"] == "B" and moved.json["status"] == "confirmed"
    assert client.get(f"/api/v1/registrations/{waiting['token']}").json["status"] == "confirmed"


def test_moving_to_a_full_session_keeps_the_seat_unless_waitlist_accepted(client, db):
    meeting = make_meeting(db, capacity=1)
    holder = register(client, meeting, email="a@example.org").json
    register(client, meeting, email="b@example.org", label="B")
    refused = client.patch(f"/api/v1/registrations/{holder['token']}", json={"session_id": meeting.sessions[1].id},
                           headers={"Accept-Language": "fr"})
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "session_full"
    assert "complète" in refused.json["error"]["message"]
    kept = client.get(f"/api/v1/registrations/{holder['token']}").json
    assert kept["session"]["label"] == "A" and kept["status"] == "confirmed"
    moved = client.patch(f"/api/v1/registrations/{holder['token']}",
                         json={"session_id": meeting.sessions[1].id, "accept_waitlist": True})
    assert moved.json["status"] == "waitlisted" and moved.json["session"]["label"] == "B"


def test_patch_changes_language_needs_timezone_and_workstreams(client, meeting):
    token = register(client, meeting, workstreams=[1]).json["token"]
    changed = client.patch(f"/api/v1/registrations/{token}", json={
        "listening_language": "fr", "timezone": "Asia/Kathmandu", "workstreams": [2, 4]})
    assert changed.status_code == 200
    assert changed.json["listening_language"] == "fr"
    assert changed.json["timezone"] == "Asia/Kathmandu"
    assert changed.json["workstreams"] == [2, 4]


def test_workstream_interest_sign_up_is_idempotent(client, db):
    body = {"organization": "Ministry of Interior", "category": "national_asylum_authority", "country": "KE",
            "contact_name": "Wanjiru", "contact_email": "w@example.org", "workstreams": [3, 4], "note": "Training"}
    assert client.post("/api/v1/workstream-interests", json=body).status_code == 201
    assert client.post("/api/v1/workstream-interests", json=body).status_code == 201
    assert db.scalar(sa.select(sa.func.count()).select_from(WorkstreamInterest)) == 2


@pytest.mark.parametrize(("overrides", "field", "code", "language", "fragment"), [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "unknown_timezone", "fr", "fuseau horaire"),
    ({"language": "de"}, "language", "unsupported_language", "es", "inglés, francés o español"),
    ({"email": "ana@@example"}, "email", "invalid_email", "fr", "adresse électronique"),
    ({"name": "x" * 201}, "name", "too_long", "es", "200"),
    ({"consent": False}, "consent", "consent_required", "fr", "confidentialité"),
    ({"country": "ZZ"}, "country", "unknown_country", "es", "país"),
    ({"category": "astronauts"}, "category", "unknown_category", "fr", "catégorie"),
    ({"session_id": 999999}, "session_id", "unknown_session", "es", "sesión"),
    ({"spoken_language": "it"}, "spoken_language", "unsupported_language", "fr", "anglais"),
])
def test_bad_input_gets_localized_422_and_stores_nothing(client, db, meeting, overrides, field, code, language,
                                                        fragment):
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                           json={**registration_payload(meeting.sessions[0].id), **overrides},
                           headers={"Accept-Language": language})
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == code and error["status"] == 422
    assert fragment in error["fields"][field]
    assert _count(db) == 0


def test_wrong_types_and_unknown_fields_get_localized_422(client, meeting):
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                           json={"session_id": "A", "surprise": 1}, headers={"Accept-Language": "es"})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert "número entero" in fields["session_id"]
    assert fields["email"] == "Este campo es obligatorio."
    assert "surprise" in fields


def test_non_json_body_is_a_4xx(client, meeting):
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations", data="name=x",
                           headers={"Content-Type": "text/plain"})
    assert 400 <= response.status_code < 500
    assert "error" in response.json


def test_wrong_token_is_a_localized_404(client):
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)("/api/v1/registrations/not-a-real-token", json={},
                                           headers={"Accept-Language": "fr"})
        assert response.status_code == 404
        assert response.json["error"]["code"] == "unknown_token"
        assert "lien" in response.json["error"]["message"]


def test_closed_meeting_refuses_registration(client, db):
    meeting = make_meeting(db, status="closed")
    response = register(client, meeting)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "meeting_not_open"
    assert _count(db) == 0


def test_only_allowed_categories_may_register(client, db):
    meeting = make_meeting(db, categories=["national_asylum_authority", "permanent_mission"])
    refused = register(client, meeting, category="private_sector", **{})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "category_not_allowed"
    assert register(client, meeting, email="pm@example.org", category="permanent_mission").status_code == 201


def test_failed_change_loses_nothing(client, meeting):
    token = register(client, meeting).json["token"]
    bad = client.patch(f"/api/v1/registrations/{token}", json={"timezone": "Nowhere/Land", "language": "fr"})
    assert bad.status_code == 422
    after = client.get(f"/api/v1/registrations/{token}").json
    assert after["timezone"] == "America/Mexico_City" and after["language"] == "es"


def test_cancelled_registration_cannot_be_changed_but_can_register_again(client, meeting):
    token = register(client, meeting).json["token"]
    client.delete(f"/api/v1/registrations/{token}")
    assert client.patch(f"/api/v1/registrations/{token}", json={"language": "fr"}).status_code == 409
    again = register(client, meeting)  # starts again, unverified, with new private links
    assert again.status_code == 201 and again.json["status"] == "confirmed" and again.json["token"] != token
    assert client.get(f"/api/v1/registrations/{token}").status_code == 404


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/meetings", "/api/v1/meetings/{meeting_id}/registrations",
                 "/api/v1/registrations/{token}", "/api/v1/workstream-interests"):
        assert path in spec["paths"], path
    assert set(spec["paths"]["/api/v1/registrations/{token}"]) >= {"get", "patch", "delete"}
    assert "RegistrationIn" in spec["components"]["schemas"]
