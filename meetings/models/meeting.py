"""Global meetings and their twin sessions (A and B)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.core.db import Base, UTCDateTime, utcnow
from meetings.core.translated import pick_language
from meetings.core.vocabulary import MEETING_STATUS_CODES, SESSION_LABELS, SESSION_STATUS_CODES, sql_in


def new_ical_uid() -> str:
    """A random, stored UID for one calendar object (never rebuilt from ids)."""
    return f"{secrets.token_hex(16)}@acsg-dialogue"


class GlobalMeeting(Base):
    """A global meeting of the Dialogue Platform (two a year), convened as twin sessions."""

    __tablename__ = "global_meetings"
    __table_args__ = (
        sa.CheckConstraint(sql_in("status", MEETING_STATUS_CODES), name="status"),
        sa.CheckConstraint("duration_minutes > 0 AND duration_minutes <= 720", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    title_fr: Mapped[str] = mapped_column(sa.String(200), default="")
    title_es: Mapped[str] = mapped_column(sa.String(200), default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_es: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    conveners: Mapped[str] = mapped_column(sa.String(500), default="UNHCR")
    allowed_categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    duration_minutes: Mapped[int] = mapped_column(default=180)
    reference_timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Zurich")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    # The applied plan (scheduler's plan document) and its per-region burden, read by the next
    # edition's planner so that bad hours rotate between regions (meetings.planning). Loaded only when
    # read: a plan document is about 120 KB of JSON that no page, feed or registration needs.
    plan_document: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True, deferred=True)
    plan_burden: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True, deferred=True)

    sessions: Mapped[list[MeetingSession]] = relationship(
        back_populates="meeting", order_by="MeetingSession.label", cascade="all, delete-orphan"
    )

    def title(self, locale: str) -> str:
        """The title in ``locale`` (with fallback)."""
        return pick_language(self, "title", locale)

    def description(self, locale: str) -> str:
        """The description in ``locale`` (with fallback)."""
        return pick_language(self, "description", locale)

    @property
    def is_open(self) -> bool:
        """Whether registration is open."""
        return self.status == "open"


class MeetingSession(Base):
    """One of the twin sessions of a global meeting, at its own UTC time."""

    __tablename__ = "sessions"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "label", name="uq_sessions_meeting_label"),
        sa.CheckConstraint(sql_in("label", SESSION_LABELS), name="label"),
        sa.CheckConstraint(sql_in("status", SESSION_STATUS_CODES), name="status"),
        sa.CheckConstraint("capacity >= 0", name="capacity"),
        sa.CheckConstraint("duration_minutes > 0 AND duration_minutes <= 720", name="duration"),
        sa.CheckConstraint("ical_sequence >= 0", name="sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("global_meetings.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(sa.String(1))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(default=180)
    capacity: Mapped[int] = mapped_column(default=300)
    join_url: Mapped[str] = mapped_column(sa.String(500), default="")
    floor_languages: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: ["en"])
    status: Mapped[str] = mapped_column(sa.String(20), default="scheduled")
    ical_uid: Mapped[str] = mapped_column(sa.String(100), unique=True, default=lambda: new_ical_uid())
    ical_sequence: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[GlobalMeeting] = relationship(back_populates="sessions")

    @property
    def ends_at(self) -> datetime:
        """End of the session in UTC."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)
