"""Organization API keys: a ministry's own system registers its delegation, trusted for that organization only."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from support.api import registration_payload
from support.logins import login_as
from support.pages import csrf_token, post_form

from meetings.core.audit import AuditEntry
from meetings.models import Registration
from meetings.organizations.api_keys import OrganizationApiKey
from meetings.outbox.models import OutboxMessage

ORG = {"organization": "Comisión de Refugiados", "category": "national_asylum_authority", "country": "MX"}


def _create_key(client, db, name="Mission system") -> str:
    login_as(client, db)
    response = post_form(client, "/secretariat/api-keys", {**ORG, "name": name})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    return re.search(r'<code id="new-key">([^<]+)</code>', response.get_data(as_text=True)).group(1)


def _register(client, meeting, key, email="ana@example.org", label="A", **overrides):
    session = next(s for s in meeting.sessions if s.label == label)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post(f"/api/v1/meetings/{meeting.id}/registrations", headers=headers,
                       json=registration_payload(session.id, email, **{**ORG, **overrides}))


def test_a_key_is_shown_once_and_stored_as_a_digest(client, db):
    key = _create_key(client, db)
    assert key.startswith("acsg_") and len(key) > 40
    db.expire_all()
    row = db.scalar(sa.select(OrganizationApiKey))
    assert key not in (row.key_hash, row.hint) and key.startswith(row.hint)
    assert key not in client.get("/secretariat/api-keys").get_data(as_text=True)
    assert db.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "api_key.created"))


def test_registrations_with_a_key_are_trusted_and_audited(client, db, meeting):
    key = _create_key(client, db)
    first = _register(client, meeting, key, liaison_email="mission@un.example.org")
    assert first.status_code == 201 and first.json["email_verified"] is True
    invite = client.get(f"/registrations/{first.json['token']}/invite.ics").get_data(as_text=True)
    assert meeting.sessions[0].join_url in invite
    again = _register(client, meeting, key, email="ANA@example.org", label="B", name="Ana María Pérez")
    assert again.status_code == 200 and again.json["session"]["label"] == "B"
    assert again.json["name"] == "Ana María Pérez"
    db.expire_all()
    topics = {m.topic for m in db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email"))}
    assert "registration.verify" not in topics and "registration.liaison_copy" in topics
    uses = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "api_key.registration")).all()
    assert len(uses) == 2 and all(u.actor_label.startswith("api-key:acsg_") for u in uses)
    assert db.scalar(sa.select(OrganizationApiKey.last_used_at)) is not None


def test_a_keys_last_use_is_noted_to_the_minute(client, db, meeting):
    key = _create_key(client, db)
    assert _register(client, meeting, key).status_code == 201
    first_use = db.scalar(sa.select(OrganizationApiKey.last_used_at))
    assert first_use is not None
    assert _register(client, meeting, key, email="ben@example.org").status_code == 201
    db.expire_all()
    assert db.scalar(sa.select(OrganizationApiKey.last_used_at)) == first_use  # within the minute: unchanged
    db.execute(sa.update(OrganizationApiKey).values(last_used_at=first_use - timedelta(minutes=1)))
    db.commit()
    assert _register(client, meeting, key, email="chen@example.org").status_code == 201
    db.expire_all()
    assert db.scalar(sa.select(OrganizationApiKey.last_used_at)) > first_use
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                     .where(AuditEntry.action == "api_key.registration")) == 3  # every use is audited


def test_a_key_reaches_its_own_organization_only(client, db, meeting):
    key = _create_key(client, db)
    other = _register(client, meeting, key, organization="Another Ministry")
    assert other.status_code == 403 and other.json["error"]["code"] == "other_organization"
    anonymous = _register(client, meeting, None, email="someone@example.org", organization="Another Ministry",
                          country="AR")
    assert anonymous.status_code == 201
    takeover = _register(client, meeting, key, email="someone@example.org", label="B", name="Changed")
    assert takeover.status_code == 403
    db.expire_all()
    kept = db.scalar(sa.select(Registration).where(Registration.email_key == "someone@example.org"))
    assert kept.name == "Ana Pérez" and kept.session.label == "A"


def test_wrong_or_revoked_keys_are_refused_in_the_visitors_language(client, db, meeting):
    key = _create_key(client, db)
    wrong = _register(client, meeting, "acsg_wrong")
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "invalid_api_key"
    page = client.get("/secretariat/api-keys").get_data(as_text=True)
    key_id = db.scalar(sa.select(OrganizationApiKey.id))
    assert client.post(f"/secretariat/api-keys/{key_id}/revoke",
                       data={"csrf_token": csrf_token(page)}).status_code == 303
    revoked = _register(client, meeting, key)
    assert revoked.status_code == 401
    french = client.post(f"/api/v1/meetings/{meeting.id}/registrations", json=registration_payload(
        meeting.sessions[0].id, "x@example.org", **ORG), headers={"Authorization": f"Bearer {key}",
                                                                 "Accept-Language": "fr"})
    assert french.status_code == 401 and french.json["error"]["message"] != revoked.json["error"]["message"]


def test_the_openapi_document_describes_the_key_scheme(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["organizationKey"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"][
            "organizationKey"]["description"]}
    post = spec["paths"]["/api/v1/meetings/{meeting_id}/registrations"]["post"]
    assert {"organizationKey": []} in post["security"] and {"201", "202", "401", "403"} <= set(post["responses"])


def test_nobody_but_the_secretariat_sees_the_keys(live_app):
    client = live_app.test_client()
    assert client.get("/secretariat/api-keys").status_code in (302, 401)


def test_a_keyed_update_of_an_unverified_registration_takes_the_strangers_token_away(client, db, meeting):
    key = _create_key(client, db)
    stranger = _register(client, meeting, None, email="delegate@comar.example.org")
    assert stranger.status_code == 201 and stranger.json["email_verified"] is False
    trusted = _register(client, meeting, key, email="Delegate@comar.example.org")
    assert trusted.status_code == 200 and trusted.json["email_verified"] is True
    assert client.get(f"/api/v1/registrations/{stranger.json['token']}").status_code == 404
