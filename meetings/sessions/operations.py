"""The only places a published session's time or status changes. They flush, never commit.

Each change bumps the session's iCalendar SEQUENCE (calendar clients accept an update only with a
higher one), is written to the audit log, and queues in the same transaction the ``session.changed``
webhook event and a background task that sends one message per active registrant (an updated
invitation or a cancellation) in batches in the scheduler process, so the request answers at once.
Reminders follow by themselves: their keys contain the session's start time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.core.audit import record_action
from meetings.core.errors import Conflict, InvalidInput
from meetings.models import GlobalMeeting, MeetingSession
from meetings.sessions.messages import notify_session_changed

MAX_DURATION = 720


def reschedule_session(db: Session, session: MeetingSession, starts_at: datetime, duration_minutes: int,
                       actor, now: datetime) -> bool:
    """Move one session; returns whether anything changed."""
    if starts_at.tzinfo is None:
        raise ValueError("naive datetime given to reschedule_session")
    if isinstance(duration_minutes, bool) or not 0 < duration_minutes <= MAX_DURATION:
        raise InvalidInput("bad_duration", _l("The duration must be between 1 and %(max)d minutes."),
                           field="duration", max=MAX_DURATION)
    if session.status == "cancelled":
        raise Conflict("session_cancelled", _l("This session has been cancelled; it cannot be moved."))
    starts_at = starts_at.astimezone(UTC)
    previous_start, previous_duration = session.starts_at, session.duration_minutes
    if previous_start == starts_at and previous_duration == duration_minutes:
        return False
    session.starts_at = starts_at
    session.duration_minutes = duration_minutes
    session.ical_sequence += 1
    record_action(db, actor, "session.rescheduled", "session", session.id, now,
                  label=session.label, meeting_id=session.meeting_id,
                  before={"starts_at": previous_start.isoformat(), "duration_minutes": previous_duration},
                  after={"starts_at": starts_at.isoformat(), "duration_minutes": duration_minutes})
    db.flush()
    if session.meeting.status != "draft":
        notify_session_changed(db, session, now,
                               previous=(previous_start, previous_start + timedelta(minutes=previous_duration)))
    return True


def cancel_session(db: Session, session: MeetingSession, actor, now: datetime) -> bool:
    """Cancel one session: every registrant's calendar gets a cancellation; returns whether it changed."""
    if session.status == "cancelled":
        return False
    session.status = "cancelled"
    session.ical_sequence += 1
    record_action(db, actor, "session.cancelled", "session", session.id, now, label=session.label,
                  meeting_id=session.meeting_id)
    db.flush()
    if session.meeting.status != "draft":
        notify_session_changed(db, session, now)
    return True


def cancel_meeting(db: Session, meeting: GlobalMeeting, actor, now: datetime) -> None:
    """Cancel a meeting and all its sessions."""
    if meeting.status == "cancelled":
        return
    was_draft = meeting.status == "draft"
    meeting.status = "cancelled"
    record_action(db, actor, "meeting.cancelled", "meeting", meeting.id, now, edition=meeting.edition)
    for session in meeting.sessions:
        if session.status != "cancelled":
            session.status = "cancelled"
            session.ical_sequence += 1
    db.flush()
    if not was_draft:
        for session in meeting.sessions:
            notify_session_changed(db, session, now)
