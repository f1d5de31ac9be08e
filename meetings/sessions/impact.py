"""How many people a change to sessions would notify, said before the secretariat confirms it."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from meetings.models import Registration


def people_to_notify(db: Session, session_ids: Iterable[int]) -> int:
    """Active registrants (confirmed or waitlisted, with an address) of the given sessions."""
    ids = list(session_ids)
    if not ids:
        return 0
    return db.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.session_id.in_(ids), Registration.status.in_(("confirmed", "waitlisted")),
        Registration.email.is_not(None), Registration.email != "")) or 0
