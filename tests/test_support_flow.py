"""Support requests and offers through the pages and operations: entry, confirmation, matching, answers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from support.factories import make_account
from support.logins import login
from support.mail import subject_of
from support.pages import csrf_token, post_form
from support.support_matching import entry_input, links_sent_to, make_entry, offer_input, proposed_match

from meetings.core.audit import AuditEntry
from meetings.core.db import utcnow
from meetings.core.errors import Conflict, InvalidInput
from meetings.outbox.models import OutboxMessage
from meetings.support import operations as ops
from meetings.support.models import SupportEntry, SupportMatch


def _form(**overrides) -> dict:
    data = {"side": "request", "organization": "Commission nationale pour les réfugiés",
            "category": "national_asylum_authority", "country": "SN", "organization_region": "west_central_africa",
            "contact_name": "Awa Diop", "contact_email": "awa@cnr.example.org", "contact_language": "fr",
            "title": "Formation sur l'information sur les pays d'origine", "area": "country_information",
            "kind": "training", "working_languages": ["fr"], "other_languages": "wo", "region": "west_central_africa",
            "period_from": "2027-03-01", "period_to": "2027-06-30", "text_language": "fr",
            "description": "Former les officiers de protection."}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_state_requests_support_and_confirms_it_from_the_emailed_link(app, client, db):
    response = post_form(client, "/support/new?lang=fr", _form())
    assert response.status_code == 200
    assert "awa@cnr.example.org" in response.get_data(as_text=True)
    entry = db.scalar(sa.select(SupportEntry))
    assert entry.status == "unconfirmed" and entry.working_languages == ["fr", "wo"]
    assert entry.token_hash and len(entry.token_hash) == 64
    [link] = links_sent_to(db, "awa@cnr.example.org")
    mail = db.scalar(sa.select(OutboxMessage))
    assert mail.language == "fr" and "Formation" in subject_of(db, mail)
    page = client.get(link + "?lang=fr")
    assert page.status_code == 200 and "Confirmer" in page.get_data(as_text=True)
    db.expire_all()
    assert db.get(SupportEntry, entry.id).status == "unconfirmed"  # opening the link changes nothing
    token = csrf_token(page.get_data(as_text=True))
    assert client.post(link + "/confirm", data={"csrf_token": token}).status_code == 303
    db.expire_all()
    assert db.get(SupportEntry, entry.id).status == "open"


def test_only_states_request_support_but_anyone_offers(app, client, db):
    response = post_form(client, "/support/new?lang=es", _form(category="civil_society", organization="ONG"))
    assert response.status_code == 422
    assert "Solo los Estados" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(SupportEntry)) == 0
    response = post_form(client, "/support/new", _form(side="offer", category="civil_society", organization="ONG",
                                                       region=""))
    assert response.status_code == 200
    assert db.scalar(sa.select(SupportEntry.side)) == "offer"


def test_bad_input_is_a_localized_422_listing_every_field(app, client, db):
    response = post_form(client, "/support/new?lang=fr", _form(other_languages="zz", period_to="2027-01-01",
                                                               contact_email="not an address"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "« zz » n&#39;est pas un code de langue ISO 639-1" in html
    assert html.count('<p class="error"') == 3  # the language, the period and the address, all at once
    assert db.scalar(sa.select(sa.func.count()).select_from(SupportEntry)) == 0


def test_unconfirmed_entries_are_capped_per_address_and_per_client(app_context, db):
    for _ in range(ops.UNCONFIRMED_PER_DAY):
        ops.create_entry(db, entry_input(), utcnow())
    with pytest.raises(ops.TooMany):
        ops.create_entry(db, entry_input(), utcnow())
    for index in range(ops.ANONYMOUS_PER_CLIENT_PER_DAY):
        ops.create_entry(db, entry_input(contact_email=f"c{index}@example.org"), utcnow(), client="192.0.2.7")
    with pytest.raises(ops.TooMany):
        ops.create_entry(db, entry_input(contact_email="new@example.org"), utcnow(), client="192.0.2.7")
    ops.create_entry(db, entry_input(contact_email="new@example.org"), utcnow(), client="192.0.2.8")
    assert "192.0.2.7" not in {e.client_hash for e in db.scalars(sa.select(SupportEntry))}


def test_too_many_entries_is_a_localized_429(app, client, db):
    for index in range(ops.ANONYMOUS_PER_CLIENT_PER_DAY):
        assert client.post("/api/v1/support-offers", json={
            "organization": "ONG", "category": "civil_society", "country": "FR", "contact_name": "A",
            "contact_email": f"a{index}@example.org", "title": "T", "area": "training", "kind": "training",
            "working_languages": ["fr"]}).status_code == 201
    response = post_form(client, "/support/new?lang=es", _form(side="offer"))
    assert response.status_code == 429
    assert "Demasiados intentos" in response.get_data(as_text=True)


def test_secretariat_sees_candidates_with_reasons_and_proposes(app, client, db):
    with app.app_context():
        make_account(db, "sec@unhcr.example.org", role="secretariat")
        request, _ = make_entry(db, entry_input())
        good, _ = make_entry(db, offer_input())
        weak, _ = make_entry(db, offer_input(kind="funding", organization="Fondation", category="private_sector",
                                             contact_email="f@fondation.example.org", working_languages=("en",)))
        make_entry(db, offer_input(area="reception", kind="equipment", organization="Other",
                                   contact_email="o@o.example.org"))
    login(client, "sec@unhcr.example.org")
    html = client.get(f"/secretariat/support/entries/{request.id}?lang=en").get_data(as_text=True)
    assert html.index(f'data-offer="{good.id}"') < html.index(f'data-offer="{weak.id}"')
    assert "Same area of the asylum system" in html and "Common working language: fr" in html
    response = post_form(client, f"/secretariat/support/entries/{request.id}/propose", {"offer_id": str(good.id)},
                         page=f"/secretariat/support/entries/{request.id}")
    assert response.status_code == 303
    match = db.scalar(sa.select(SupportMatch))
    assert match.status == "proposed" and match.score == sum(r["points"] for r in match.reasons)
    assert len(links_sent_to(db, "awa@cnr.example.org")) == 2  # entry link, then the answer link
    assert len(links_sent_to(db, "luis@agencia.example.org")) == 2
    assert db.scalar(sa.select(AuditEntry.action).where(AuditEntry.subject_type == "support_match")) == \
        "support.match_proposed"


def test_both_parties_accept_from_their_links_then_it_is_agreed(app, client, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        match, requester, offerer = proposed_match(db, sec)
    page = client.get(requester)
    assert page.status_code == 200
    db.expire_all()
    assert db.get(SupportMatch, match.id).requester_response == "pending"  # a mail scanner's GET does nothing
    token = csrf_token(page.get_data(as_text=True))
    assert client.post(requester, data={"csrf_token": token, "action": "accept", "consent": "y"}).status_code == 303
    db.expire_all()
    match = db.get(SupportMatch, match.id)
    assert (match.status, match.requester_response, match.requester_consent) == ("proposed", "accepted", True)
    token = csrf_token(client.get(offerer).get_data(as_text=True))
    assert client.post(offerer, data={"csrf_token": token, "action": "accept", "consent": "y"}).status_code == 303
    db.expire_all()
    match = db.get(SupportMatch, match.id)
    assert match.status == "agreed" and match.agreed_at is not None
    assert match.request.status == "matched"
    topics = set(db.scalars(sa.select(OutboxMessage.topic)))
    assert "support.match_agreed" in topics


def test_a_party_declines_and_the_request_is_open_again(app, client, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        match, requester, _offerer = proposed_match(db, sec)
    token = csrf_token(client.get(requester).get_data(as_text=True))
    client.post(requester, data={"csrf_token": token, "action": "decline"})
    db.expire_all()
    match = db.get(SupportMatch, match.id)
    assert match.status == "declined" and match.ended_at is not None and match.request.status == "open"


def test_who_may_move_a_match(app_context, db):
    sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
    match, _, _ = proposed_match(db, sec)
    with pytest.raises(ops.Forbidden):
        ops.change_match(db, match, "secretariat", "accept", utcnow(), actor=sec)  # never answers for a party
    with pytest.raises(Conflict):
        ops.change_match(db, match, "requester", "start", utcnow())  # not agreed yet: 409
    with pytest.raises(ops.Forbidden):
        ops.change_match(db, match, "requester", "close", utcnow())  # only the secretariat closes
    with pytest.raises(ops.Forbidden):
        ops.change_match(db, match, "secretariat", "withdraw", utcnow(), actor=None)  # needs the account
    ops.change_match(db, match, "requester", "accept", utcnow())
    ops.change_match(db, match, "offerer", "accept", utcnow())
    ops.change_match(db, match, "offerer", "start", utcnow())
    with pytest.raises(InvalidInput):
        ops.change_match(db, match, "requester", "complete", utcnow())  # an outcome is required
    ops.change_match(db, match, "requester", "complete", utcnow(), outcome="Twelve officers trained.")
    ops.change_match(db, match, "secretariat", "close", utcnow(), actor=sec)
    assert match.status == "closed"
    assert all((match.agreed_at, match.started_at, match.completed_at, match.ended_at))
    assert match.outcome == "Twelve officers trained."


def test_the_gap_counts_requests_without_offers_by_area_and_region(app_context, db):
    make_entry(db, entry_input())
    make_entry(db, entry_input(contact_email="b@cnr.example.org", title="Deux"))
    make_entry(db, entry_input(area="reception", region="americas", organization="COMAR", country="MX",
                               contact_email="c@comar.example.org"))
    make_entry(db, offer_input(region=None))  # any region counts in each region of its area
    rows = {(r.area, r.region): (r.requests, r.offers, r.unmet) for r in ops.gap(db)}
    assert rows == {("country_information", "west_central_africa"): (2, 1, 1), ("reception", "americas"): (1, 0, 1)}


def test_the_secretariat_sees_the_gap_with_charts(app, client, db):
    with app.app_context():
        make_account(db, "sec@unhcr.example.org", role="secretariat")
        make_entry(db, entry_input())
        make_entry(db, entry_input(contact_email="b@cnr.example.org", title="Deux"))
    login(client, "sec@unhcr.example.org")
    html = client.get("/secretariat/support/?lang=fr").get_data(as_text=True)
    assert 'id="chart-gap-area"' in html and 'id="chart-gap-region"' in html
    assert "Information sur les pays d&#39;origine: 2" in html  # the bar's tooltip: two requests without an offer


def test_an_organization_cannot_be_matched_with_itself(app_context, db):
    sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
    request, _ = make_entry(db, entry_input())
    offer, _ = make_entry(db, offer_input(organization=request.organization.name, country="SN",
                                          contact_email="other@cnr.example.org"))
    assert ops.candidates_for(db, request) == []
    with pytest.raises(Conflict):
        ops.propose_match(db, request, offer, sec, utcnow())


def _edit_fields(**overrides) -> dict:
    data = {"title": "Formation COI (modifiée)", "area": "country_information", "kind": "expertise",
            "working_languages": ["fr", "en"], "other_languages": "", "region": "", "text_language": "fr",
            "description": "Nouvelle description."}
    data.update(overrides)
    return data


def test_the_contact_changes_and_closes_the_entry_from_the_link(app, client, db):
    with app.app_context():
        entry, token = make_entry(db, entry_input())
    link = f"/support/entry/{token}"
    assert post_form(client, link, _edit_fields()).status_code == 303
    db.expire_all()
    entry = db.get(SupportEntry, entry.id)
    assert (entry.title, entry.kind, entry.working_languages, entry.region, entry.side) == \
        ("Formation COI (modifiée)", "expertise", ["fr", "en"], None, "request")
    assert post_form(client, link, _edit_fields(working_languages=[], other_languages="")).status_code == 422
    html = client.get(link).get_data(as_text=True)
    assert client.post(link + "/close", data={"csrf_token": csrf_token(html)}).status_code == 303
    db.expire_all()
    assert db.get(SupportEntry, entry.id).status == "closed"
    assert client.post(link, data={**_edit_fields(), "csrf_token": csrf_token(html)}).status_code == 409


def test_the_secretariat_enters_and_edits_on_behalf_audited(app, client, db):
    with app.app_context():
        make_account(db, "sec@unhcr.example.org", role="secretariat")
    login(client, "sec@unhcr.example.org")
    response = post_form(client, "/secretariat/support/new", _form(side="offer", category="academia",
                                                                   organization="University"))
    assert response.status_code == 303
    entry = db.scalar(sa.select(SupportEntry))
    assert entry.status == "open" and entry.side == "offer" and entry.entered_by_id is not None
    assert len(links_sent_to(db, "awa@cnr.example.org")) == 1  # the contact can still check and change it
    assert post_form(client, f"/secretariat/support/entries/{entry.id}/edit", _edit_fields()).status_code == 303
    actions = list(db.scalars(sa.select(AuditEntry.action).where(AuditEntry.subject_type == "support_entry")
                              .order_by(AuditEntry.id)))
    assert actions == ["support.offer_entered", "support.entry_updated"]
