"""A registration belongs to whoever reads its address: each test is an attacker's own requests.

A stranger knows a delegate's e-mail address and nothing else; they must not move, rename or read the
delegate's registration, get its join link, or make the service mail a third party.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from support.api import registration_payload
from support.identity import links_sent_to, use_link, verify
from support.mail import calendar_of, text_of
from support.pages import csrf_token, post_form
from support.tasks import run_background_tasks
from test_console_privacy import _traces

from meetings.accounts.operations import create_account
from meetings.core.db import utcnow
from meetings.core.rules import email_key
from meetings.models import Registration
from meetings.organizations.models import Workstream, WorkstreamInterest
from meetings.outbox.models import OutboxMessage
from meetings.registrations.models import RegistrationSignIn
from meetings.roundtables.followup import invite_workstream
from meetings.roundtables.models import Roundtable, RoundtableInvitation
from meetings.sessions.messages import sweep_reminders

OWNER = "ana.perez@example.org"
ATTACKER_LIAISON = "relay@attacker.example.net"


def _post(client, meeting, email, label="A", **overrides):
    session = next(s for s in meeting.sessions if s.label == label)
    return client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                       json=registration_payload(session.id, email, **overrides))


def _emails_to(db, address):
    db.expire_all()
    return [m for m in db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email"))
            if email_key(address) in {email_key(a) for a in [*m.to_addresses, *m.cc_addresses]}]


def _join_url(meeting, label="A"):
    return next(s.join_url for s in meeting.sessions if s.label == label)


@pytest.mark.parametrize("first, second, same", [
    ("JOSÉ.PÉREZ@Example.ORG", "josé.pérez@example.org", True),
    ("ana@BÜCHER.example", "Ana@xn--bcher-kva.example", True),
    ("strasse@example.de", "straße@example.de", False),
    ("fi@example.org", "\ufb01@example.org", False),
])
def test_one_comparison_key_never_merges_two_mailboxes(first, second, same):
    assert (email_key(first) == email_key(second)) is same
    assert email_key(first) == email_key(email_key(first))


def test_strasse_registering_never_touches_strasse_with_eszett(client, db, meeting):
    # New addresses with letters beyond ASCII before the @ are refused (they could not be mailed); one
    # stored before that rule keeps its own key, which strasse@ never matches.
    assert _post(client, meeting, "straße@example.de").status_code == 422
    owner = _post(client, meeting, "strasze@example.de")
    assert owner.status_code == 201
    db.execute(sa.update(Registration).where(Registration.manage_token == owner.json["token"])
               .values(email="straße@example.de", email_key=email_key("straße@example.de")))
    db.commit()
    newcomer = _post(client, meeting, "strasse@example.de", label="B", name="Someone Else")
    assert newcomer.status_code == 201 and newcomer.json["token"] != owner.json["token"]
    db.expire_all()
    kept = db.scalar(sa.select(Registration).where(Registration.manage_token == owner.json["token"]))
    assert kept.email == "straße@example.de" and kept.session.label == "A"
    assert all("straße" not in " ".join(m.to_addresses) for m in _emails_to(db, "strasse@example.de"))


def test_the_same_address_in_any_case_changes_nothing_and_mails_only_its_owner(client, db, meeting):
    first = _post(client, meeting, OWNER, function="Director")
    token = verify(client, db, OWNER)
    before = {m.id for m in _emails_to(db, OWNER)}

    answer = client.post(f"/api/v1/meetings/{meeting.id}/registrations", headers={"Accept-Language": "fr"},
                         json=registration_payload(meeting.sessions[1].id, "ANA.Perez@EXAMPLE.org", name="Evil Twin",
                                                   organization="Attacker Ltd", liaison_email=ATTACKER_LIAISON))
    assert first.status_code == 201
    assert answer.status_code == 202
    assert answer.json["status"] == "link_sent" and "courriel" in answer.json["message"]
    assert "token" not in answer.json and "Evil" not in str(answer.json) and "Ana" not in str(answer.json)
    db.expire_all()
    registration = db.scalar(sa.select(Registration).where(Registration.manage_token == token))
    assert registration.session.label == "A" and registration.name == "Ana Pérez"
    assert registration.organization.name == "Comisión de Refugiados" and registration.liaison_email is None
    assert registration.function == "Director"
    assert _emails_to(db, ATTACKER_LIAISON) == []
    new = [m for m in _emails_to(db, OWNER) if m.id not in before]
    assert [m.topic for m in new] == ["registration.sign_in"]
    assert "Evil" not in text_of(db, new[0]) and new[0].language == "es"  # the owner's language, not the visitor's


def test_the_registration_page_answers_in_the_visitors_language_and_changes_nothing(client, db, meeting):
    _post(client, meeting, OWNER)
    token = verify(client, db, OWNER)
    page = f"/meetings/{meeting.id}/register"
    form = {"session_id": meeting.sessions[1].id, "name": "Evil Twin", "email": OWNER.upper(),
            "organization": "Attacker Ltd", "category": "civil_society", "country": "FR", "language": "fr",
            "timezone": "Europe/Paris", "consent": "y", "liaison_email": ATTACKER_LIAISON}
    response = post_form(client, page, form, headers={"Accept-Language": "fr"})
    assert response.status_code == 303
    html = client.get(response.headers["Location"], headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Rien n’a été modifié" in html or "Rien n'a été modifié" in html
    db.expire_all()
    registration = db.scalar(sa.select(Registration).where(Registration.manage_token == token))
    assert (registration.session.label, registration.name) == ("A", "Ana Pérez")
    assert _emails_to(db, ATTACKER_LIAISON) == []


def test_a_stranger_who_registered_first_loses_the_registration_to_the_owner(client, db, meeting):
    stranger = _post(client, meeting, OWNER, liaison_email=ATTACKER_LIAISON)
    assert stranger.status_code == 201
    stolen, feed = stranger.json["token"], stranger.json["links"]["feed_ics"]
    join = _join_url(meeting)
    # Unverified: the stranger's token reaches no join link anywhere, and nobody else is mailed.
    assert stranger.json["email_verified"] is False
    for url in (f"/api/v1/registrations/{stolen}", f"/registrations/{stolen}/invite.ics",
                f"/registrations/{stolen}/confirmation", f"/manage/{stolen}", feed.replace("http://localhost", "")):
        body = client.get(url).get_data(as_text=True)
        assert join not in body and unquote(join) not in unquote(body), url
    assert _emails_to(db, ATTACKER_LIAISON) == []
    assert [m.topic for m in _emails_to(db, OWNER)] == ["registration.verify"]

    # The owner types the address again: a sign-in link; opening it (GET, as a mail scanner) spends nothing.
    assert _post(client, meeting, OWNER.upper()).status_code == 202
    link = links_sent_to(db, OWNER)[-1]
    assert client.get(f"/sign-in/{link}").status_code == 200
    assert client.get(f"/api/v1/registrations/{stolen}").status_code == 200
    response = use_link(client, link)
    assert response.status_code == 303
    fresh = response.headers["Location"].rsplit("/manage/", 1)[1]
    assert fresh != stolen
    for url in (f"/api/v1/registrations/{stolen}", f"/manage/{stolen}", f"/registrations/{stolen}/invite.ics",
                feed.replace("http://localhost", "")):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/sign-in/{link}").status_code == 404  # single use
    other_form = client.get(f"/meetings/{meeting.id}/register").get_data(as_text=True)
    assert client.post(f"/sign-in/{link}", data={"csrf_token": csrf_token(other_form)}).status_code == 404
    assert client.get(f"/sign-in/{links_sent_to(db, OWNER)[0]}").status_code == 404  # the others are spent too
    # Verified now: the owner's token reaches the join link, and a fresh invite carries it.
    assert join in client.get(f"/registrations/{fresh}/invite.ics").get_data(as_text=True)
    assert client.get(f"/api/v1/registrations/{fresh}").json["email_verified"] is True
    (verified,) = [m for m in _emails_to(db, OWNER) if m.topic == "registration.verified"]
    assert join in calendar_of(db, verified) and verified.calendar_method == "REQUEST"


def test_no_reminder_and_no_liaison_copy_before_verification(app, client, db, meeting):
    _post(client, meeting, OWNER, liaison_email="liaison@mission.example.org")
    one_day_before = meeting.sessions[0].starts_at - timedelta(days=1)
    with app.app_context():
        assert sweep_reminders(db, one_day_before) == 0
    assert _emails_to(db, "liaison@mission.example.org") == []
    verify(client, db, OWNER)
    with app.app_context():
        assert sweep_reminders(db, one_day_before) == 1


def test_links_expire_and_are_stored_only_as_digests(client, db, meeting):
    _post(client, meeting, OWNER)
    (token,) = links_sent_to(db, OWNER)
    stored = db.scalar(sa.select(RegistrationSignIn))
    assert token not in (stored.token_hash, str(stored.__dict__))
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert client.get(f"/sign-in/{token}").status_code == 404
    assert client.get("/sign-in/not-a-link").status_code == 404


def test_an_address_receives_at_most_a_few_messages_a_day_from_anonymous_requests(client, db, meeting):
    _post(client, meeting, OWNER)
    for _ in range(12):
        assert _post(client, meeting, OWNER).status_code == 202
    assert len(_emails_to(db, OWNER)) == 5


def test_the_daily_share_counts_the_last_24_hours_only(client, db, meeting):
    for _ in range(6):
        _post(client, meeting, OWNER)
    assert len(links_sent_to(db, OWNER)) == 5
    db.execute(sa.update(RegistrationSignIn).values(created_at=utcnow() - timedelta(days=1, minutes=1)))
    db.commit()
    assert _post(client, meeting, OWNER).status_code == 202
    assert len(_emails_to(db, OWNER)) == 6  # the day's share starts again
    assert db.scalar(sa.select(sa.func.count()).select_from(RegistrationSignIn)) == 6


def test_feeds_and_calendar_links_carry_no_manage_link(client, db, meeting):
    _post(client, meeting, OWNER)
    token = verify(client, db, OWNER)
    registration = client.get(f"/api/v1/registrations/{token}").json
    feed = client.get(registration["links"]["feed_ics"].replace("http://localhost", "")).get_data(as_text=True)
    assert _join_url(meeting) in feed
    html = client.get(f"/manage/{token}").get_data(as_text=True)
    third_party = [part.split('"')[0] for part in html.split('href="')[1:]
                   if "calendar.google.com" in part or "outlook." in part]
    assert len(third_party) == 3
    for text in [feed, *third_party]:
        assert token not in unquote(text) and "/manage/" not in unquote(text)


def _sign_up(client, contact_email, workstreams, contact_name="Colleague", **extra):
    return client.post("/api/v1/workstream-interests", json={
        "organization": "Comisión de Refugiados", "category": "national_asylum_authority", "country": "MX",
        "contact_name": contact_name, "contact_email": contact_email, "workstreams": workstreams, **extra})


def _interests(db):
    db.expire_all()
    return {i.workstream.number: (i.contact_name, i.contact_email)
            for i in db.scalars(sa.select(WorkstreamInterest))}


def test_an_anonymous_sign_up_never_replaces_a_contact(client, db):
    assert _sign_up(client, "focal.point@comar.example.org", [1], contact_name="Focal Point").status_code == 201
    attack = _sign_up(client, "attacker@example.net", [1, 2], contact_name="Attacker", note="call me")
    assert attack.status_code == 201
    assert _interests(db) == {1: ("Focal Point", "focal.point@comar.example.org"),
                              2: ("Attacker", "attacker@example.net")}
    page = "/workstreams"
    form = {"organization": "Comisión de Refugiados", "category": "national_asylum_authority", "country": "MX",
            "contact_name": "Attacker", "contact_email": "attacker@example.net", "workstreams": ["1", "3"]}
    assert post_form(client, page, form).status_code == 303
    assert _interests(db)[1] == ("Focal Point", "focal.point@comar.example.org") and 3 in _interests(db)


def test_a_registrant_removes_only_the_sign_ups_they_made(client, db, meeting):
    _sign_up(client, "colleague@comar.example.org", [1, 2])
    _post(client, meeting, OWNER, workstreams=[3])
    token = verify(client, db, OWNER)
    assert set(_interests(db)) == {1, 2, 3}
    response = client.patch(f"/api/v1/registrations/{token}", json={"workstreams": []})
    assert response.status_code == 200
    assert _interests(db) == {1: ("Colleague", "colleague@comar.example.org"),
                              2: ("Colleague", "colleague@comar.example.org")}


def test_erasure_clears_every_contact_matched_by_the_key_in_every_table(client, db, meeting):
    name, address = "José Pérez-Ñuñez", "Jose.Perez@Exämple.org"  # capitals beyond ASCII in the domain
    spellings = [address, address.upper(), "jose.perez@xn--exmple-cua.org"]
    _post(client, meeting, address, name=name, workstreams=[3])
    token = verify(client, db, address)
    _sign_up(client, address.upper(), [3, 4], contact_name=name, organization="Otra Comisión", country="CL")
    actor = create_account(db, email="sec@unhcr.example.org", name="Sec", role="secretariat", password="x" * 12)
    roundtable = Roundtable(organization_id=db.scalar(sa.select(Registration.organization_id)),
                            workstream_id=db.scalar(sa.select(Workstream.id).where(Workstream.number == 3)),
                            title_en="Roundtable", status="scheduled", meeting_id=meeting.id)
    db.add(roundtable)
    db.flush()
    with client.application.app_context():
        assert invite_workstream(db, roundtable, actor, utcnow()).to_invite == 1
    run_background_tasks(client.application, db)
    invited = db.scalars(sa.select(RoundtableInvitation)).all()
    assert [email_key(i.contact_email) for i in invited] == [email_key(address)]  # one key for two spellings
    assert _traces(db, [name, *spellings])

    response = post_form(client, f"/manage/{token}/delete", {"confirm": "y"})
    assert response.status_code == 303
    db.expire_all()
    assert _traces(db, [name, *spellings, email_key(address)]) == []
    assert db.scalar(sa.select(sa.func.count()).select_from(RoundtableInvitation)) == 1  # the count stays


def test_one_registrants_tokens_never_reach_another_and_a_feed_token_opens_only_the_feed(client, db, meeting):
    _post(client, meeting, OWNER, name="Ana Owner")
    ana = verify(client, db, OWNER)
    _post(client, meeting, "ben@example.org", name="Ben Other", label="B")
    ben = verify(client, db, "ben@example.org")
    ana_feed = client.get(f"/api/v1/registrations/{ana}").json["links"]["feed_ics"].rsplit("/", 1)[1][:-4]
    for url in (f"/api/v1/registrations/{ana}", f"/manage/{ana}", f"/registrations/{ana}/confirmation",
                f"/registrations/{ana}/invite.ics", f"/manage/{ana}/data.json", f"/feeds/participant/{ana_feed}.ics"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "Ben Other" not in body and "ben@example.org" not in body and ben not in body, url
        assert _join_url(meeting, "B") not in body, url
    for url in (f"/api/v1/registrations/{ana_feed}", f"/manage/{ana_feed}", f"/registrations/{ana_feed}/invite.ics",
                f"/manage/{ana_feed}/data.json", f"/feeds/participant/{ana}.ics"):
        assert client.get(url).status_code == 404, url
    assert client.delete(f"/api/v1/registrations/{ana_feed}").status_code == 404
