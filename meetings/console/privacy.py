"""A participant's data: export it, erase it; anonymize a meeting's registrations after the retention period.

Verb-named operations that flush, never commit. What erasure removes:
- the registration's name, e-mail, function, liaison e-mail and its secret links (replaced by fresh
  random tokens nobody holds, so the old manage and feed links stop working); the row stays, without
  personal data, so that counts (session, category, country, language needs, attendance) remain;
- every outbox row of the registration (e-mails carry addresses, names and links in their bodies and
  calendars) and e-mails addressed to the person that belong to no other registration;
- workstream-interest contacts given with that e-mail, and the record of who made a sign-up (the
  organization's interest itself stays); roundtable invitations addressed to it (name, address, key),
  through the erasers features register in ``core.erasure``;
- the registration's one-time sign-in links; failed-login records keyed by that e-mail.
Addresses are matched by their one comparison key (``rules.email_key``), stored in each table, never
with SQL ``lower()``.
The audit log never holds a participant's name or e-mail: entries name the registration by id.
Erasure is set-based (a few statements per batch of registrations, whatever its size); the console's
anonymization is recorded as a background task that the scheduler process carries out in batches.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.accounts.models import LoginAttempt
from meetings.console.models import Attendance
from meetings.core import rules
from meetings.core.audit import AuditEntry, record_action
from meetings.core.erasure import erase_contact
from meetings.core.errors import Conflict
from meetings.core.tasks import BackgroundTask, Batch, record_task
from meetings.models import GlobalMeeting, Registration
from meetings.organizations.models import Workstream, WorkstreamInterest
from meetings.outbox.models import OutboxMessage
from meetings.registrations.models import RegistrationSignIn
from meetings.registrations.operations import cancel_registration

PARTICIPANT_ACTOR = "participant"
ANONYMIZE_MEETING = "meeting.anonymize"
ANONYMIZE_BATCH = 500


def participant_data(db: Session, registration: Registration) -> dict:
    """Everything held about the person behind ``registration``, as JSON-ready data."""
    organization = registration.organization
    session = registration.session
    interests = db.execute(
        sa.select(WorkstreamInterest, Workstream).join(Workstream, Workstream.id == WorkstreamInterest.workstream_id)
        .where(WorkstreamInterest.contact_email_key == registration.email_key)
        .order_by(Workstream.number)
    ).all()
    messages = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.registration_id == registration.id,
                                                         OutboxMessage.channel == "email")
                          .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    attendance = db.scalar(sa.select(Attendance).where(Attendance.registration_id == registration.id))
    return {
        "registration": {
            "name": registration.name, "email": registration.email, "function": registration.function,
            "language": registration.language, "spoken_language": registration.spoken_language,
            "listening_language": registration.listening_language, "timezone": registration.timezone,
            "liaison_email": registration.liaison_email, "status": registration.status,
            "consent_given_at": _iso(registration.consent_given_at), "created_at": _iso(registration.created_at),
            "updated_at": _iso(registration.updated_at), "cancelled_at": _iso(registration.cancelled_at),
            "waitlisted_at": _iso(registration.waitlisted_at),
            "attended": None if attendance is None else attendance.present,
        },
        "meeting": {"edition": registration.meeting.edition, "title": registration.meeting.title_en,
                    "session": session.label, "session_start_utc": _iso(session.starts_at),
                    "session_duration_minutes": session.duration_minutes},
        "organization": {"name": organization.name, "category": organization.category,
                         "country": organization.country, "region": organization.region},
        "workstream_interests": [
            {"workstream": w.number, "title": w.title_en, "contact_name": i.contact_name,
             "contact_email": i.contact_email, "note": i.note, "created_at": _iso(i.created_at)}
            for i, w in interests
        ],
        "emails": [{"subject": m.subject, "to": m.to_addresses, "cc": m.cc_addresses, "topic": m.topic,
                    "status": m.status, "queued_at": _iso(m.created_at), "sent_at": _iso(m.sent_at)}
                   for m in messages],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def erase_participant(db: Session, registration: Registration, now: datetime) -> int:
    """The participant's own request: cancel (the seat goes to the waiting list), then erase; returns the id."""
    if registration.status != "cancelled":
        cancel_registration(db, registration, now)
    registration_id = registration.id
    _erase(db, [registration_id], wipe_contacts=True)
    db.add(AuditEntry(at=now, actor_id=None, actor_label=PARTICIPANT_ACTOR, action="registration.erased",
                      subject_type="registration", subject_id=registration_id,
                      details={"meeting_id": registration.meeting_id}))
    db.flush()
    return registration_id


def _erase(db: Session, ids: list[int], *, wipe_contacts: bool) -> int:
    """Remove personal data of the registrations ``ids`` from every table, set-based; returns rows erased."""
    if not ids:
        return 0
    emails = set(db.scalars(sa.select(Registration.email_key).where(
        Registration.id.in_(ids), ~Registration.email_key.startswith("erased:"))))
    db.execute(sa.delete(OutboxMessage).where(OutboxMessage.registration_id.in_(ids), OutboxMessage.channel == "email")
               .execution_options(synchronize_session=False))
    db.execute(sa.delete(RegistrationSignIn).where(RegistrationSignIn.registration_id.in_(ids))
               .execution_options(synchronize_session=False))
    if emails:
        _purge_addressed(db, emails)
        db.execute(sa.delete(LoginAttempt).where(LoginAttempt.email_key.in_(emails))
                   .execution_options(synchronize_session=False))
        if wipe_contacts:
            db.execute(sa.update(WorkstreamInterest).where(WorkstreamInterest.contact_email_key.in_(emails))
                       .values(contact_name="", contact_email="", contact_email_key="", note="")
                       .execution_options(synchronize_session=False))
            db.execute(sa.update(WorkstreamInterest).where(WorkstreamInterest.created_by_email_key.in_(emails))
                       .values(created_by_email_key="").execution_options(synchronize_session=False))
            for email in emails:
                erase_contact(db, email)
    erased = db.execute(sa.update(Registration).where(Registration.id.in_(ids)).values(
        name="", email="", email_key=sa.literal("erased:") + sa.cast(Registration.id, sa.String),
        function="", liaison_email=None, manage_token=_random_token(db), feed_token=_random_token(db),
    ).execution_options(synchronize_session="fetch")).rowcount
    db.flush()
    return erased


