"""/api/v1 support endpoints: the same authorization as the pages, documented in the OpenAPI document."""

from __future__ import annotations

import sqlalchemy as sa
from support.factories import make_account, make_organization
from support.logins import login
from support.support_matching import entry_input, links_sent_to, make_entry, offer_input, proposed_match

from meetings.support.models import SupportEntry

BODY = {"organization": "Commission nationale pour les réfugiés", "category": "national_asylum_authority",
        "country": "SN", "contact_name": "Awa Diop", "contact_email": "awa@cnr.example.org",
        "contact_language": "fr", "title": "Formation COI", "area": "country_information", "kind": "training",
        "working_languages": ["fr"], "region": "west_central_africa", "text_language": "fr"}


def _bearer(link: str) -> dict:
    return {"Authorization": f"Bearer {link.rsplit('/', 1)[-1]}"}


def test_paths_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/support-requests", "/api/v1/support-offers", "/api/v1/support-requests/{entry_id}",
                 "/api/v1/support-requests/{entry_id}/candidates", "/api/v1/matches", "/api/v1/matches/{match_id}",
                 "/api/v1/matches/{match_id}/transitions", "/api/v1/pledges", "/api/v1/pledges/{pledge_id}"):
        assert path in paths, path


def test_anyone_may_submit_an_entry_that_waits_for_confirmation_and_gets_no_token(app, client, db):
    response = client.post("/api/v1/support-requests", json=BODY)
    assert response.status_code == 201
    assert response.json["status"] == "unconfirmed" and "token" not in str(response.json).lower()
    [link] = links_sent_to(db, "awa@cnr.example.org")
    entry_id = response.json["id"]
    assert client.get(f"/api/v1/support-requests/{entry_id}").status_code == 401
    mine = client.get(f"/api/v1/support-requests/{entry_id}", headers=_bearer(link))
    assert mine.status_code == 200 and mine.json["contact"]["email"] == "awa@cnr.example.org"
    confirmed = client.patch(f"/api/v1/support-requests/{entry_id}", json={"status": "open", "title": "COI"},
                             headers=_bearer(link))
    assert confirmed.status_code == 200 and confirmed.json["status"] == "open" and confirmed.json["title"] == "COI"


def test_a_token_reaches_its_own_entry_only(app, client, db):
    with app.app_context():
        _mine, token = make_entry(db, entry_input())
        other, _ = make_entry(db, offer_input())
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/support-offers/{other.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/support-requests/{other.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/support-requests/1", headers={"Authorization": "Bearer nope"}).status_code == 404
    assert client.get(f"/api/v1/support-requests/{_mine.id}/candidates", headers=headers).status_code == 401


def test_states_only_request_and_errors_are_localized(client):
    response = client.post("/api/v1/support-requests", json={**BODY, "category": "academia"},
                           headers={"Accept-Language": "fr"})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "states_request"
    assert "Seuls les États" in response.json["error"]["message"]
    bad = client.post("/api/v1/support-offers", json={**BODY, "working_languages": ["xx"]})
    assert bad.status_code == 422 and bad.json["error"]["fields"] == {
        "working_languages": "“xx” is not a two-letter ISO 639-1 language code."}


def test_secretariat_lists_ranks_proposes_and_follows(app, client, db):
    with app.app_context():
        make_account(db, "sec@unhcr.example.org", role="secretariat")
        make_account(db, "cc@example.org", org=make_organization(db))
        request, _ = make_entry(db, entry_input())
        offer, _ = make_entry(db, offer_input())
    assert client.get("/api/v1/support-requests").status_code == 401
    login(client, "cc@example.org")
    assert client.get("/api/v1/support-requests").status_code == 403
    assert client.post("/api/v1/matches", json={"request_id": request.id, "offer_id": offer.id}).status_code == 403
    client.post("/account/logout")
    client.delete_cookie("session")
    login(client, "sec@unhcr.example.org")
    assert [e["id"] for e in client.get("/api/v1/support-requests").json] == [request.id]
    [candidate] = client.get(f"/api/v1/support-requests/{request.id}/candidates",
                             headers={"Accept-Language": "es"}).json
    assert candidate["offer"]["id"] == offer.id
    assert candidate["score"] == sum(r["points"] for r in candidate["reasons"])
    assert {"code": "same_area", "points": 40, "text": "Mismo ámbito del sistema de asilo"} in candidate["reasons"]
    created = client.post("/api/v1/matches", json={"request_id": request.id, "offer_id": offer.id})
    assert created.status_code == 201 and created.json["status"] == "proposed"
    refused = client.post(f"/api/v1/matches/{created.json['id']}/transitions", json={"action": "accept"})
    assert refused.status_code == 403  # the secretariat never answers for a party
    again = client.post("/api/v1/matches", json={"request_id": request.id, "offer_id": offer.id})
    assert again.status_code == 409


def test_parties_answer_through_their_tokens(app, client, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        match, requester, offerer = proposed_match(db, sec)
    url = f"/api/v1/matches/{match.id}/transitions"
    assert client.post(url, json={"action": "accept"}).status_code == 401
    assert client.post(url, json={"action": "close"}, headers=_bearer(requester)).status_code == 403
    first = client.post(url, json={"action": "accept", "consent": True}, headers=_bearer(requester))
    assert first.status_code == 200 and first.json["status"] == "proposed"
    second = client.post(url, json={"action": "accept", "consent": True}, headers=_bearer(offerer))
    assert second.json["status"] == "agreed"
    started = client.post(url, json={"action": "start"}, headers=_bearer(offerer))
    assert started.json["status"] == "under_way"
    no_outcome = client.post(url, json={"action": "complete"}, headers=_bearer(requester))
    assert no_outcome.status_code == 422 and no_outcome.json["error"]["code"] == "outcome_required"
    done = client.post(url, json={"action": "complete", "outcome": "12 officers trained"}, headers=_bearer(requester))
    assert done.json["status"] == "completed" and done.json["dates"]["completed"]
    assert client.get(f"/api/v1/matches/{match.id}", headers=_bearer(offerer)).json["outcome"] == \
        "12 officers trained"
    assert db.scalar(sa.select(SupportEntry.status).where(SupportEntry.id == match.request_id)) == "matched"


def test_a_cross_site_form_cannot_write_with_the_secretariat_cookie(app, client, db):
    with app.app_context():
        make_account(db, "sec@unhcr.example.org", role="secretariat")
        request, _ = make_entry(db, entry_input())
        offer, _ = make_entry(db, offer_input())
    login(client, "sec@unhcr.example.org")
    body = f'{{"request_id": {request.id}, "offer_id": {offer.id}}}'
    response = client.post("/api/v1/matches", data=body, content_type="text/plain")
    assert response.status_code == 415  # not JSON: refused before any handler runs
    assert client.get("/api/v1/matches").json == []
