"""Verb-named console operations (flush, never commit; each writes an audit entry)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.console.interpretation import LANGUAGES
from meetings.console.models import Attendance, InterpretationBooking
from meetings.core.audit import record_action
from meetings.core.errors import Conflict, InvalidInput
from meetings.models import MeetingSession, Registration
from meetings.registrations.operations import cancel_registration


def parse_channel(key: str) -> tuple[str, str]:
    """('fr', 'en') from 'fr-en'; a localized 422 for anything else."""
    source, _sep, target = (key or "").partition("-")
    if source not in LANGUAGES or target not in LANGUAGES or source == target:
        raise InvalidInput("unknown_channel", _l("This interpretation channel does not exist."))
    return source, target


def book_channel(db: Session, session: MeetingSession, key: str, actor, now: datetime) -> bool:
    """Mark a channel as booked for a session; returns False when it already was."""
    source, target = parse_channel(key)
    if _booking(db, session, source, target) is not None:
        return False
    db.add(InterpretationBooking(session_id=session.id, source_language=source, target_language=target,
                                 booked_at=now, booked_by_id=getattr(actor, "id", None)))
    record_action(db, actor, "interpretation.booked", "session", session.id, now, channel=f"{source}-{target}",
                  meeting_id=session.meeting_id, label=session.label)
    return True


def unbook_channel(db: Session, session: MeetingSession, key: str, actor, now: datetime) -> bool:
    """Withdraw a channel's booking; returns False when it was not booked."""
    source, target = parse_channel(key)
    booking = _booking(db, session, source, target)
    if booking is None:
        return False
    db.delete(booking)
    record_action(db, actor, "interpretation.unbooked", "session", session.id, now, channel=f"{source}-{target}",
                  meeting_id=session.meeting_id, label=session.label)
    return True


def _booking(db: Session, session: MeetingSession, source: str, target: str) -> InterpretationBooking | None:
    return db.scalar(sa.select(InterpretationBooking).where(
        InterpretationBooking.session_id == session.id, InterpretationBooking.source_language == source,
        InterpretationBooking.target_language == target))


def attendance_sheet(db: Session, session: MeetingSession) -> list[tuple[Registration, bool | None]]:
    """The session's confirmed registrations with their attendance (None = not marked yet)."""
    return list(db.execute(
        sa.select(Registration, Attendance.present)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.session_id == session.id, Registration.status == "confirmed")
        .order_by(Registration.name, Registration.id)
    ).all())


def mark_attendance(db: Session, session: MeetingSession, present_ids: set[int], actor, now: datetime) -> int:
    """Record who attended (ticked) and who did not (every other confirmed registrant); returns changes."""
    if session.starts_at > now:
        raise Conflict("session_not_started", _l("Attendance can be marked once the session has started."))
    sheet = attendance_sheet(db, session)
    unknown = present_ids - {registration.id for registration, _present in sheet}
    if unknown:
        raise InvalidInput("not_in_session", _l("Some ticked people are not confirmed for this session."))
    records = {a.registration_id: a for a in db.scalars(
        sa.select(Attendance).where(Attendance.session_id == session.id))}
    changed = []
    for registration, _present in sheet:
        present = registration.id in present_ids
        record = records.get(registration.id)
        if record is None:
            db.add(Attendance(registration_id=registration.id, session_id=session.id, present=present,
                              marked_at=now, marked_by_id=getattr(actor, "id", None)))
        elif record.present == present:
            continue
        else:
            record.present, record.marked_at, record.marked_by_id = present, now, getattr(actor, "id", None)
        changed.append(registration.id)
    record_action(db, actor, "attendance.marked", "session", session.id, now, meeting_id=session.meeting_id,
                  label=session.label, present=len(present_ids), absent=len(sheet) - len(present_ids),
                  changed=changed)
    return len(changed)


def cancel_on_behalf(db: Session, registration: Registration, actor, now: datetime) -> None:
    """The secretariat cancels a registration for the person (who receives a cancellation); audited."""
    cancel_registration(db, registration, now)
    record_action(db, actor, "registration.cancelled", "registration", registration.id, now,
                  meeting_id=registration.meeting_id, label=registration.session.label)
