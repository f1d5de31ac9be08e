"""What registrants and liaisons are told: queued in the transaction of the change, composed at delivery.

The row records the event, the session, the session left behind (a move) and the previous time (a
session moved); the delivery worker composes the e-mail and its invite from the registration's
current state, in the language recorded, so a message delayed behind later changes never announces
an outdated time, and the calendar always sees a SEQUENCE at least as high as the last one sent.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from meetings.calendar import events as calendar
from meetings.core.links import public_url
from meetings.core.localtime import in_zone
from meetings.models import MeetingSession, Registration
from meetings.outbox.composing import CalendarPart, Composed, Skip, render_email
from meetings.outbox.enqueue import CalendarObject, enqueue_message, enqueue_webhook_event
from meetings.outbox.models import OutboxMessage
from meetings.outbox.stencils import Personal, render_personal_email

EVENTS = ("confirmed", "waitlisted", "promoted", "changed", "cancelled", "moved", "session_changed",
          "session_cancelled", "reminder", "verified")
STATE_EVENTS = ("confirmed", "waitlisted", "promoted", "changed", "cancelled", "moved")
WEBHOOK_TOPICS = {"confirmed": "registration.created", "waitlisted": "registration.created",
                  "promoted": "registration.changed", "changed": "registration.changed",
                  "moved": "registration.changed", "cancelled": "registration.cancelled"}


ANNOUNCING = (*STATE_EVENTS, "session_changed", "session_cancelled")
COMPOSER, LIAISON_COMPOSER = "registration", "registration.liaison"


def notify_registration(db: Session, registration: Registration, event: str, now: datetime, *,
                        left_session: MeetingSession | None = None, key_suffix: str = "",
                        previous: tuple[datetime, datetime] | None = None) -> bool:
    """Queue the e-mail (composed at delivery with its invite or cancellation), the liaison's copy and the webhook.

    Until someone proves they read the address (``email_verified_at``), the address gets only its
    one-time link (:mod:`meetings.registrations.identity`): no invite, no liaison copy, no reminder.
    A move A -> B is one e-mail: the invitation to B, with the cancellation of A attached.
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
    left = left_session if left_session is not None and left_session.id != session.id else None
    facts = {"event": event, "session_id": session.id, "left_session_id": left.id if left else None,
             "previous": [moment.isoformat() for moment in previous] if previous else None}
    invite = calendar_object(registration)
    queued = enqueue_message(db, key=key, topic=f"registration.{event}", composer=COMPOSER, to=[registration.email],
                             language=registration.language, now=now, facts=facts, registration_id=registration.id,
                             calendar=invite, coalesce=invite is not None and event in ANNOUNCING and left is None)
    if registration.liaison_email and (event in WEBHOOK_TOPICS or event == "verified"):
        enqueue_message(db, key=f"{key}:liaison", topic="registration.liaison_copy", composer=LIAISON_COMPOSER,
                        to=[registration.liaison_email], language=registration.language, now=now, facts=facts,
                        registration_id=registration.id)
    if event in WEBHOOK_TOPICS:
        enqueue_webhook_event(db, event_type=WEBHOOK_TOPICS[event], event_id=key,
                              payload=registration_event_payload(registration), now=now)
    return queued is not None


def calendar_object(registration: Registration) -> CalendarObject | None:
    """The calendar object a message to ``registration`` is about now (UID, SEQUENCE, METHOD), if any.

    None while waitlisted: no seat yet, nothing to put in a calendar.
    """
    session = registration.session
    method = "CANCEL" if calendar.is_cancelled_for(registration, session) else "REQUEST"
    if method == "REQUEST" and registration.status == "waitlisted":
        return None
    return CalendarObject(session.ical_uid, calendar.personal_sequence(registration, session), method)


