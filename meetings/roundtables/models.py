"""Roundtable proposals, their date windows and history, follow-up invitations, regional-forum topics."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.accounts.models import User
from meetings.core.db import Base, UTCDateTime, utcnow
from meetings.core.translated import pick_language
from meetings.core.vocabulary import LANGUAGE_CODES, sql_in
from meetings.models.meeting import GlobalMeeting
from meetings.organizations.models import Organization, Workstream
from meetings.roundtables.states import STATES

INVITATION_STATUSES = ("invited", "declined")


class Roundtable(Base):
    """A thematic roundtable (technical dialogue) proposed by a co-convener's organization."""

    __tablename__ = "roundtables"
    __table_args__ = (
        sa.CheckConstraint(sql_in("status", STATES), name="status"),
        sa.CheckConstraint("duration_minutes >= 30 AND duration_minutes <= 480", name="duration"),
        sa.Index("ix_roundtables_organization_status", "organization_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    proposer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    workstream_id: Mapped[int] = mapped_column(sa.ForeignKey("workstreams.id"))
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    title_fr: Mapped[str] = mapped_column(sa.String(200), default="")
    title_es: Mapped[str] = mapped_column(sa.String(200), default="")
    abstract_en: Mapped[str] = mapped_column(sa.Text, default="")
    abstract_fr: Mapped[str] = mapped_column(sa.Text, default="")
    abstract_es: Mapped[str] = mapped_column(sa.Text, default="")
    themes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    target_categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    interpretation_languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    co_conveners: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    # Set when scheduled: the meeting people register for (same pages, API, invites and feeds).
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("global_meetings.id", ondelete="SET NULL"), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    # Duplicate-finder features of the texts, computed when they change (similarity.Vector.to_json()).
    similarity_vector: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True, deferred=True)

    organization: Mapped[Organization] = relationship()
    proposer: Mapped[User | None] = relationship()
    workstream: Mapped[Workstream] = relationship()
    meeting: Mapped[GlobalMeeting | None] = relationship()
    windows: Mapped[list[RoundtableWindow]] = relationship(
        back_populates="roundtable", order_by="RoundtableWindow.starts_on", cascade="all, delete-orphan")
    history: Mapped[list[RoundtableChange]] = relationship(
        back_populates="roundtable", order_by="(RoundtableChange.at, RoundtableChange.id)",
        cascade="all, delete-orphan")

    def title(self, locale: str) -> str:
        """The title in ``locale`` (with fallback)."""
        return pick_language(self, "title", locale)

    def abstract(self, locale: str) -> str:
        """The abstract in ``locale`` (with fallback)."""
        return pick_language(self, "abstract", locale)

    def languages_written(self) -> list[str]:
        """The languages in which the proposer wrote a title or an abstract."""
        return [code for code in LANGUAGE_CODES
                if getattr(self, f"title_{code}") or getattr(self, f"abstract_{code}")]


class RoundtableWindow(Base):
    """A range of dates the proposer suggests for the roundtable."""

    __tablename__ = "roundtable_windows"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roundtable_id: Mapped[int] = mapped_column(sa.ForeignKey("roundtables.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)

    roundtable: Mapped[Roundtable] = relationship(back_populates="windows")


class RoundtableChange(Base):
    """One entry of a roundtable's history: who changed what, when, with which comment (append-only)."""

    __tablename__ = "roundtable_changes"
    __table_args__ = (
        sa.CheckConstraint(f"from_status IS NULL OR {sql_in('from_status', STATES)}", name="from_status"),
        sa.CheckConstraint(sql_in("to_status", STATES), name="to_status"),
        sa.Index("ix_roundtable_changes_roundtable", "roundtable_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roundtable_id: Mapped[int] = mapped_column(sa.ForeignKey("roundtables.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(30))
    from_status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    roundtable: Mapped[Roundtable] = relationship(back_populates="history")


class RoundtableInvitation(Base):
    """A workstream contact invited to a scheduled roundtable (once per contact and roundtable)."""

    __tablename__ = "roundtable_invitations"
    __table_args__ = (
        sa.UniqueConstraint("roundtable_id", "email_key", name="uq_roundtable_invitations_contact"),
        sa.CheckConstraint(sql_in("status", INVITATION_STATUSES), name="status"),
        sa.CheckConstraint(sql_in("language", LANGUAGE_CODES), name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roundtable_id: Mapped[int] = mapped_column(sa.ForeignKey("roundtables.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(2), default="en")
    # SHA-256 of the secret decline link (the link itself is only in the e-mail).
    decline_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="invited")
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                      nullable=True)

    roundtable: Mapped[Roundtable] = relationship()
    organization: Mapped[Organization] = relationship()


class RegionalForumTopic(Base):
    """A topic a regional forum already covers (kept by the secretariat, to avoid duplicates)."""

    __tablename__ = "regional_forum_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    title_fr: Mapped[str] = mapped_column(sa.String(300), default="")
    title_es: Mapped[str] = mapped_column(sa.String(300), default="")
    regions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    # Duplicate-finder features of the titles, computed when they change (similarity.Vector.to_json()).
    similarity_vector: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True, deferred=True)

    def title(self, locale: str) -> str:
        """The title in ``locale`` (with fallback)."""
        return pick_language(self, "title", locale)
