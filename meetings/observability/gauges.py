"""Cheap aggregate queries behind the gauges of /metrics and the outbox check of /readyz."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from meetings.models import Registration
from meetings.outbox.models import OutboxMessage


def registration_counts(db: Session) -> dict[str, int]:
    """Registrations by status."""
    return dict(db.execute(sa.select(Registration.status, sa.func.count()).group_by(Registration.status)).all())


QUEUED = ("pending", "sending", "failed")


def outbox_counts(db: Session) -> dict[tuple[str, str], int]:
    """Rows still in the outbox (not sent) by (status, channel): sent rows pile up and are not depth."""
    rows = db.execute(sa.select(OutboxMessage.status, OutboxMessage.channel, sa.func.count())
                      .where(OutboxMessage.status.in_(QUEUED))
                      .group_by(OutboxMessage.status, OutboxMessage.channel)).all()
    return {(status, channel): count for status, channel, count in rows}


def oldest_due_age_seconds(db: Session, now: datetime) -> float:
    """How long the oldest due message (waiting, or leased by a worker that died) has been due; 0 if none."""
    waiting = db.scalar(sa.select(sa.func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now))
    abandoned = db.scalar(sa.select(sa.func.min(OutboxMessage.lease_until)).where(
        OutboxMessage.status == "sending", OutboxMessage.lease_until < now))
    since = [moment for moment in (waiting, abandoned) if moment is not None]
    return max(0.0, (now - min(since)).total_seconds()) if since else 0.0
