"""Follow-up meetings with the parties (twin sessions only when their zones need them), exports and pledges."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook
from support.factories import make_account
from support.logins import login
from support.mail import text_of
from support.pages import post_form
from support.support_matching import entry_input, make_entry, offer_input, proposed_match

from meetings.core.audit import AuditEntry
from meetings.core.db import utcnow
from meetings.models import GlobalMeeting
from meetings.outbox.models import OutboxMessage
from meetings.support import followup
from meetings.support import operations as ops
from meetings.support.models import Pledge


def _input(days=30, **overrides) -> followup.FollowupInput:
    values = dict(title="COI training follow-up", day=(utcnow() + timedelta(days=days)).date(), duration_minutes=90,
                  reference_zone="Europe/Zurich", join_url="https://meet.example.org/coi", capacity=20)
    values.update(overrides)
    return followup.FollowupInput(**values)


def test_parties_in_nearby_zones_get_one_session(app_context, db):
    sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
    match, _, _ = proposed_match(db, sec)  # Senegal and Spain
    parties = followup.parties_of(db, entry=match.request)
    assert [p.id for p in parties] == [match.request_id, match.offer_id]
    meeting = followup.invite_to_followup(db, parties, _input(), sec, utcnow())
    assert [s.label for s in meeting.sessions] == ["A"] and meeting.status == "open"
    assert meeting.sessions[0].join_url == "https://meet.example.org/coi"
    invitations = list(db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == "support.followup")))
    assert {tuple(m.to_addresses) for m in invitations} == {("awa@cnr.example.org",), ("luis@agencia.example.org",)}
    assert {m.language for m in invitations} == {"fr", "es"}
    assert all(f"/meetings/{meeting.id}/register" in text_of(db, m) for m in invitations)
    assert all("meet.example.org" not in text_of(db, m) for m in invitations)  # the join link comes with registration
    assert db.scalar(sa.select(AuditEntry.action).where(AuditEntry.subject_type == "global_meeting",
                                                        AuditEntry.subject_id == meeting.id)) == \
        "support.followup_invited"


def test_parties_far_apart_get_twin_sessions_from_the_planner(app_context, db):
    sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
    make_entry(db, entry_input(area="reception", organization="COMAR", country="MX", region="americas",
                               contact_email="m@comar.example.org"))
    make_entry(db, offer_input(area="reception", organization="Immigration NZ", country="NZ", region=None,
                               category="national_asylum_authority", contact_email="n@inz.example.org",
                               contact_language="en"))
    make_entry(db, entry_input(area="reception", organization="Office", country="PH", region="asia_pacific",
                               contact_email="p@ph.example.org", contact_language="en"))
    parties = followup.parties_of(db, area="reception")
    assert len(parties) == 3 and followup.parties_of(db) == parties  # the whole workstream: the same three
    result, needed = followup.plan_followup(parties, _input())
    assert needed == ("A", "B")
    assert {row.participant.country for row in result.rows} == {"MX", "NZ", "PH"}
    meeting = followup.invite_to_followup(db, parties, _input(), sec, utcnow())
    assert [s.label for s in meeting.sessions] == ["A", "B"]
    assert [s.starts_at for s in meeting.sessions] == [s.start for s in result.sessions]


def test_followup_page_plans_and_redirects_to_the_meeting(app, client, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        match, _, _ = proposed_match(db, sec)
    login(client, "sec@unhcr.example.org")
    url = f"/secretariat/support/entries/{match.request_id}/followup"
    day = (utcnow() + timedelta(days=30)).date().isoformat()
    bad = post_form(client, url, {"title": "Suivi", "date": day, "duration_minutes": "90",
                                  "reference_zone": "Europe/Zurich", "join_url": "http://insecure", "capacity": "20"})
    assert bad.status_code == 422
    response = post_form(client, url, {"title": "Suivi", "date": day, "duration_minutes": "90",
                                       "reference_zone": "Europe/Zurich", "join_url": "https://meet.example.org/x",
                                       "capacity": "20"})
    assert response.status_code == 303
    meeting = db.scalar(sa.select(GlobalMeeting).where(GlobalMeeting.title_en == "Suivi"))
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")


def test_exports_are_formula_safe_and_audited(app, client, db):
    with app.app_context():
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        make_entry(db, entry_input(title="=HYPERLINK(\"http://evil\")"))
        proposed_match(db, sec, request_data=entry_input(contact_email="b@cnr.example.org"))
    login(client, "sec@unhcr.example.org")
    csv_text = client.get("/secretariat/support/export/requests.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "awa@cnr.example.org" in csv_text
    xlsx = client.get("/secretariat/support/export/matches.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 2
    gap = client.get("/secretariat/support/export/gap.csv").get_data().decode("utf-8-sig")
    assert "Country of origin information" in gap
    assert client.get("/secretariat/support/export/nothing.csv").status_code == 404
    details = list(db.scalars(sa.select(AuditEntry.details).where(AuditEntry.action == "export.downloaded")
                              .order_by(AuditEntry.id)))
    assert [d["kind"] for d in details] == ["support-requests", "support-matches", "support-gap"]


def test_pledge_page_records_follow_up_with_matching_requests(app, client, db):
    with app.app_context():
        make_account(db, "sec@unhcr.example.org", role="secretariat")
        request, _ = make_entry(db, entry_input())
    login(client, "sec@unhcr.example.org")
    response = post_form(client, "/secretariat/support/pledges/new", {
        "title": "COI trainers", "organization_id": str(request.organization_id), "area": "country_information",
        "kind": "training", "region": "", "grf_edition": "GRF 2023", "status": "in_progress",
        "forum": "Regional forum, Dakar", "request_ids": [str(request.id)]})
    assert response.status_code == 303
    pledge = db.scalar(sa.select(Pledge))
    assert (pledge.status, pledge.grf_edition, [r.id for r in pledge.requests]) == \
        ("in_progress", "GRF 2023", [request.id])
    response = post_form(client, f"/secretariat/support/pledges/{pledge.id}", {
        "title": "COI trainers", "organization_id": str(request.organization_id), "area": "country_information",
        "kind": "training", "region": "", "grf_edition": "GRF 2023", "status": "fulfilled", "forum": "GRF 2027",
        "public_consent": "y"})
    assert response.status_code == 303
    db.expire_all()
    assert ops.public_pledges(db)[0].id == pledge.id
    assert "COI trainers" in client.get("/matches").get_data(as_text=True)
