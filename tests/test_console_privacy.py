"""Privacy: the participant downloads and deletes their data through the manage link; after erasure no
personal data is left in any table; the secretariat (button or CLI) anonymizes meetings past retention."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.console import populated_meeting
from support.factories import make_meeting
from support.identity import registered_verified
from support.logins import login_as
from support.pages import csrf_token, post_form

from meetings.accounts.models import LoginAttempt
from meetings.core import db as dbmod
from meetings.core.audit import AuditEntry
from meetings.core.db import utcnow
from meetings.jobs.definitions import tasks_job
from meetings.models import GlobalMeeting, Registration
from meetings.organizations.models import WorkstreamInterest
from meetings.outbox.models import OutboxMessage

NAME = "Zelda Quintanilla-Ortiz"
EMAIL = "Zelda.Q@Example.org"
LIAISON = "liaison.zq@mission.example.org"
FUNCTION = "Head of the Zq unit"


def _zelda(client, meeting, label="A", **extra) -> str:
    return registered_verified(client, meeting, EMAIL, label, name=NAME, liaison_email=LIAISON,
                               function=FUNCTION, organization="Red de Refugiados del Sur", country="CL",
                               category="civil_society", region="americas", timezone="America/Santiago",
                               workstreams=[2, 4], **extra)["token"]


def _traces(db, needles: list[str]) -> list[str]:
    """Every (table.column) of a text or JSON column, in every table, where a needle appears."""
    found = []
    needles = [n.casefold() for n in needles]
    for table in dbmod.Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
        if not columns:
            continue
        for row in db.execute(sa.select(*columns)).all():
            for column, value in zip(columns, row, strict=True):
                text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value or "")
                if any(n in text.casefold() for n in needles):
                    found.append(f"{table.name}.{column.name}")
    return found


def test_the_participant_downloads_everything_held_about_them(client, db):
    meeting = make_meeting(db)
    token = _zelda(client, meeting)
    response = client.get(f"/manage/{token}/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["registration"]["name"] == NAME and data["registration"]["email"].casefold() == EMAIL.casefold()
    assert data["registration"]["liaison_email"] == LIAISON and data["registration"]["consent_given_at"]
    assert data["organization"] == {"name": "Red de Refugiados del Sur", "category": "civil_society", "country": "CL",
                                    "region": "americas"}
    assert sorted(i["workstream"] for i in data["workstream_interests"]) == [2, 4]
    assert data["emails"] and all(e["topic"] and e["status"] and e["queued_at"] for e in data["emails"])
    assert all(e["subject"] for e in data["emails"] if e["status"] == "sent")  # written when composed and sent
    assert {e["to"][0].casefold() for e in data["emails"]} == {EMAIL.casefold(), LIAISON}
    assert client.get("/manage/not-a-token/data.json").status_code == 404


def test_manage_page_shows_consent_and_the_two_buttons_in_three_languages(client, db):
    meeting = make_meeting(db)
    token = _zelda(client, meeting)
    for language, words in (("en", ["accepted the privacy notice", "Download my data", "Delete my data"]),
                            ("fr", ["Télécharger mes données", "Supprimer mes données"]),
                            ("es", ["Descargar mis datos", "Eliminar mis datos"])):
        html = client.get(f"/manage/{token}", headers={"Accept-Language": language}).get_data(as_text=True)
        for word in words:
            assert word in html, (language, word)
        delete_page = client.get(f"/manage/{token}/delete", headers={"Accept-Language": language})
        assert delete_page.status_code == 200 and 'style="' not in delete_page.get_data(as_text=True)


def test_erasure_leaves_no_personal_data_anywhere(client, db):
    meeting = make_meeting(db, capacity=1)
    token = _zelda(client, meeting)
    waiting = registered_verified(client, meeting, "next@example.org", name="Next One")
    assert waiting["status"] == "waitlisted"
    # The same e-mail signed another organization up to a workstream, and mistyped a staff login once.
    client.post("/api/v1/workstream-interests", json={
        "organization": "Another body", "category": "academia", "country": "AR", "workstreams": [1],
        "contact_name": NAME, "contact_email": EMAIL.upper()})
    db.add(LoginAttempt(email_key=EMAIL.casefold(), ip="203.0.113.9", attempted_at=utcnow()))
    db.commit()
    login_as(client, db)  # a secretariat views the lists and marks nothing: their own trail must hold no name
    client.get(f"/secretariat/console/lists/registrations.csv?meeting_id={meeting.id}")
    assert set(_traces(db, [NAME, EMAIL, LIAISON, FUNCTION, token])) >= {
        "registrations.name", "registrations.email", "outbox.to_addresses", "workstream_interests.contact_email",
        "login_attempts.email_key"}

    url = f"/manage/{token}/delete"
    assert post_form(client, url, {}).status_code == 422  # not ticked: nothing happens
    assert client.post(url, data={"confirm": "y"}).status_code == 400  # no CSRF token
    assert _traces(db, [EMAIL])
    response = post_form(client, url, {"confirm": "y"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/privacy")

    db.expire_all()
    assert _traces(db, [NAME, EMAIL, LIAISON, FUNCTION, token]) == []
    assert client.get(f"/manage/{token}").status_code == 404
    erased = db.scalar(sa.select(Registration).where(Registration.meeting_id == meeting.id,
                                                     Registration.email == ""))
    assert erased.status == "cancelled" and erased.timezone == "America/Santiago"  # anonymous counts remain
    promoted = db.scalar(sa.select(Registration).where(Registration.email == "next@example.org"))
    assert promoted.status == "confirmed"  # the freed seat went to the waiting list
    assert db.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.to_addresses.is_not(None),
                                                       OutboxMessage.topic == "registration.promoted"))
    interest = db.scalar(sa.select(WorkstreamInterest).join(WorkstreamInterest.organization)
                         .where(sa.text("organizations.name = 'Another body'")))
    assert interest is not None and interest.contact_email == ""  # the organization's interest stays
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "registration.erased"))
    assert entry.actor_label == "participant" and entry.subject_id == erased.id


def _past_meeting(client, db, days_ago: int) -> GlobalMeeting:
    meeting = make_meeting(db, edition=f"past-{days_ago}", start=utcnow() - timedelta(days=days_ago))
    _zelda(client, meeting, label="B")
    registered_verified(client, meeting, "other@example.org", name="Other Person")
    meeting.status = "held"
    db.commit()
    return meeting


def test_secretariat_anonymizes_a_meeting_only_after_the_retention_period(client, db, app):
    recent = _past_meeting(client, db, 30)
    old = _past_meeting(client, db, 400)
    login_as(client, db)
    recent_url = f"/secretariat/console/meetings/{recent.id}/anonymize"
    html = client.get(recent_url).get_data(as_text=True)
    refused = client.post(recent_url, data={"csrf_token": csrf_token(html), "confirm": "y"},
                          headers={"Accept-Language": "fr"})
    assert refused.status_code == 409 and "365" in refused.get_data(as_text=True)
    dashboard = client.get(f"/secretariat/console/meetings/{old.id}").get_data(as_text=True)
    assert f"/secretariat/console/meetings/{old.id}/anonymize" in dashboard
    done = post_form(client, f"/secretariat/console/meetings/{old.id}/anonymize", {"confirm": "y"})
    assert done.status_code == 303
    pending = client.get(f"/secretariat/console/meetings/{old.id}").get_data(as_text=True)
    assert "0 of 2 anonymized" in pending  # the request recorded the decision; the scheduler carries it out
    with app.app_context():
        assert tasks_job(app) == 1
    db.expire_all()
    old_rows = db.scalars(sa.select(Registration).where(Registration.meeting_id == old.id)).all()
    assert [r.name for r in old_rows] == ["", ""] and all(r.status == "confirmed" for r in old_rows)
    recent_rows = db.scalars(sa.select(Registration).where(Registration.meeting_id == recent.id)).all()
    assert sorted(r.name for r in recent_rows) == ["Other Person", NAME]
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "meeting.anonymized"))
    assert entry.subject_id == old.id and entry.details["registrations"] == 2
    assert entry.actor_label == "secretariat@unhcr.example.org"
    # The dashboard still counts the anonymized registrations.
    after = client.get(f"/secretariat/console/meetings/{old.id}").get_data(as_text=True)
    assert "2 registrations in all" in after and f"/meetings/{old.id}/anonymize" not in after
    assert "2 of 2 anonymized" in after
    assert not db.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.registration_id.in_([r.id for r in old_rows]),
                                                           OutboxMessage.channel == "email"))


@pytest.mark.parametrize("days, anonymized", [(20, ["past-30", "past-400"]), (None, ["past-400"])])
def test_cli_anonymizes_meetings_older_than_n_days(client, db, app, days, anonymized):
    _past_meeting(client, db, 30)
    _past_meeting(client, db, 400)
    make_meeting(db, edition="future")
    args = ["privacy", "anonymize"] + (["--older-than-days", str(days)] if days is not None else [])
    dry = app.test_cli_runner().invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0 and "would be anonymized" in dry.output
    db.expire_all()
    assert not db.scalar(sa.select(Registration.id).where(Registration.email == ""))
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    db.expire_all()
    emptied = sorted(db.scalars(sa.select(GlobalMeeting.edition).join(Registration,
                                                                       Registration.meeting_id == GlobalMeeting.id)
                                .where(Registration.email == "").distinct()))
    assert emptied == anonymized
    entries = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "meeting.anonymized")).all()
    assert sorted(e.details["edition"] for e in entries) == anonymized and {e.actor_label for e in entries} == {"cli"}
    again = app.test_cli_runner().invoke(args=[*args, "--language", "fr"])
    assert again.exit_code == 0 and "Aucune réunion" in again.output


def test_privacy_notice_in_three_languages_names_the_retention_period(client, db):
    for language, word in (("en", "anonymized 365 days"), ("fr", "365 jours"), ("es", "365 días")):
        html = client.get("/privacy", headers={"Accept-Language": language}).get_data(as_text=True)
        assert word in html, language


def test_populated_meeting_erasure_keeps_others(client, db):
    meeting, tokens = populated_meeting(client, db)
    post_form(client, f"/manage/{tokens['ana@example.org']}/delete", {"confirm": "y"})
    db.expire_all()
    names = sorted(db.scalars(sa.select(Registration.name).where(Registration.meeting_id == meeting.id)))
    assert names == ["", "Person awa", "Person ben", "Person chen", "Person dana"]
    assert client.get(f"/manage/{tokens['awa@example.org']}").status_code == 200


def test_anonymized_registrations_receive_nothing_when_a_session_moves(client, db, app):
    from meetings.console.privacy import anonymize_meeting
    from meetings.sessions.operations import reschedule_session

    old = _past_meeting(client, db, 400)
    with app.app_context():
        assert anonymize_meeting(db, old, None, utcnow(), 365) == 2
        session_a = old.sessions[0]
        assert reschedule_session(db, session_a, session_a.starts_at + timedelta(hours=1), 60, None, utcnow())
    emails = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
    assert not [m for m in emails if m.topic == "registration.session_changed"]
    assert all(m.to_addresses != [""] for m in emails)
