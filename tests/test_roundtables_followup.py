"""Workstream follow-up: one action invites each signed-up contact, localized, once; invited, registered, declined.

The request only records the decision; the tasks job of the scheduler process invites in batches,
resumable after a lost batch, one bad contact failing alone; the page and the console show the progress.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from support.api import register
from support.factories import make_account, make_organization
from support.logins import login
from support.mail import deliver, subject_of, text_of
from support.pages import csrf_token, post_form
from support.roundtables import advance, proposal_input
from support.smtp_server import SmtpServer
from support.tasks import run_background_tasks

from meetings.core import db as dbmod
from meetings.core.audit import AuditEntry
from meetings.core.db import utcnow
from meetings.core.tasks import BackgroundTask
from meetings.jobs.definitions import TASK_STEPS
from meetings.organizations.models import WorkstreamInterest
from meetings.organizations.operations import sign_up_workstreams
from meetings.outbox.models import OutboxMessage
from meetings.outbox.transports import Transports
from meetings.roundtables import followup
from meetings.roundtables import operations as ops
from meetings.roundtables.followup import INVITE_WORKSTREAM
from meetings.roundtables.models import RoundtableInvitation
from notifications.smtp import SmtpSettings


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


def _sign_up_many(db, count: int) -> list[str]:
    """``count`` more civil-society organizations signed up to workstream 3; their contacts' addresses."""
    emails = []
    for n in range(count):
        organization = make_organization(db, f"Refugee Support Network {n:03d}", "civil_society", "DE", "europe")
        emails.append(f"contact{n:03d}@network.example.org")
        sign_up_workstreams(db, organization, (3,), f"Contact {n}", emails[-1], "", utcnow())
    db.commit()
    return emails


def _counts(db) -> tuple[int, int]:
    """(invitations, invitation e-mails) in the database."""
    return (db.scalar(sa.select(sa.func.count()).select_from(RoundtableInvitation)),
            db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
                OutboxMessage.topic == "roundtable.invitation")))


def _task(db) -> BackgroundTask:
    db.expire_all()
    return db.scalars(sa.select(BackgroundTask).order_by(BackgroundTask.id.desc())).first()


