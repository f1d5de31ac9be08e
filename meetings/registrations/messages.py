"""What registrants and liaisons are told, queued in the transaction of the change that causes it."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from meetings.calendar import events as calendar
from meetings.core.links import public_url
from meetings.core.localtime import in_zone
from meetings.core.vocabulary import CATEGORIES
from meetings.models import MeetingSession, Registration
from meetings.outbox.enqueue import enqueue_email, enqueue_webhook_event, render_email

EVENTS = ("confirmed", "waitlisted", "promoted", "changed", "cancelled", "moved", "session_changed",
          "session_cancelled", "reminder", "verified")
STATE_EVENTS = ("confirmed", "waitlisted", "promoted", "changed", "cancelled", "moved")
WEBHOOK_TOPICS = {"confirmed": "registration.created", "waitlisted": "registration.created",
                  "promoted": "registration.changed", "changed": "registration.changed",
                  "moved": "registration.changed", "cancelled": "registration.cancelled"}


def notify_registration(db: Session, registration: Registration, event: str, now: datetime, *,
                        left_session: MeetingSession | None = None, key_suffix: str = "",
                        previous: tuple[datetime, datetime] | None = None) -> bool:
    """Queue the e-mail (with its invite or cancellation), the liaison's copy and the webhook event.

    Until someone proves they read the address (``email_verified_at``), the address gets only its
    one-time link (:mod:`meetings.registrations.identity`): no invite, no liaison copy, no reminder.
    Returns False when this very message was not queued (unverified, or the same key already queued).
    """
    assert event in EVENTS, event
    if not registration.email:  # anonymized or erased: nobody to tell
        return False
    if registration.email_verified_at is None:
        if event in WEBHOOK_TOPICS:
            key = f"registration:{registration.id}:state:{state_fingerprint(registration)}"
            enqueue_webhook_event(db, event_type=WEBHOOK_TOPICS[event], event_id=key,
                                  payload=registration_event_payload(registration), now=now)
        return False
    session = registration.session
    if event in STATE_EVENTS:  # they announce the current state: the same state is never announced twice
        key = f"registration:{registration.id}:state:{state_fingerprint(registration)}"
    else:
        key = f"registration:{registration.id}:{event}:{key_suffix or state_fingerprint(registration)}"
    method, ics = calendar.invite_for(registration, now)
    if registration.status == "waitlisted" and method == "REQUEST":
        method, ics = None, None  # no seat yet: nothing to put in a calendar
    context = _context(registration, event, left_session, previous)
    email = render_email("registration", registration.language, **context)
    queued = enqueue_email(db, key=key, topic=f"registration.{event}", to=[registration.email],
                  language=registration.language, email=email, now=now, calendar=ics, calendar_method=method,
                  registration_id=registration.id)
    if left_session is not None and left_session.id != session.id:
        _method, cancel = calendar.cancellation_for_left_session(registration, left_session, now)
        enqueue_email(db, key=f"{key}:left:{left_session.id}", topic="registration.left_session",
                      to=[registration.email], language=registration.language,
                      email=render_email("registration", registration.language,
                                         **_left_context(context, registration, left_session)),
                      now=now, calendar=cancel, calendar_method="CANCEL", registration_id=registration.id)
    if registration.liaison_email and (event in WEBHOOK_TOPICS or event == "verified"):
        enqueue_email(db, key=f"{key}:liaison", topic="registration.liaison_copy", to=[registration.liaison_email],
                      language=registration.language,
                      email=render_email("liaison_copy", registration.language, **context), now=now,
                      registration_id=registration.id)
    if event in WEBHOOK_TOPICS:
        enqueue_webhook_event(db, event_type=WEBHOOK_TOPICS[event], event_id=key,
                              payload=registration_event_payload(registration), now=now)
    return queued is not None


def calendar_buttons(registration: Registration) -> dict[str, str]:
    """Translated label -> URL of each way to add the session to a calendar."""
    links = calendar.calendar_links(registration)
    labels = {"invite_ics": _("Download the invitation (.ics)"), "google": _("Google Calendar"),
              "outlook": _("Outlook.com"), "office365": _("Microsoft 365"),
              "feed_webcal": _("Subscribe to your calendar feed")}
    return {str(label): links[key] for key, label in labels.items() if links.get(key)}


def state_fingerprint(registration: Registration) -> str:
    """A digest of everything a message about this registration says: the same state, the same key."""
    session = registration.session
    state = (registration.status, session.id, session.starts_at.isoformat(), session.status,
             session.ical_sequence, registration.ical_sequence, registration.language, registration.timezone,
             registration.spoken_language, registration.listening_language, registration.liaison_email,
             registration.name, registration.function, registration.meeting.status)
    return hashlib.sha256(repr(state).encode()).hexdigest()[:20]


def registration_event_payload(registration: Registration) -> dict:
    """What partner systems learn about a registration (no e-mail, no secret links)."""
    organization = registration.organization
    return {
        "registration_id": registration.id, "meeting_id": registration.meeting_id,
        "session": {"id": registration.session_id, "label": registration.session.label,
                    "start_utc": registration.session.starts_at.isoformat()},
        "status": registration.status, "language": registration.language,
        "spoken_language": registration.spoken_language, "listening_language": registration.listening_language,
        "organization": {"name": organization.name, "category": organization.category,
                         "country": organization.country, "region": organization.region},
    }


def _left_context(context: dict, registration: Registration, left_session: MeetingSession) -> dict:
    """The e-mail removing the session left behind describes that session (no join link, no invite links)."""
    return {**context, "event": "left", "session": left_session, "join_url": None, "calendar_links": {},
            "previous_start": None, "previous_end": None,
            "start": in_zone(left_session.starts_at, registration.timezone),
            "end": in_zone(left_session.ends_at, registration.timezone)}


def _context(registration: Registration, event: str, left_session: MeetingSession | None,
             previous: tuple[datetime, datetime] | None = None) -> dict:
    session = registration.session
    confirmed = registration.may_join
    if previous is None and left_session is not None and left_session.id != session.id:
        previous = (left_session.starts_at, left_session.ends_at)  # a move: the old session's time
    return {
        "previous_start": in_zone(previous[0], registration.timezone) if previous else None,
        "previous_end": in_zone(previous[1], registration.timezone) if previous else None,
        "registration": registration,
        "meeting": registration.meeting,
        "session": session,
        "event": event,
        "left_session": left_session,
        "start": in_zone(session.starts_at, registration.timezone),
        "end": in_zone(session.ends_at, registration.timezone),
        "join_url": session.join_url if confirmed and session.status == "scheduled" else None,
        "manage_url": public_url("registrations.manage", token=registration.manage_token),
        "calendar_links": calendar_buttons(registration) if confirmed else {},
        "category_label": str(CATEGORIES.get(registration.organization.category, "")),
        "service_name": current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform"),
    }