def compose_registration_message(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    """The e-mail about a registration, from its current state (the invite carries the current SEQUENCE)."""
    facts = row.facts or {}
    registration = db.get(Registration, row.registration_id) if row.registration_id else None
    if registration is None or not registration.email:
        return Skip("the registration was erased")
    session, event = registration.session, facts.get("event", "changed")
    left = db.get(MeetingSession, facts["left_session_id"]) if facts.get("left_session_id") else None
    left = left if left is not None and left.id != session.id else None
    if left is None and event != "cancelled" and facts.get("session_id") != session.id:
        return Skip("the registration moved to another session since; the move's message tells it")
    if event in ANNOUNCING:  # say what is true now, even if more happened since the row was queued
        event = _current_event(registration, event)
    elif event == "reminder" and (registration.status != "confirmed" or calendar.is_cancelled_for(registration,
                                                                                                   session)):
        return Skip("no seat to remind of any more")
    previous = facts.get("previous")
    previous = (datetime.fromisoformat(previous[0]), datetime.fromisoformat(previous[1])) if previous else None
    if previous == (session.starts_at, session.ends_at):  # moved back meanwhile: no change to tell
        previous = None
    links = calendar.calendar_links(registration) if registration.may_join else None
    email = render_personal_email("registration", row.language, _personal_values(registration, links),
                                  **_shared_context(registration, event, left, previous, links, row.language))
    part = None
    method, ics = calendar.invite_for(registration, now)
    if not (registration.status == "waitlisted" and method == "REQUEST"):  # no seat yet: nothing for a calendar
        part = CalendarPart(method, ics, session.ical_uid, calendar.personal_sequence(registration, session))
    if left is None:
        return Composed(email, part)
    _method, cancel = calendar.cancellation_for_left_session(registration, left, now)
    left_part = CalendarPart("CANCEL", cancel, left.ical_uid, calendar.personal_sequence(registration, left))
    return Composed(email, part, (left_part,)) if part else Composed(email, left_part)


def compose_liaison_copy(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    """The permanent mission's copy: the registration's current standing, no private link."""
    registration = db.get(Registration, row.registration_id) if row.registration_id else None
    if registration is None or not registration.email or not registration.liaison_email:
        return Skip("the registration was erased or no longer names a liaison")
    event = _current_event(registration, (row.facts or {}).get("event", "changed"))
    return Composed(render_email("liaison_copy", row.language, registration=registration,
                                 meeting=registration.meeting, session=registration.session, event=event))


def prepare_registration_messages(db: Session, rows: list[OutboxMessage]) -> list:
    """Load the batch's registrations, their sessions, meetings and organizations, and the sessions left.

    Returns what it loaded: the caller holds it while composing, so nothing is fetched again per message.
    """
    ids = {row.registration_id for row in rows if row.registration_id}
    left = {(row.facts or {}).get("left_session_id") for row in rows} - {None}
    loaded: list = []
    if ids:
        loaded += db.scalars(sa.select(Registration).where(Registration.id.in_(ids)).options(
            selectinload(Registration.session).selectinload(MeetingSession.meeting),
            selectinload(Registration.meeting), selectinload(Registration.organization))).all()
    if left:
        loaded += db.scalars(sa.select(MeetingSession).where(MeetingSession.id.in_(left)).options(
            selectinload(MeetingSession.meeting))).all()
    return loaded


def _current_event(registration: Registration, event: str) -> str:
    """The event a state message announces, corrected by what happened since it was queued."""
    session = registration.session
    if registration.status == "cancelled":
        return "cancelled"
    if session.status == "cancelled" or registration.meeting.status == "cancelled":
        return "session_cancelled"
    return event


PRIVATE_LINKS = {"invite_ics": "invite_url", "feed_webcal": "feed_url"}  # link -> personal value (stencils)


def calendar_buttons(links: dict[str, str | None], language: str) -> tuple[tuple[str, str | Personal], ...]:
    """(label in ``language``, URL) of each way to add the session to a calendar, from ``calendar.calendar_links``;
    the private links (the invite carries the manage token, the feed its own) are :class:`Personal` marks."""
    return tuple((label, Personal(PRIVATE_LINKS[key]) if key in PRIVATE_LINKS else links[key])
                 for key, label in _button_labels(language) if links.get(key))


def _button_labels(language: str) -> tuple[tuple[str, str], ...]:
    """(link, translated label) of the calendar buttons, in the order shown; remembered per language."""
    labels = current_app.extensions.setdefault("calendar_button_labels", {})
    if language not in labels:
        with force_locale(language):
            labels[language] = tuple((key, str(label)) for key, label in (
                ("invite_ics", _("Download the invitation (.ics)")), ("google", _("Google Calendar")),
                ("outlook", _("Outlook.com")), ("office365", _("Microsoft 365")),
                ("feed_webcal", _("Subscribe to your calendar feed"))))
    return labels[language]


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


def _shared_context(registration: Registration, event: str, left_session: MeetingSession | None,
                    previous: tuple[datetime, datetime] | None, links: dict[str, str | None] | None,
                    language: str) -> dict:
    """What a registration message says that others in the same language, zone and standing are told too.

    Plain values only (the stencil cache's key, :mod:`meetings.outbox.stencils`); the personal ones are
    :func:`_personal_values`.
    """
    session, meeting, zone = registration.session, registration.meeting, registration.timezone
    if previous is None and left_session is not None and left_session.id != session.id:
        previous = (left_session.starts_at, left_session.ends_at)  # a move: the old session's time
    return {
        "event": event,
        "lang": registration.language,
        "zone": zone,
        "meeting_title": meeting.title(registration.language),
        "session_label": session.label,
        "left_label": left_session.label if left_session is not None else None,
        "start": in_zone(session.starts_at, zone),
        "end": in_zone(session.ends_at, zone),
        "previous_start": in_zone(previous[0], zone) if previous else None,
        "previous_end": in_zone(previous[1], zone) if previous else None,
        "join_url": session.join_url if links is not None and session.status == "scheduled" else None,
        "calendar_links": calendar_buttons(links, language) if links is not None else (),
    }


def _personal_values(registration: Registration, links: dict[str, str | None] | None) -> dict[str, str]:
    """What only this registrant is told: their name and private links (``links``: their calendar links, if any)."""
    values = {"name": registration.name,
              "manage_url": public_url("registrations.manage", token=registration.manage_token)}
    for link, name in PRIVATE_LINKS.items():
        if links is not None and links.get(link):
            values[name] = links[link]
    return values
