"""Who reaches what in support matching: private links reach one thing only; the API follows the pages' rules."""

from __future__ import annotations

import pytest
from support.factories import make_account, make_organization
from support.logins import login
from support.pages import csrf_token
from support.support_matching import entry_input, make_entry, proposed_match

from meetings.core.db import utcnow
from meetings.support import operations as ops


@pytest.fixture
def world(app, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        make_account(db, "cc@example.org", org=make_organization(db))
        match, requester_link, offerer_link = proposed_match(db, sec)
        _outsider, outsider_token = make_entry(db, entry_input(contact_email="z@other.example.org",
                                                               organization="Other", country="TD"))
        hidden = ops.record_pledge(db, ops.PledgeInput(title="P", organization_id=match.offer.organization_id,
                                                       area="training", kind="training", grf_edition="GRF 2023"),
                                   sec, utcnow())
        db.commit()
    return {"match": match.id, "request": match.request_id, "offer": match.offer_id, "pledge": hidden.id,
            "requester": requester_link.rsplit("/", 1)[-1], "offerer": offerer_link.rsplit("/", 1)[-1],
            "outsider": outsider_token}


def test_private_links_reach_their_own_thing_only(client, world):
    assert client.get(f"/support/match/{world['requester']}").status_code == 200
    assert client.get(f"/support/entry/{world['requester']}").status_code == 404  # a match link is not an entry link
    assert client.get(f"/support/match/{world['outsider']}").status_code == 404
    assert client.get("/support/match/" + "x" * 43).status_code == 404
    assert client.get("/support/entry/" + "x" * 200).status_code == 404
    assert client.post(f"/support/match/{world['requester']}", data={"action": "accept"}).status_code == 400  # CSRF


def test_secretariat_pages_send_others_away(client, world):
    for path in ("/secretariat/support/", f"/secretariat/support/entries/{world['request']}",
                 f"/secretariat/support/matches/{world['match']}", "/secretariat/support/export/requests.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    login(client, "cc@example.org")
    for path in ("/secretariat/support/", "/secretariat/support/export/requests.csv"):
        assert client.get(path).status_code == 403
    token = csrf_token(client.get("/roundtables/").get_data(as_text=True))
    assert client.post(f"/secretariat/support/entries/{world['request']}/propose",
                       data={"csrf_token": token, "offer_id": world["offer"]}).status_code == 403


# (method, path template, body) -> expected status per visitor.
API = [
    ("GET", "/api/v1/support-requests", None,
     {"anonymous": 401, "co_convener": 403, "secretariat": 200, "requester": 401, "outsider": 401}),
    ("GET", "/api/v1/support-requests/{request}", None,
     {"anonymous": 401, "co_convener": 403, "secretariat": 200, "requester": 404, "outsider": 404}),
    ("GET", "/api/v1/support-offers/{offer}", None,
     {"anonymous": 401, "co_convener": 403, "secretariat": 200, "requester": 404, "outsider": 404}),
    ("PATCH", "/api/v1/support-offers/{offer}", {"title": "X"},
     {"anonymous": 401, "co_convener": 403, "secretariat": 200, "requester": 404, "outsider": 404}),
    ("GET", "/api/v1/support-requests/{request}/candidates", None,
     {"anonymous": 401, "co_convener": 403, "secretariat": 200, "requester": 401, "outsider": 401}),
    ("GET", "/api/v1/matches", None,
     {"anonymous": 200, "co_convener": 200, "secretariat": 200, "requester": 200, "outsider": 200}),
    ("GET", "/api/v1/matches/{match}", None,
     {"anonymous": 404, "co_convener": 404, "secretariat": 200, "requester": 200, "outsider": 404}),
    ("POST", "/api/v1/matches/{match}/transitions", {"action": "decline"},
     {"anonymous": 401, "co_convener": 403, "secretariat": 403, "requester": 200, "outsider": 404}),
    ("POST", "/api/v1/matches", {"request_id": "{request}", "offer_id": "{offer}"},
     {"anonymous": 401, "co_convener": 403, "secretariat": 409, "requester": 401, "outsider": 401}),
    ("GET", "/api/v1/pledges/{pledge}", None,
     {"anonymous": 404, "co_convener": 404, "secretariat": 200, "requester": 404, "outsider": 404}),
    ("POST", "/api/v1/pledges", {"title": "T", "organization_id": 0, "area": "training", "kind": "training",
                                 "grf_edition": "GRF 2023"},
     {"anonymous": 401, "co_convener": 403, "secretariat": 422, "requester": 401, "outsider": 401}),
    ("PATCH", "/api/v1/pledges/{pledge}", {"status": "fulfilled"},
     {"anonymous": 401, "co_convener": 403, "secretariat": 200, "requester": 401, "outsider": 401}),
]


def _fill(value, world):
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: int(_fill(v, world)) if isinstance(v, str) and v.startswith("{") else v for k, v in value.items()}
    return value


@pytest.mark.parametrize("visitor", ["anonymous", "co_convener", "secretariat", "requester", "outsider"])
def test_api_authorization_matrix(client, world, visitor):
    headers = {}
    if visitor in ("requester", "outsider"):
        headers["Authorization"] = f"Bearer {world[visitor]}"
    elif visitor != "anonymous":
        login(client, {"co_convener": "cc@example.org", "secretariat": "sec@unhcr.example.org"}[visitor])
    problems = []
    for method, path, body, expected in API:
        url = _fill(path, world)
        response = client.open(url, method=method, json=_fill(body, world), headers=headers)
        if response.status_code != expected[visitor]:
            problems.append(f"{method} {url}: {response.status_code} != {expected[visitor]}")
        assert response.is_json or response.status_code >= 300
    assert problems == []