def test_one_action_invites_each_contact_in_their_language_once(app, client, db):
    roundtable = _scheduled(app, db)
    login(client, "ana@comar.example.org")  # a co-convener of this roundtable
    url = f"/roundtables/{roundtable.id}/invitations"
    response = post_form(client, url, {})
    assert response.status_code == 303
    # The request records the decision and sends nothing itself.
    assert _counts(db) == (0, 0)
    task = _task(db)
    assert (task.kind, task.subject_id, task.status, task.total, task.done) == (
        INVITE_WORKSTREAM, roundtable.id, "pending", 3, 0)
    audit = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roundtable.invited_workstream")).one()
    assert (audit.details["invited"], audit.details["category_not_allowed"], audit.details["task"]) == (3, 1, task.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contacts to invite: 3;" in page and "may not register: 1." in page
    assert "0 of 3 invited" in page and 'id="invitation-round" data-finished="no"' in page
    assert run_background_tasks(app, db) == 1
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
    assert "3 of 3 invited" in client.get(url).get_data(as_text=True)
    # Once per contact: sending again invites nobody new (and records no task).
    response = post_form(client, url, {})
    assert response.status_code == 303
    assert "Nobody new to invite. Already invited before: 3." in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert run_background_tasks(app, db) == 0
    assert _counts(db) == (3, 3)
    assert db.scalar(sa.select(sa.func.count()).select_from(BackgroundTask)) == 1


def test_the_page_and_the_flash_read_in_french_and_spanish(app, client, db):
    roundtable = _scheduled(app, db)
    login(client, "ana@comar.example.org")
    url = f"/roundtables/{roundtable.id}/invitations"
    response = post_form(client, url + "?lang=fr", {})
    assert response.status_code == 303
    page = client.get(url + "?lang=fr").get_data(as_text=True)
    assert "Contacts à inviter : 3" in page and "0 sur 3 invités" in page
    assert "0 de 3 invitados" in client.get(url + "?lang=es").get_data(as_text=True)


def test_filters_by_category_and_region(app, db):
    roundtable = _scheduled(app, db)
    with app.app_context():
        decision = followup.invite_workstream(db, roundtable, roundtable.proposer, utcnow(),
                                              categories=("national_asylum_authority",), regions=("americas",))
    assert (decision.to_invite, decision.already_invited, decision.category_not_allowed) == (1, 0, 0)
    run_background_tasks(app, db)
    assert db.scalars(sa.select(RoundtableInvitation.email_key)).all() == ["lucia@conare.example.org"]


def test_a_second_round_before_the_first_ran_carries_both(app, db):
    roundtable = _scheduled(app, db)
    with app.app_context():
        first = followup.invite_workstream(db, roundtable, roundtable.proposer, utcnow(), regions=("americas",))
        second = followup.invite_workstream(db, roundtable, roundtable.proposer, utcnow(), regions=("europe",))
    # The second round supersedes the first, so it carries the first one's contacts still to invite.
    assert (first.to_invite, second.to_invite, second.category_not_allowed) == (1, 2, 1)
    run_background_tasks(app, db)
    assert db.scalars(sa.select(BackgroundTask.status).order_by(BackgroundTask.id)).all() == ["superseded", "done"]
    assert sorted(db.scalars(sa.select(RoundtableInvitation.email_key))) == [
        "jonas@clinic.example.org", "lucia@conare.example.org"]
    assert _counts(db) == (2, 2)


def test_a_lost_batch_is_done_again_and_nobody_is_invited_twice(app, client, db):
    roundtable = _scheduled(app, db)
    contacts = {"lucia@conare.example.org", "awa@cnr.example.org", "jonas@clinic.example.org",
                *_sign_up_many(db, 22)}
    with app.app_context():
        assert followup.invite_workstream(db, roundtable, roundtable.proposer, utcnow()).to_invite == 25
    # One batch, then the process is gone: its work is committed with the task's cursor.
    assert run_background_tasks(app, db, batch_size=10, max_batches=1) == 1
    task = _task(db)
    assert (task.status, task.done, task.total) == ("running", 10, 25) and _counts(db) == (10, 10)
    cursor = task.cursor
    login(client, "sec@unhcr.example.org")
    assert "10 of 25 invited" in client.get(f"/roundtables/{roundtable.id}/invitations").get_data(as_text=True)

    # The next batch breaks down after writing its rows: that batch alone is undone.
    def step_then_fail(session, running, now, limit):
        batch = TASK_STEPS[INVITE_WORKSTREAM](session, running, now, limit)
        assert batch.handled == 10 and _counts(session) == (20, 20)  # flushed, not committed
        raise RuntimeError("connection lost")

    assert run_background_tasks(app, batch_size=10, steps={INVITE_WORKSTREAM: step_then_fail}) == 0
    task = _task(db)
    assert (task.status, task.done, task.cursor) == ("running", 10, cursor) and _counts(db) == (10, 10)

    # A fresh run carries on to the end.
    assert run_background_tasks(app, batch_size=10) == 2
    task = _task(db)
    assert (task.status, task.done, task.total, task.failures) == ("done", 25, 25, 0)
    assert _counts(db) == (25, 25)
    # The whole round once more (as if its last commit had been lost) invites nobody twice.
    db.execute(sa.update(BackgroundTask).values(status="running", cursor=0, done=0))
    run_background_tasks(app, db, batch_size=10)
    assert _counts(db) == (25, 25)
    with SmtpServer() as smtp:
        transports = Transports(mail_from="dialogue@acsg.example.org", smtp=SmtpSettings("127.0.0.1", smtp.port),
                                mail_folder=None)
        deliver(app, lambda: dbmod.new_session(app), transports, utcnow, channel="email")
        received = Counter(rcpt for m in smtp.messages for rcpt in m.rcpt_tos if rcpt in contacts)
    assert set(received) == contacts and set(received.values()) == {1}
    # Each e-mail carried its decline link; once sent, no row keeps the link or its token.
    assert all("/invitations/" in m.data.decode("utf-8", "replace") for m in smtp.messages
               if m.rcpt_tos[0] in contacts)
    db.expire_all()
    invitations = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == "roundtable.invitation")).all()
    assert {m.status for m in invitations} == {"sent"}
    assert all(m.secrets is None and not m.body_text and "/invitations/" not in (m.subject or "")
               for m in invitations)


