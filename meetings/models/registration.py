"""A person's registration for one session of a global meeting."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.core.db import Base, UTCDateTime, utcnow
from meetings.core.vocabulary import LANGUAGE_CODES, REGISTRATION_STATUS_CODES, sql_in
from meetings.models.meeting import GlobalMeeting, MeetingSession
from meetings.organizations.models import Organization


def new_manage_token() -> str:
    """An unguessable secret for the participant's manage link (256 bits)."""
    return secrets.token_urlsafe(32)


class Registration(Base):
    """One person, one meeting: the chosen session, language needs and status."""

    __tablename__ = "registrations"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "email_key", name="uq_registrations_meeting_email"),
        sa.CheckConstraint(sql_in("status", REGISTRATION_STATUS_CODES), name="status"),
        sa.CheckConstraint(sql_in("language", LANGUAGE_CODES), name="language"),
        sa.CheckConstraint(
            f"spoken_language IS NULL OR {sql_in('spoken_language', LANGUAGE_CODES)}", name="spoken"
        ),
        sa.CheckConstraint(
            f"listening_language IS NULL OR {sql_in('listening_language', LANGUAGE_CODES)}",
            name="listening",
        ),
        sa.CheckConstraint("consent_given_at IS NOT NULL", name="consent"),
        sa.CheckConstraint("ical_sequence >= 0", name="sequence"),
        sa.Index("ix_registrations_session_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("global_meetings.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254))
    function: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str] = mapped_column(sa.String(2), default="en")
    spoken_language: Mapped[str | None] = mapped_column(sa.String(2), nullable=True)
    listening_language: Mapped[str | None] = mapped_column(sa.String(2), nullable=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    consent_given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20))
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    manage_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=lambda: new_manage_token()
    )
    feed_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=lambda: new_manage_token()
    )
    liaison_email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set when someone proved they read this address (a one-time link e-mailed to it, used with a POST).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    meeting: Mapped[GlobalMeeting] = relationship()
    session: Mapped[MeetingSession] = relationship()
    organization: Mapped[Organization] = relationship()

    @property
    def may_join(self) -> bool:
        """Whether the join link may reach whoever holds this registration: confirmed and address verified."""
        return self.status == "confirmed" and self.email_verified_at is not None
