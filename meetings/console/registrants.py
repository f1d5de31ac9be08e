"""One registrant as the secretariat sees it: the registration, its organization, and its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.console.models import Attendance
from meetings.core.errors import NotFound
from meetings.models import Registration
from meetings.outbox.models import OutboxMessage


@dataclass(frozen=True)
class HistoryItem:
    """Something that happened to a registration, in time order."""

    at: datetime
    text: str
    status: str = ""


def registrant_or_404(db: Session, registration_id: int) -> Registration:
    """The registration, or a localized 404."""
    registration = db.get(Registration, registration_id)
    if registration is None:
        raise NotFound("registration_not_found", _l("This registration does not exist."))
    return registration


def registrant_history(db: Session, registration: Registration) -> list[HistoryItem]:
    """Registration, cancellation, every message sent or queued for it, and attendance, oldest first."""
    items = [HistoryItem(registration.created_at, str(_l("Registered")))]
    if registration.cancelled_at:
        items.append(HistoryItem(registration.cancelled_at, str(_l("Cancelled"))))
    for message in db.scalars(sa.select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
                              .order_by(OutboxMessage.id)):
        text = str(_l("Message “%(subject)s” (%(kind)s)", subject=message.subject or "—", kind=message.topic))
        items.append(HistoryItem(message.sent_at or message.created_at, text, message.status))
    attendance = db.scalar(sa.select(Attendance).where(Attendance.registration_id == registration.id))
    if attendance is not None:
        text = _l("Attended") if attendance.present else _l("Did not attend")
        items.append(HistoryItem(attendance.marked_at, str(text)))
    return sorted(items, key=lambda item: item.at)