REFUSE_ONE = {  # the database itself refuses one contact's invitation (as bad data would)
    "sqlite": ["CREATE TRIGGER refuse_contact BEFORE INSERT ON roundtable_invitations "
               "WHEN NEW.email_key = 'awa@cnr.example.org' BEGIN SELECT RAISE(ABORT, 'refused'); END"],
    "postgresql": ["CREATE FUNCTION refuse_contact() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "IF NEW.email_key = 'awa@cnr.example.org' THEN RAISE EXCEPTION 'refused'; END IF; "
                   "RETURN NEW; END $$",
                   "CREATE TRIGGER refuse_contact BEFORE INSERT ON roundtable_invitations "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_contact()"],
}


def test_a_bad_contact_fails_alone_and_the_page_and_console_show_it(app, client, db, backend):
    roundtable = _scheduled(app, db)
    _sign_up_many(db, 3)
    for statement in REFUSE_ONE[backend]:  # undone with the test's transaction
        db.execute(sa.text(statement))
    with app.app_context():
        assert followup.invite_workstream(db, roundtable, roundtable.proposer, utcnow()).to_invite == 6
    run_background_tasks(app, db, batch_size=4)
    task = _task(db)
    awa = db.scalar(sa.select(sa.func.min(WorkstreamInterest.id)).where(
        WorkstreamInterest.contact_email == "awa@cnr.example.org"))
    assert (task.status, task.done, task.failures) == ("done", 6, 1)
    assert task.last_error.startswith(f"sign-up {awa}: ")
    assert _counts(db) == (5, 5)  # neither the invitation nor the e-mail of the refused contact
    assert db.scalar(sa.select(RoundtableInvitation).where(RoundtableInvitation.email_key == "awa@cnr.example.org")) \
        is None
    login(client, "sec@unhcr.example.org")
    page = client.get(f"/roundtables/{roundtable.id}/invitations").get_data(as_text=True)
    assert "6 of 6 invited" in page and "1 failed" in page and 'data-finished="yes"' in page
    console = client.get(f"/secretariat/console/meetings/{roundtable.meeting_id}").get_data(as_text=True)
    assert f"Inviting the workstream to the roundtable “{roundtable.title('en')}”: 6 of 6 invited" in console
    assert "1 failed" in console


def test_a_roundtable_closed_before_its_round_ran_invites_nobody(app, db):
    roundtable = _scheduled(app, db)
    with app.app_context():
        assert followup.invite_workstream(db, roundtable, roundtable.proposer, utcnow()).to_invite == 3
    roundtable.meeting.status = "closed"
    run_background_tasks(app, db)
    task = _task(db)
    assert (task.status, task.done, task.failures, task.last_error) == (
        "done", 3, 3, "roundtable no longer open for registration")
    assert _counts(db) == (0, 0)


def test_page_shows_invited_registered_and_declined(app, client, db):
    roundtable = _scheduled(app, db)
    with app.app_context():
        followup.invite_workstream(db, roundtable, roundtable.proposer, utcnow())
    run_background_tasks(app, db)
    with app.app_context():
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
    assert db.scalar(sa.select(sa.func.count()).select_from(BackgroundTask)) == 0
