"""Outbox rows (one per message to send) and the webhook subscriptions of the secretariat."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from meetings.core.db import Base, UTCDateTime, utcnow
from meetings.core.request_id import current_request_id
from meetings.core.vocabulary import sql_in

CHANNELS = ("email", "webhook")
STATUSES = ("pending", "sending", "sent", "failed", "superseded")


class OutboxMessage(Base):
    """A message to deliver: an e-mail (what happened, composed at delivery) or a webhook event.

    An e-mail row names its ``composer`` (registered by the feature that sends it) and the ``facts``
    it needs (ids, the event, the previous time...); ``secrets`` holds the one-time tokens its links
    carry until it is sent or dropped, then is cleared. ``ical_uid``/``ical_sequence`` name the calendar
    object the message is about and the SEQUENCE it announced, for coalescing. Rows queued before
    composition moved to delivery have no composer and carry their rendered bodies.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint(sql_in("channel", CHANNELS), name="channel"),
        sa.CheckConstraint(sql_in("status", STATUSES), name="status"),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_calendar_object", "registration_id", "ical_uid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(10))
    topic: Mapped[str] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), nullable=True)
    # The X-Request-ID of the request that caused the message (None for jobs and commands).
    request_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, default=current_request_id)
    # E-mail
    to_addresses: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    cc_addresses: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    language: Mapped[str] = mapped_column(sa.String(2), default="en")
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    body_text: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    calendar: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    calendar_method: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    composer: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    facts: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    secrets: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    ical_uid: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    ical_sequence: Mapped[int | None] = mapped_column(nullable=True)
    # Webhook
    webhook_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=True)
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class Webhook(Base):
    """A URL of a partner system that receives signed JSON events."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    secret: Mapped[str] = mapped_column(sa.String(100))
    events: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