def _random_token(db: Session) -> sa.ColumnElement[str]:
    """A fresh unguessable token per row, made by the database (256 bits), for set-based updates."""
    if db.get_bind().dialect.name == "postgresql":
        def uuid_hex() -> sa.ColumnElement[str]:
            return sa.func.replace(sa.cast(sa.func.gen_random_uuid(), sa.String), "-", "", type_=sa.String)
        return uuid_hex() + uuid_hex()
    return sa.func.lower(sa.func.hex(sa.func.randomblob(32)), type_=sa.String)


def _purge_addressed(db: Session, emails: set[str]) -> None:
    """Delete e-mails to any of ``emails`` (comparison keys) that belong to no registration (one scan)."""
    candidates = db.execute(sa.select(OutboxMessage.id, OutboxMessage.to_addresses, OutboxMessage.cc_addresses)
                            .where(OutboxMessage.channel == "email", OutboxMessage.registration_id.is_(None))
                            .execution_options(yield_per=500))
    doomed = [row.id for row in candidates
              if emails & {rules.email_key(a) for a in [*row.to_addresses, *row.cc_addresses]}]
    if doomed:
        db.execute(sa.delete(OutboxMessage).where(OutboxMessage.id.in_(doomed))
                   .execution_options(synchronize_session=False))


def meeting_end(meeting: GlobalMeeting) -> datetime | None:
    """When the meeting's last session ends (None without sessions)."""
    return max((s.ends_at for s in meeting.sessions), default=None)


def retention_due(meeting: GlobalMeeting, now: datetime, older_than_days: int) -> bool:
    """Whether the meeting ended more than ``older_than_days`` days before ``now``."""
    end = meeting_end(meeting)
    return end is not None and end + timedelta(days=older_than_days) <= now


def holds_personal_data(db: Session, meeting: GlobalMeeting) -> bool:
    """Whether any registration of the meeting still has personal data."""
    return db.scalar(sa.select(Registration.id).where(
        Registration.meeting_id == meeting.id, ~Registration.email_key.startswith("erased:")).limit(1)) is not None


def meetings_due_for_anonymization(db: Session, now: datetime, older_than_days: int) -> list[GlobalMeeting]:
    """Meetings past the retention period that still hold personal data."""
    meetings = db.scalars(sa.select(GlobalMeeting).where(GlobalMeeting.id.in_(
        sa.select(Registration.meeting_id).where(~Registration.email_key.startswith("erased:"))
    )).order_by(GlobalMeeting.edition)).all()
    return [m for m in meetings if retention_due(m, now, older_than_days)]


def anonymize_meeting(db: Session, meeting: GlobalMeeting, actor, now: datetime, older_than_days: int) -> int:
    """Erase personal data from every registration of a meeting past the retention period; returns how many."""
    _check_retention(meeting, now, older_than_days)
    count = 0
    while True:
        batch = anonymize_batch(db, meeting.id, limit=ANONYMIZE_BATCH)
        count += batch.handled
        if batch.finished:
            break
    record_action(db, actor, "meeting.anonymized", "meeting", meeting.id, now, edition=meeting.edition,
                  registrations=count, older_than_days=older_than_days)
    return count


def request_anonymization(db: Session, meeting: GlobalMeeting, actor, now: datetime,
                          older_than_days: int) -> BackgroundTask:
    """Record (and audit) the decision to anonymize a meeting; the scheduler process erases it in batches."""
    _check_retention(meeting, now, older_than_days)
    total = db.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.meeting_id == meeting.id, ~Registration.email_key.startswith("erased:"))) or 0
    record_action(db, actor, "meeting.anonymized", "meeting", meeting.id, now, edition=meeting.edition,
                  registrations=total, older_than_days=older_than_days)
    return record_task(db, ANONYMIZE_MEETING, meeting.id, now, total=total, meeting_id=meeting.id)


def anonymize_batch(db: Session, meeting_id: int, *, limit: int) -> Batch:
    """Erase the next ``limit`` registrations of a meeting that still hold personal data (set-based)."""
    ids = list(db.scalars(sa.select(Registration.id).where(
        Registration.meeting_id == meeting_id, ~Registration.email_key.startswith("erased:"))
        .order_by(Registration.id).limit(limit)))
    _erase(db, ids, wipe_contacts=False)
    return Batch(len(ids), 0, ids[-1] if ids else 0, len(ids) < limit)


def anonymize_step(db: Session, task: BackgroundTask, now: datetime, limit: int) -> Batch:
    """The background step of ``meeting.anonymize``."""
    return anonymize_batch(db, task.subject_id, limit=limit)


def _check_retention(meeting: GlobalMeeting, now: datetime, older_than_days: int) -> None:
    if not retention_due(meeting, now, older_than_days):
        raise Conflict("retention_not_over",
                       _l("This meeting ended less than %(days)s days ago: its registrations are kept until then."),
                       days=older_than_days)
