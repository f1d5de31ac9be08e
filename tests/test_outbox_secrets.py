"""Once an e-mail is sent, its row keeps who, what and when, but no body or invite holding a secret link."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa
from support.api import registration_payload
from support.identity import register_verified
from support.mail import deliver
from support.smtp_server import SmtpServer

from meetings.accounts import operations as accounts
from meetings.core import db as dbmod
from meetings.core.db import utcnow
from meetings.core.tasks import run_tasks
from meetings.jobs.definitions import TASK_STEPS
from meetings.outbox.models import OutboxMessage
from meetings.outbox.transports import Transports
from meetings.sessions.operations import reschedule_session
from notifications.smtp import SmtpSettings

SECRET_LINKS = re.compile(r"/manage/|/set-password/|/decline|sign-in|signin|/registrations/[^/\s]+/"
                          r"|/feeds/participant/")


def _stored_text(row: OutboxMessage) -> str:
    return " ".join([row.body_text or "", row.body_html or "", row.calendar or "", row.subject or "",
                     json.dumps(row.facts), json.dumps(row.secrets)])


def test_sent_rows_hold_no_secret_link(app_context, client, db, meeting):
    for n, language in enumerate(("en", "fr", "es")):
        register_verified(client, meeting.id, registration_payload(
            meeting.sessions[0].id, f"s{n}@example.org", language=language,
            liaison_email=f"mission{n}@un.example.org"))
    secretariat = accounts.create_account(db, email="sec@example.org", name="Sec", role="secretariat",
                                          password="correct horse battery staple")
    accounts.invite_account(db, secretariat, accounts.AccountInput(
        name="Co", email="co@example.org", organization="Agency", category="academia", country="FR"), utcnow())
    session = meeting.sessions[0]
    reschedule_session(db, session, session.starts_at + timedelta(hours=1), 180, None, utcnow())
    db.commit()
    run_tasks(lambda: dbmod.new_session(app_context), TASK_STEPS, utcnow)
    queued = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
    tokens = {value for r in queued for value in (r.secrets or {}).values()}
    assert len(tokens) >= 4  # the one-time links' tokens travel with their rows until sent (3 sign-ins, 1 account)
    with SmtpServer() as smtp:
        transports = Transports(mail_from="dialogue@acsg.example.org", smtp=SmtpSettings("127.0.0.1", smtp.port),
                                mail_folder=None)
        report = deliver(app_context, lambda: dbmod.new_session(app_context), transports,
                         utcnow, channel="email")
        received = [m.data.decode("utf-8", "replace") for m in smtp.messages]
    assert report.sent + report.superseded == len(queued) and report.failed == 0
    assert any("/manage/" in text for text in received) and any("/set-password/" in text for text in received)
    db.expire_all()
    sent = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
    assert {r.status for r in sent} <= {"sent", "superseded"}  # an invite replaced by the move's update
    leaks = [(r.id, r.topic) for r in sent if SECRET_LINKS.search(_stored_text(r))
             or any(token in _stored_text(r) for token in tokens) or r.secrets]
    assert leaks == []
    # Who, what and when stay for the participant's data export and the secretariat.
    assert all(r.to_addresses and r.topic and (r.sent_at and r.subject or r.status == "superseded") for r in sent)
    assert {r.calendar_method for r in sent} >= {"REQUEST"}
