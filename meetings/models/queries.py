"""Loading meetings and registrations for pages and API handlers (localized 404s)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from meetings.core.errors import NotFound
from meetings.models import GlobalMeeting, Registration


def _meetings(drafts: bool) -> sa.Select:
    query = sa.select(GlobalMeeting).options(selectinload(GlobalMeeting.sessions))
    return query if drafts else query.where(GlobalMeeting.status != "draft")


# One meeting with its sessions joined, built once (the id is a parameter): drafts included (True) or not (False).
_ANY_MEETING = sa.select(GlobalMeeting).options(joinedload(GlobalMeeting.sessions)).where(
    GlobalMeeting.id == sa.bindparam("meeting_id"))
_MEETING_WITH_SESSIONS = {True: _ANY_MEETING, False: _ANY_MEETING.where(GlobalMeeting.status != "draft")}


def meeting_or_404(db: Session, meeting_id: int, *, drafts: bool = False) -> GlobalMeeting:
    """A meeting with its sessions (drafts only when asked: staff pages), or a localized 404.

    One round trip: the sessions come joined (lists load them with a second query instead).
    """
    meeting = db.scalars(_MEETING_WITH_SESSIONS[drafts], {"meeting_id": meeting_id}).unique().one_or_none()
    if meeting is None:
        raise NotFound("unknown_meeting", _l("This meeting does not exist."))
    return meeting


def published_meetings(db: Session) -> list[GlobalMeeting]:
    """Every meeting that is not a draft, by edition."""
    return list(db.scalars(_meetings(drafts=False).order_by(GlobalMeeting.edition)))


def all_meetings(db: Session, *, newest_first: bool = False) -> list[GlobalMeeting]:
    """Every meeting, drafts included (staff pages), by edition."""
    order = GlobalMeeting.edition.desc() if newest_first else GlobalMeeting.edition
    return list(db.scalars(_meetings(drafts=True).order_by(order)))


def registration_by_token(db: Session, token: str) -> Registration:
    """The registration behind a secret manage link, or a localized 404."""
    registration = None
    if token and len(token) <= 64:
        registration = db.scalar(sa.select(Registration).where(Registration.manage_token == token))
    if registration is None:
        raise NotFound(
            "unknown_token",
            _l("This link is not valid. Use the link from your confirmation e-mail."),
        )
    return registration
