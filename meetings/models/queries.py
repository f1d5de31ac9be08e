"""Loading meetings for pages and API handlers."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from meetings.core.errors import NotFound
from meetings.models import GlobalMeeting
from meetings.roundtables.models import Roundtable


def meeting_or_404(db: Session, meeting_id: int) -> GlobalMeeting:
    """A published meeting (not a draft) with its sessions, or a localized 404."""
    meeting = db.scalar(
        sa.select(GlobalMeeting).where(GlobalMeeting.id == meeting_id, GlobalMeeting.status != "draft")
        .options(selectinload(GlobalMeeting.sessions))
    )
    if meeting is None:
        raise NotFound("unknown_meeting", _l("This meeting does not exist."))
    return meeting


def published_meetings(db: Session) -> list[GlobalMeeting]:
    """Every meeting that is not a draft, by edition."""
    return list(db.scalars(
        sa.select(GlobalMeeting).where(GlobalMeeting.status != "draft")
        .options(selectinload(GlobalMeeting.sessions)).order_by(GlobalMeeting.edition)
    ))


def roundtable_meeting_ids(db: Session) -> set[int]:
    """Ids of the meetings that are scheduled thematic roundtables (listed apart from global meetings)."""
    return set(db.scalars(sa.select(Roundtable.meeting_id).where(Roundtable.meeting_id.is_not(None))))
