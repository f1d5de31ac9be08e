"""Session-wide notifications: a session moved or cancelled, a meeting cancelled, and reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from meetings.core.tasks import BackgroundTask, Batch, record_task
from meetings.models import GlobalMeeting, MeetingSession, Registration
from meetings.outbox.enqueue import enqueue_webhook_event
from meetings.registrations.messages import notify_registration

DEFAULT_REMINDERS = (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
NOTIFY_SESSION = "session.notify"
ACTIVE = ("confirmed", "waitlisted")


def notify_session_changed(db: Session, session: MeetingSession, now: datetime,
                           previous: tuple[datetime, datetime] | None = None) -> BackgroundTask:
    """Queue the webhook event; record the task telling every registrant the new time (and ``previous``)."""
    enqueue_webhook_event(db, event_type="session.changed", now=now,
                          event_id=f"session:{session.id}:{session.ical_sequence}:{session.status}",
                          payload={"session_id": session.id, "meeting_id": session.meeting_id,
                                   "label": session.label, "status": session.status,
                                   "start_utc": session.starts_at.isoformat(),
                                   "duration_minutes": session.duration_minutes})
    total = db.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.session_id == session.id, Registration.status.in_(ACTIVE))) or 0
    return record_task(db, NOTIFY_SESSION, session.id, now, total=total, meeting_id=session.meeting_id,
                       params={"sequence": session.ical_sequence, "status": session.status,
                               "previous": [moment.isoformat() for moment in previous] if previous else None})


def notify_session_batch(db: Session, session: MeetingSession, now: datetime, *, after_id: int = 0,
                         limit: int | None = None, previous: tuple[datetime, datetime] | None = None) -> Batch:
    """Tell the next ``limit`` active registrants after ``after_id`` (each in a savepoint: one bad row fails alone)."""
    event = "session_cancelled" if session.status == "cancelled" else "session_changed"
    query = (sa.select(Registration).where(Registration.session_id == session.id, Registration.status.in_(ACTIVE),
                                           Registration.id > after_id).order_by(Registration.id))
    registrations = db.scalars(query.limit(limit) if limit else query).all()
    failures, error = 0, ""
    for registration in registrations:
        try:
            with db.begin_nested():
                notify_registration(db, registration, event, now, previous=previous)
        except Exception as exc:  # bad data in one registration must not stop the others
            failures += 1
            error = f"registration {registration.id}: {type(exc).__name__}"
    cursor = registrations[-1].id if registrations else after_id
    return Batch(len(registrations), failures, cursor, limit is None or len(registrations) < limit, error)


def notify_session_step(db: Session, task: BackgroundTask, now: datetime, limit: int) -> Batch:
    """The background step of ``session.notify``: the next batch of registrants of the session."""
    session = db.get(MeetingSession, task.subject_id)
    if session is None:
        return Batch(0, 0, task.cursor, True, "session deleted")
    stored = (task.params or {}).get("previous")
    previous = (datetime.fromisoformat(stored[0]), datetime.fromisoformat(stored[1])) if stored else None
    return notify_session_batch(db, session, now, after_id=task.cursor, limit=limit, previous=previous)


def parse_offsets(text: str) -> tuple[timedelta, ...]:
    """'7d,1d,1h' or '30m' -> time deltas (ValueError on anything else)."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    offsets = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        number, unit = part[:-1], part[-1:]
        if unit not in units or not number.isdigit() or int(number) <= 0:
            raise ValueError(f"reminder offset must look like 7d, 1d, 1h or 30m, got {part!r}")
        offsets.append(timedelta(**{units[unit]: int(number)}))
    return tuple(sorted(set(offsets), reverse=True))


def offset_label(offset: timedelta) -> str:
    """'7d' / '1h' / '30m' (stable key part)."""
    minutes = int(offset.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def grace(offset: timedelta) -> timedelta:
    """How late a reminder may still go out: half its offset, at most a day."""
    return min(offset / 2, timedelta(days=1))


def sweep_reminders(db: Session, now: datetime, offsets: tuple[timedelta, ...] = DEFAULT_REMINDERS) -> int:
    """Queue the reminders that are due now (idempotent: keyed by session time and offset)."""
    if not offsets:
        return 0
    horizon = now + max(offsets)
    sessions = db.scalars(
        sa.select(MeetingSession).join(GlobalMeeting)
        .where(MeetingSession.status == "scheduled", GlobalMeeting.status.in_(("open", "closed")),
               MeetingSession.starts_at > now, MeetingSession.starts_at <= horizon)).all()
    queued = 0
    for session in sessions:
        for offset in offsets:
            due = session.starts_at - offset
            if not (due <= now < due + grace(offset)):
                continue
            suffix = f"{session.starts_at.isoformat()}:{offset_label(offset)}"
            for registration in db.scalars(sa.select(Registration).where(
                    Registration.session_id == session.id, Registration.status == "confirmed")):
                queued += notify_registration(db, registration, "reminder", now, key_suffix=suffix)
    db.flush()
    return queued
