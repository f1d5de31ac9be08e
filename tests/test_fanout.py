"""Fan-out in the background: the request records the decision, the scheduler sends in batches, never twice."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from support.api import registration_payload
from support.factories import make_meeting
from support.identity import register_verified
from support.logins import login_as
from support.mail import calendar_of, deliver, text_of
from support.smtp_server import SmtpServer

from meetings.core import db as dbmod
from meetings.core.db import utcnow
from meetings.core.request_id import carrying_request_id
from meetings.core.tasks import BackgroundTask, run_tasks
from meetings.jobs.definitions import TASK_STEPS
from meetings.models import GlobalMeeting, Registration
from meetings.organizations.models import Organization
from meetings.outbox.models import OutboxMessage
from meetings.outbox.transports import Transports
from meetings.sessions.operations import cancel_meeting, reschedule_session
from notifications.smtp import SmtpSettings

ROOT = Path(__file__).resolve().parent.parent


def add_registrants(db, meeting: GlobalMeeting, count: int, *, label: str = "A", prefix: str = "p") -> list[int]:
    """``count`` confirmed registrations in one session, written directly (no message, as if long ago)."""
    session = next(s for s in meeting.sessions if s.label == label)
    organization = Organization(name=f"Agency {meeting.edition}", name_key=f"agency {meeting.edition}",
                                category="national_asylum_authority", country="DE")
    db.add(organization)
    db.flush()
    now = utcnow()
    rows = [Registration(meeting_id=meeting.id, session_id=session.id, organization_id=organization.id,
                         name=f"Person {n}", email=f"{prefix}{n}@example.org", email_key=f"{prefix}{n}@example.org",
                         language=("en", "fr", "es")[n % 3], timezone="Europe/Berlin", consent_given_at=now,
                         status="confirmed", email_verified_at=now) for n in range(count)]
    db.add_all(rows)
    db.commit()
    return [r.id for r in rows]


def _updates(db) -> list[OutboxMessage]:
    return db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == "registration.session_changed")
                      .order_by(OutboxMessage.id)).all()


def _task(db) -> BackgroundTask:
    db.expire_all()
    return db.scalars(sa.select(BackgroundTask).order_by(BackgroundTask.id.desc())).first()


def _sequence(calendar: str) -> int:
    return int(re.search(r"^SEQUENCE:(\d+)", calendar, re.M).group(1))


def test_the_move_only_records_a_task_and_the_batches_resume_after_a_lost_process(app_context, db):
    meeting = make_meeting(db, capacity=100)
    add_registrants(db, meeting, 25)
    session = meeting.sessions[0]
    assert reschedule_session(db, session, session.starts_at + timedelta(hours=1), 180, None, utcnow())
    db.commit()
    assert _updates(db) == []
    task = _task(db)
    assert (task.kind, task.status, task.total, task.done) == ("session.notify", "pending", 25, 0)

    # One batch, then the process is gone: only its committed progress is left.
    assert run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow, batch_size=10, max_batches=1) == 1
    assert (_task(db).status, _task(db).done, _task(db).cursor) == ("running", 10, sorted(
        r.registration_id for r in _updates(db))[-1])
    assert len(_updates(db)) == 10

    # A new process: the same job again, until done.
    assert run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow, batch_size=10) == 2
    task = _task(db)
    assert (task.status, task.done, task.total, task.failures) == ("done", 25, 25, 0)
    updates = _updates(db)
    assert len(updates) == 25 and len({m.to_addresses[0] for m in updates}) == 25

    # Running the whole fan-out once more (as after a crash just before the last commit) adds nothing.
    db.execute(sa.update(BackgroundTask).values(status="running", cursor=0, done=0))
    db.commit()
    run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow, batch_size=10)
    assert len(_updates(db)) == 25


def test_the_messages_of_a_task_name_the_request_that_decided_it(app_context, db):
    meeting = make_meeting(db, capacity=10)
    add_registrants(db, meeting, 3)
    session = meeting.sessions[0]
    with carrying_request_id("move-request-0001"):  # as the secretariat's request would
        assert reschedule_session(db, session, session.starts_at + timedelta(hours=1), 180, None, utcnow())
    db.commit()
    run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow)
    assert [m.request_id for m in _updates(db)] == ["move-request-0001"] * 3
    assert all("Old time:" in text_of(db, m) for m in _updates(db) if m.language == "en")


def test_a_newer_decision_supersedes_an_unfinished_one(app_context, client, db):
    meeting = make_meeting(db, capacity=10)
    for n in range(3):
        register_verified(client, meeting.id, registration_payload(meeting.sessions[0].id, f"q{n}@example.org"))
    invites = {m.to_addresses[0]: _sequence(calendar_of(db, m)) for m in db.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.topic == "registration.verified"))}
    session = meeting.sessions[0]
    reschedule_session(db, session, session.starts_at + timedelta(hours=1), 180, None, utcnow())
    reschedule_session(db, session, session.starts_at + timedelta(hours=1), 180, None, utcnow())
    db.commit()
    run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow)
    db.expire_all()
    statuses = db.scalars(sa.select(BackgroundTask.status).order_by(BackgroundTask.id)).all()
    assert statuses == ["superseded", "done"]
    updates = _updates(db)
    assert sorted(m.to_addresses[0] for m in updates) == ["q0@example.org", "q1@example.org", "q2@example.org"]
    assert all("DTSTART:20270317T090000Z" in calendar_of(db, m) for m in updates)  # only the latest time
    assert all(m.ical_sequence > invites[m.to_addresses[0]] for m in updates)
    assert all(_sequence(calendar_of(db, m)) == m.ical_sequence for m in updates)


def test_the_console_shows_the_progress_of_a_fan_out(app_context, client, db):
    meeting = make_meeting(db, capacity=100)
    add_registrants(db, meeting, 6)
    db.commit()
    cancel_meeting(db, meeting, None, utcnow())
    db.commit()
    run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow, batch_size=4)
    task = db.scalars(sa.select(BackgroundTask).where(BackgroundTask.subject_id == meeting.sessions[0].id)).one()
    db.refresh(task)
    assert (task.status, task.done, task.failures) == ("done", 6, 0)
    cancelled = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == "registration.session_cancelled"))
    assert len(cancelled.all()) == 6  # the rows record what happened; the e-mails are composed at delivery
    login_as(client, db)
    html = client.get(f"/secretariat/console/meetings/{meeting.id}").get_data(as_text=True)
    assert "Notifying the registrants of session A: 6 of 6 notified" in html


def test_a_registration_whose_email_cannot_be_composed_fails_alone(app_context, db):
    meeting = make_meeting(db, capacity=100)
    ids = add_registrants(db, meeting, 6)
    db.execute(sa.update(Registration).where(Registration.id == ids[2]).values(timezone="Not/AZone"))
    db.commit()
    cancel_meeting(db, meeting, None, utcnow())
    db.commit()
    run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow, batch_size=4)
    with SmtpServer() as smtp:  # the bad zone breaks composing its e-mail only; the others go
        transports = Transports(mail_from="dialogue@acsg.example.org", smtp=SmtpSettings("127.0.0.1", smtp.port),
                                mail_folder=None)
        report = deliver(app_context, lambda: dbmod.new_session(app_context), transports, utcnow, channel="email")
        assert len(smtp.messages) == 5
    assert (report.sent, report.failed) == (5, 1)
    db.expire_all()
    failed = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == "failed")).one()
    assert failed.registration_id == ids[2] and failed.last_error == "could not compose: ZoneInfoNotFoundError"


def test_progress_reads_in_thousands(app_context, client, db):
    meeting = make_meeting(db, capacity=3000)
    db.add(BackgroundTask(kind="session.notify", subject_id=meeting.sessions[0].id, meeting_id=meeting.id,
                          status="running", total=2000, done=1240, failures=0, cursor=0, params={}, last_error="",
                          created_at=utcnow(), updated_at=utcnow()))
    db.commit()
    login_as(client, db)
    html = client.get(f"/secretariat/console/meetings/{meeting.id}").get_data(as_text=True)
    assert "1,240 of 2,000 notified" in html


CHILD = """
import os, signal, sys
from meetings import create_app
from meetings.core.db import new_session, utcnow
from meetings.core.tasks import run_tasks
from meetings.jobs.definitions import TASK_STEPS
from meetings.sessions.messages import NOTIFY_SESSION

