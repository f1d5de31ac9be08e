"""The secretariat's list of outgoing messages: newest first, searchable by recipient, subject or kind."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from meetings.outbox.models import STATUSES, OutboxMessage

MAX_QUERY = 200


def search_messages(db: Session, text: str = "", status: str | None = None, limit: int = 100
                    ) -> list[OutboxMessage]:
    """Messages whose recipient, subject or kind contains ``text`` (any case), with ``status`` if given."""
    query = sa.select(OutboxMessage)
    needle = (text or "").strip().lower()[:MAX_QUERY]
    if needle:
        query = query.where(sa.or_(
            sa.func.lower(sa.cast(OutboxMessage.to_addresses, sa.Text)).contains(needle, autoescape=True),
            sa.func.lower(OutboxMessage.subject).contains(needle, autoescape=True),
            sa.func.lower(OutboxMessage.topic).contains(needle, autoescape=True)))
    if status in STATUSES:
        query = query.where(OutboxMessage.status == status)
    return list(db.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))
