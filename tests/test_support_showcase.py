"""The public showcase, its feed and the public API: nothing without both parties' (or the pledger's) consent."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from support.factories import make_account
from support.support_matching import proposed_match

from meetings.core.db import utcnow
from meetings.support import operations as ops

ATOM = "{http://www.w3.org/2005/Atom}"


def _agree(db, match, requester_consent: bool, offerer_consent: bool):
    ops.change_match(db, match, "requester", "accept", utcnow(), consent=requester_consent)
    ops.change_match(db, match, "offerer", "accept", utcnow(), consent=offerer_consent)
    db.commit()
    return match


def _visible(client, match) -> dict[str, bool]:
    page = client.get("/matches?lang=en").get_data(as_text=True)
    feed = client.get("/matches/feed.atom").get_data(as_text=True)
    api = client.get("/api/v1/matches").json
    return {"page": f'id="match-{match.id}"' in page, "feed": f"support-match-{match.id}<" in feed,
            "api": any(m["id"] == match.id for m in api),
            "api_item": client.get(f"/api/v1/matches/{match.id}").status_code == 200}


@pytest.mark.parametrize("consents", [(False, False), (True, False), (False, True)])
def test_nothing_is_shown_without_both_consents(app, client, db, consents):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        match, _, _ = proposed_match(db, sec)
        _agree(db, match, *consents)
    assert match.status == "agreed"
    assert _visible(client, match) == {"page": False, "feed": False, "api": False, "api_item": False}
    assert "Commission nationale" not in client.get("/matches").get_data(as_text=True)


def test_both_consents_show_the_match_in_three_languages_without_private_data(app, client, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        match, requester_link, _ = proposed_match(db, sec)
        _agree(db, match, True, True)
    assert _visible(client, match) == {"page": True, "feed": True, "api": True, "api_item": True}
    texts = {lang: client.get(f"/matches?lang={lang}").get_data(as_text=True) for lang in ("en", "fr", "es")}
    assert "Country of origin information" in texts["en"]
    assert "Information sur les pays d&#39;origine" in texts["fr"]
    assert "Información sobre países de origen" in texts["es"]
    for text in [*texts.values(), client.get("/matches/feed.atom").get_data(as_text=True),
                 str(client.get("/api/v1/matches").json)]:
        assert "awa@cnr.example.org" not in text and "Awa Diop" not in text
        assert requester_link.rsplit("/", 1)[-1] not in text
    assert texts["fr"].count("<svg") == 2
    [public] = client.get("/api/v1/matches").json
    assert set(public) <= {"id", "status", "area", "kind", "region", "requester", "offerer", "agreed_at"}


def test_a_party_can_take_its_consent_back(app, client, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        match, _, offerer_link = proposed_match(db, sec)
        _agree(db, match, True, True)
    assert _visible(client, match)["page"]
    from support.pages import csrf_token

    token = csrf_token(client.get(offerer_link).get_data(as_text=True))
    assert client.post(offerer_link, data={"csrf_token": token, "action": "consent"}).status_code == 303
    assert _visible(client, match) == {"page": False, "feed": False, "api": False, "api_item": False}


def test_the_feed_is_valid_atom_with_localized_titles(app, client, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        match, _, _ = proposed_match(db, sec)
        _agree(db, match, True, True)
    response = client.get("/matches/feed.atom?lang=es")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    [entry] = root.findall(f"{ATOM}entry")
    assert "apoya a" in entry.find(f"{ATOM}title").text
    assert entry.find(f"{ATOM}updated").text.endswith("Z")


def test_pledges_are_public_only_when_fulfilled_and_consented(app, client, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        match, _, _ = proposed_match(db, sec)
        base = dict(title="Trainers for COI units", organization_id=match.offer.organization_id,
                    area="country_information", kind="training", grf_edition="GRF 2023", forum="Quito Process",
                    request_ids=(match.request_id,))
        hidden = ops.record_pledge(db, ops.PledgeInput(**base, status="fulfilled"), sec, utcnow())
        announced = ops.record_pledge(db, ops.PledgeInput(**{**base, "title": "Announced one"},
                                                          public_consent=True), sec, utcnow())
        shown = ops.record_pledge(db, ops.PledgeInput(**{**base, "title": "Shown one"}, status="fulfilled",
                                                      public_consent=True), sec, utcnow())
        db.commit()
    page = client.get("/matches").get_data(as_text=True)
    assert f'id="pledge-{shown.id}"' in page
    assert f'id="pledge-{hidden.id}"' not in page and f'id="pledge-{announced.id}"' not in page
    assert [p["id"] for p in client.get("/api/v1/pledges").json] == [shown.id]
    assert client.get(f"/api/v1/pledges/{hidden.id}").status_code == 404
    assert shown.requests[0].id == match.request_id