app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x", "PUBLIC_BASE_URL": "http://localhost"})
real_step, batches = TASK_STEPS[NOTIFY_SESSION], []


def step_then_die(db, task, now, limit):
    batch = real_step(db, task, now, limit)  # the batch's messages are written, not yet committed
    batches.append(batch)
    if len(batches) == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
    return batch


with app.app_context():
    run_tasks(lambda: new_session(app), {NOTIFY_SESSION: step_then_die}, utcnow, batch_size=5)
"""


def test_a_killed_scheduler_resumes_and_nobody_gets_two_messages(live_app, committed):
    """The scheduler process is killed (SIGKILL) in the middle of its 10th batch; the next run finishes the job."""
    with dbmod.new_session(live_app) as db:
        meeting = make_meeting(db, edition="kill-1", capacity=500)
        add_registrants(db, meeting, 120, prefix="k")
        session = meeting.sessions[0]
        with live_app.app_context():
            reschedule_session(db, session, session.starts_at + timedelta(hours=2), 180, None, utcnow())
        db.commit()
    try:
        child = subprocess.run([sys.executable, "-c", CHILD, live_app.config["DATABASE_URL"], "10"], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
        assert child.returncode == -signal.SIGKILL
        with dbmod.new_session(live_app) as db:
            task = _task(db)
            assert (task.status, task.done) == ("running", 45)  # nine batches committed, the tenth lost
            assert len(_updates(db)) == 45  # progress and messages are committed together
        with live_app.app_context():
            run_tasks(lambda: dbmod.new_session(live_app), TASK_STEPS, utcnow, batch_size=50)
        with dbmod.new_session(live_app) as db:
            task = _task(db)
            assert (task.status, task.done, task.failures) == ("done", 120, 0)
        with SmtpServer() as smtp:
            transports = Transports(mail_from="dialogue@acsg.example.org",
                                    smtp=SmtpSettings("127.0.0.1", smtp.port), mail_folder=None)
            deliver(live_app, lambda: dbmod.new_session(live_app), transports, utcnow, channel="email")
            received = Counter(rcpt for m in smtp.messages for rcpt in m.rcpt_tos)
        assert len(received) == 120 and set(received.values()) == {1}
    finally:
        with dbmod.new_session(live_app) as db:
            db.execute(sa.delete(BackgroundTask))
            db.commit()
