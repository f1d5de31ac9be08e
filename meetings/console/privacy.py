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
from meetings.models import GlobalMeeting, Registration
from meetings.models.registration import new_manage_token
from meetings.organizations.models import Workstream, WorkstreamInterest
from meetings.outbox.models import OutboxMessage
from meetings.registrations.models import RegistrationSignIn
from meetings.registrations.operations import cancel_registration

PARTICIPANT_ACTOR = "participant"



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
    _erase(db, [registration], wipe_contacts=True)
    db.add(AuditEntry(at=now, actor_id=None, actor_label=PARTICIPANT_ACTOR, action="registration.erased",
                      subject_type="registration", subject_id=registration_id,
                      details={"meeting_id": registration.meeting_id}))
    db.flush()
    return registration_id


def _erase(db: Session, registrations: list[Registration], *, wipe_contacts: bool) -> None:
    """Remove personal data of ``registrations`` from every table (see the module's docstring)."""
    ids = [r.id for r in registrations]
    emails = {r.email_key for r in registrations if r.email_key and not r.email_key.startswith("erased:")}
    if ids:
        db.execute(sa.delete(OutboxMessage).where(OutboxMessage.registration_id.in_(ids),
                                                  OutboxMessage.channel == "email"))
    if ids:
        db.execute(sa.delete(RegistrationSignIn).where(RegistrationSignIn.registration_id.in_(ids)))
    for email in emails:
        _purge_addressed(db, email, ids)
        db.execute(sa.delete(LoginAttempt).where(LoginAttempt.email_key == email))
        if wipe_contacts:
            db.execute(sa.update(WorkstreamInterest).where(WorkstreamInterest.contact_email_key == email)
                       .values(contact_name="", contact_email="", contact_email_key="", note=""))
            db.execute(sa.update(WorkstreamInterest).where(WorkstreamInterest.created_by_email_key == email)
                       .values(created_by_email_key=""))
            erase_contact(db, email)
    for registration in registrations:
        registration.name = ""
        registration.email = ""
        registration.email_key = f"erased:{registration.id}"
        registration.function = ""
        registration.liaison_email = None
        registration.manage_token = new_manage_token()
        registration.feed_token = new_manage_token()
    db.flush()


def _purge_addressed(db: Session, email: str, erased_ids: list[int]) -> None:
    """Delete e-mails to ``email`` (a comparison key) that belong to no other (live) registration."""
    candidates = db.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.channel == "email",
        sa.or_(OutboxMessage.registration_id.is_(None), OutboxMessage.registration_id.in_(erased_ids)),
    ).execution_options(yield_per=500))
    for message in candidates:
        if email in {rules.email_key(a) for a in [*message.to_addresses, *message.cc_addresses]}:
            db.delete(message)


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
    if not retention_due(meeting, now, older_than_days):
        raise Conflict("retention_not_over",
                       _l("This meeting ended less than %(days)s days ago: its registrations are kept until then."),
                       days=older_than_days)
    registrations = list(db.scalars(sa.select(Registration).where(
        Registration.meeting_id == meeting.id, ~Registration.email_key.startswith("erased:"))))
    _erase(db, registrations, wipe_contacts=False)
    record_action(db, actor, "meeting.anonymized", "meeting", meeting.id, now, edition=meeting.edition,
                  registrations=len(registrations), older_than_days=older_than_days)
    return len(registrations)

