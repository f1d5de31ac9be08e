"""Workstream follow-up: one action invites each signed-up contact, localized, once; invited, registered, declined."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from support.api import register
from support.factories import make_account, make_organization
from support.logins import login
from support.mail import subject_of, text_of
from support.pages import csrf_token, post_form
from support.roundtables import advance, proposal_input

from meetings.core.db import utcnow
from meetings.organizations.operations import sign_up_workstreams
from meetings.outbox.models import OutboxMessage
from meetings.roundtables import followup
from meetings.roundtables import operations as ops
from meetings.roundtables.models import RoundtableInvitation


def _scheduled(app, db):
    with app.app_context():
        ana = make_account(db, "ana@comar.example.org", org=make_organization(db))
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        roundtable = ops.create_proposal(db, ana, proposal_input(), utcnow())
        advance(db, roundtable, sec, "submit", "accept")
        ops.schedule_roundtable(db, roundtable, sec, ops.ScheduleInput(
            starts=(utcnow() + timedelta(days=40), utcnow() + timedelta(days=40, hours=8)), duration_minutes=120,
            capacity=50, join_urls=("https://meet.example.org/a", "https://meet.example.org/b")), utcnow())
        signups = [
            ("Comisión Nacional de Refugiados", "national_asylum_authority", "AR", "americas", "Lucía",
             "lucia@conare.example.org"),
            ("Office national de protection (SN)", "national_asylum_authority", "SN", "west_central_africa", "Awa",
             "awa@cnr.example.org"),
            ("Refugee Law Clinic", "civil_society", "DE", "europe", "Jonas", "jonas@clinic.example.org"),
            ("Tech for Asylum Ltd", "private_sector", "GB", "europe", "Sam", "sam@tech.example.org"),
        ]
        for name, category, country, region, contact, email in signups:
            sign_up_workstreams(db, make_organization(db, name, category, country, region), (3,), contact, email, "",
                                utcnow())
        other = make_organization(db, "Only workstream 1", "civil_society", "FR", "europe")
        sign_up_workstreams(db, other, (1,), "Marie", "marie@ws1.example.org", "", utcnow())
        db.commit()
    return roundtable


def test_one_action_invites_each_contact_in_their_language_once(app, client, db):
    roundtable = _scheduled(app, db)
    login(client, "ana@comar.example.org")  # a co-convener of this roundtable
    url = f"/roundtables/{roundtable.id}/invitations"
    assert post_form(client, url, {}).status_code == 303
    invitations = {i.email_key: i for i in db.scalars(sa.select(RoundtableInvitation))}
    # Workstream 3 only; the private sector may not register for this roundtable, so it is not invited.
    assert set(invitations) == {"lucia@conare.example.org", "awa@cnr.example.org", "jonas@clinic.example.org"}
    assert {k: i.language for k, i in invitations.items()} == {
        "lucia@conare.example.org": "es", "awa@cnr.example.org": "fr", "jonas@clinic.example.org": "en"}
    mails = {m.to_addresses[0]: m for m in db.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.topic == "roundtable.invitation"))}
    assert set(mails) == {"lucia@conare.example.org", "awa@cnr.example.org", "jonas@clinic.example.org"}
    awa = mails["awa@cnr.example.org"]
    assert awa.language == "fr" and "Invitation" in subject_of(db, awa)
    assert f"/meetings/{roundtable.meeting_id}/register?lang=es" in text_of(db, mails["lucia@conare.example.org"])
    assert "/invitations/" in text_of(db, mails["jonas@clinic.example.org"])
    # Once per contact: sending again invites nobody new.
    assert post_form(client, url, {}).status_code == 303
    assert db.scalar(sa.select(sa.func.count()).select_from(RoundtableInvitation)) == 3
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.topic == "roundtable.invitation")) == 3


def test_filters_by_category_and_region(app, db):
    roundtable = _scheduled(app, db)
    with app.app_context():
        result = followup.invite_workstream(db, roundtable, roundtable.proposer, utcnow(),
                                            categories=("national_asylum_authority",), regions=("americas",))
    assert [i.email_key for i in result.invited] == ["lucia@conare.example.org"]


def test_page_shows_invited_registered_and_declined(app, client, db):
    roundtable = _scheduled(app, db)
    with app.app_context():
        followup.invite_workstream(db, roundtable, roundtable.proposer, utcnow())
        db.commit()
        mail = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_addresses.is_not(None),
                                                        OutboxMessage.topic == "roundtable.invitation",
                                                        OutboxMessage.language == "fr"))
    decline_path = "/invitations/" + text_of(db, mail).split("/invitations/")[1].split()[0]
    token = decline_path.split("/")[2]
    stored = db.scalar(sa.select(RoundtableInvitation).where(RoundtableInvitation.email_key == "awa@cnr.example.org"))
    assert len(token) >= 40 and token not in stored.decline_hash  # only the digest is kept
    # Opening the link changes nothing (mail scanners); the button declines.
    page = client.get(decline_path)
    assert page.status_code == 200 and stored.status == "invited"
    response = client.post(decline_path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 200 and 'id="declined"' in response.get_data(as_text=True)
    assert client.get("/invitations/" + "x" * 43 + "/decline").status_code == 404
    # Someone of the Argentine commission registers (another e-mail, same organization).
    created = register(client, roundtable.meeting, "director@conare.example.org",
                       organization="Comisión Nacional de Refugiados", country="AR")
    assert created.status_code == 201
    db.expire_all()
    standings = {row.invitation.email_key: row.standing for row in followup.invitation_rows(db, roundtable)}
    assert standings == {"lucia@conare.example.org": "registered", "awa@cnr.example.org": "declined",
                         "jonas@clinic.example.org": "invited"}
    login(client, "sec@unhcr.example.org")
    html = client.get(f"/roundtables/{roundtable.id}/invitations").get_data(as_text=True)
    assert 'data-standing="registered"' in html and 'data-standing="declined"' in html


def test_invitations_need_a_scheduled_roundtable(app, client, db):
    with app.app_context():
        ana = make_account(db, "ana@comar.example.org", org=make_organization(db))
        roundtable = ops.create_proposal(db, ana, proposal_input(), utcnow())
        db.commit()
    login(client, "ana@comar.example.org")
    response = post_form(client, f"/roundtables/{roundtable.id}/invitations", {},
                         page=f"/roundtables/{roundtable.id}/invitations")
    assert response.status_code == 409
    assert db.scalar(sa.select(sa.func.count()).select_from(RoundtableInvitation)) == 0
