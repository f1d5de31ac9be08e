"""What the secretariat records in the console: booked interpretation channels and attendance."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from meetings.core.db import Base, UTCDateTime
from meetings.core.vocabulary import LANGUAGE_CODES, sql_in


class InterpretationBooking(Base):
    """An interpretation channel (source -> target language) booked for one session."""

    __tablename__ = "interpretation_bookings"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "source_language", "target_language", name="uq_booking_channel"),
        sa.CheckConstraint(sql_in("source_language", LANGUAGE_CODES), name="source"),
        sa.CheckConstraint(sql_in("target_language", LANGUAGE_CODES), name="target"),
        sa.CheckConstraint("source_language <> target_language", name="distinct_languages"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    source_language: Mapped[str] = mapped_column(sa.String(2))
    target_language: Mapped[str] = mapped_column(sa.String(2))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                     nullable=True)


class Attendance(Base):
    """Whether a confirmed registrant attended their session (marked afterwards by the secretariat)."""

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("registration_id", name="uq_attendance_registration"),
                      sa.Index("ix_attendance_session", "session_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(default=False)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                     nullable=True)
