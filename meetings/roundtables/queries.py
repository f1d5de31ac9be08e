"""Which meetings are scheduled roundtables (the home page lists them apart from global meetings)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from meetings.roundtables.models import Roundtable


def roundtable_meeting_ids(db: Session) -> set[int]:
    """Ids of the meetings that are scheduled thematic roundtables (listed apart from global meetings)."""
    return set(db.scalars(sa.select(Roundtable.meeting_id).where(Roundtable.meeting_id.is_not(None))))
