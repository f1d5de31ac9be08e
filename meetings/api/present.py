"""Turn models into the plain documents the API returns."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from meetings.models import GlobalMeeting, MeetingSession, Registration
from meetings.organizations.models import WorkstreamInterest
from meetings.registrations import operations as ops


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix."""
    return value.isoformat().replace("+00:00", "Z")


def present_session(session: MeetingSession, seats_left: int) -> dict:
    """A session without its private join link."""
    return {
        "id": session.id,
        "label": session.label,
        "status": session.status,
        "start_utc": iso_utc(session.starts_at),
        "end_utc": iso_utc(session.ends_at),
        "duration_minutes": session.duration_minutes,
        "capacity": session.capacity,
        "seats_left": seats_left,
        "floor_languages": list(session.floor_languages or []),
    }


def present_meeting(meeting: GlobalMeeting, seats: dict[int, int], language: str) -> dict:
    """A meeting with its sessions and seats left."""
    return {
        "id": meeting.id,
        "edition": meeting.edition,
        "title": meeting.title(language),
        "description": meeting.description(language),
        "status": meeting.status,
        "conveners": meeting.conveners,
        "allowed_categories": list(meeting.allowed_categories or []),
        "duration_minutes": meeting.duration_minutes,
        "sessions": [present_session(s, seats.get(s.id, 0)) for s in meeting.sessions],
        "links": {
            "page": url_for("registrations.meeting_page", meeting_id=meeting.id, _external=True),
            "feed_ics": url_for("calendar.meeting_feed", meeting_id=meeting.id, lang=language, _external=True),
        },
    }


def present_registration(db: Session, registration: Registration, *, with_secrets: bool = True) -> dict:
    """A registration as its owner sees it.

    ``with_secrets=False`` (someone registered again with an existing e-mail address, which proves
    nothing about who they are): no token and no private links; the owner receives them by e-mail.
    """
    organization = registration.organization
    workstreams = db.scalars(
        sa.select(WorkstreamInterest).where(WorkstreamInterest.organization_id == organization.id)
    )
    document = {
        "token": registration.manage_token,
        "status": registration.status,
        "meeting_id": registration.meeting_id,
        "session": {
            "id": registration.session.id,
            "label": registration.session.label,
            "start_utc": iso_utc(registration.session.starts_at),
            "end_utc": iso_utc(registration.session.ends_at),
        },
        "name": registration.name,
        "email": registration.email,
        "function": registration.function,
        "organization": {"name": organization.name, "category": organization.category,
                         "country": organization.country, "region": organization.region},
        "language": registration.language,
        "spoken_language": registration.spoken_language,
        "listening_language": registration.listening_language,
        "timezone": registration.timezone,
        "liaison_email": registration.liaison_email,
        "workstreams": sorted(i.workstream.number for i in workstreams),
        "waitlist_position": ops.waitlist_position(db, registration),
        "created_at": iso_utc(registration.created_at),
        "updated_at": iso_utc(registration.updated_at),
        "links": {
            "self": url_for("api.Registration", token=registration.manage_token, _external=True),
            "manage": url_for("registrations.manage", token=registration.manage_token, _external=True),
            "invite_ics": url_for("calendar.invite", token=registration.manage_token, _external=True),
            "feed_ics": url_for("calendar.participant_feed", feed_token=registration.feed_token, _external=True),
        },
    }
    if not with_secrets:
        document["token"] = None
        document["links"] = {}
    return document

