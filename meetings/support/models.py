"""Support requests and offers, the matches between them, and pledges followed to the Global Refugee Forum."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.accounts.models import User
from meetings.core.db import Base, UTCDateTime, utcnow
from meetings.core.vocabulary import LANGUAGE_CODES, REGION_CODES, sql_in
from meetings.organizations.models import Organization
from meetings.support.states import RESPONSES, STATES
from meetings.support.vocabulary import (
    AREA_CODES,
    ENTRY_STATUS_CODES,
    GRF_EDITIONS,
    KIND_CODES,
    PLEDGE_STATUS_CODES,
    SIDE_CODES,
)


class SupportEntry(Base):
    """A support request (States only) or a support offer (any stakeholder), with its contact."""

    __tablename__ = "support_entries"
    __table_args__ = (
        sa.CheckConstraint(sql_in("side", SIDE_CODES), name="side"),
        sa.CheckConstraint(sql_in("area", AREA_CODES), name="area"),
        sa.CheckConstraint(sql_in("kind", KIND_CODES), name="kind"),
        sa.CheckConstraint(sql_in("status", ENTRY_STATUS_CODES), name="status"),
        sa.CheckConstraint(f"region IS NULL OR {sql_in('region', REGION_CODES)}", name="region"),
        sa.CheckConstraint(sql_in("text_language", LANGUAGE_CODES), name="text_language"),
        sa.CheckConstraint(sql_in("contact_language", LANGUAGE_CODES), name="contact_language"),
        sa.CheckConstraint("period_to IS NULL OR period_from IS NULL OR period_to >= period_from", name="period"),
        sa.Index("ix_support_entries_side_status", "side", "status"),
        sa.Index("ix_support_entries_client_created", "client_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    side: Mapped[str] = mapped_column(sa.String(10))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    contact_language: Mapped[str] = mapped_column(sa.String(2), default="en")
    area: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(20))
    working_languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # None: any region (offers) / not said.
    region: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    period_from: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    period_to: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    text_language: Mapped[str] = mapped_column(sa.String(2))
    with_pledge: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(12), default="unconfirmed")
    # SHA-256 of the contact's private link (the link itself is only in the e-mail).
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                      nullable=True)
    # SHA-256 of the client address of an anonymous entry (rate limit per client), never the address itself.
    client_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())

    organization: Mapped[Organization] = relationship()
    entered_by: Mapped[User | None] = relationship()


class SupportMatch(Base):
    """A request and an offer proposed together by the secretariat, followed until closed."""

    __tablename__ = "support_matches"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "offer_id", name="uq_support_matches_pair"),
        sa.CheckConstraint(sql_in("status", STATES), name="status"),
        sa.CheckConstraint(sql_in("requester_response", RESPONSES), name="requester_response"),
        sa.CheckConstraint(sql_in("offerer_response", RESPONSES), name="offerer_response"),
        sa.Index("ix_support_matches_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("support_entries.id", ondelete="CASCADE"))
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("support_entries.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(12), default="proposed")
    score: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    requester_response: Mapped[str] = mapped_column(sa.String(10), default="pending")
    offerer_response: Mapped[str] = mapped_column(sa.String(10), default="pending")
    requester_consent: Mapped[bool] = mapped_column(default=False)
    offerer_consent: Mapped[bool] = mapped_column(default=False)
    # SHA-256 of each party's private answer link.
    requester_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    offerer_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                       nullable=True)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())

    request: Mapped[SupportEntry] = relationship(foreign_keys=[request_id])
    offer: Mapped[SupportEntry] = relationship(foreign_keys=[offer_id])

    @property
    def public(self) -> bool:
        """Shown on the public page only with both parties' consent, once agreed."""
        return (self.requester_consent and self.offerer_consent
                and self.status in ("agreed", "under_way", "completed", "closed"))


pledge_requests = sa.Table(
    "support_pledge_requests", Base.metadata,
    sa.Column("pledge_id", sa.ForeignKey("support_pledges.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("request_id", sa.ForeignKey("support_entries.id", ondelete="CASCADE"), primary_key=True),
)


class Pledge(Base):
    """A formal pledge made at (or toward) a Global Refugee Forum, with its follow-up status."""

    __tablename__ = "support_pledges"
    __table_args__ = (
        sa.CheckConstraint(sql_in("area", AREA_CODES), name="area"),
        sa.CheckConstraint(sql_in("kind", KIND_CODES), name="kind"),
        sa.CheckConstraint(sql_in("status", PLEDGE_STATUS_CODES), name="status"),
        sa.CheckConstraint(sql_in("grf_edition", GRF_EDITIONS), name="grf_edition"),
        sa.CheckConstraint(f"region IS NULL OR {sql_in('region', REGION_CODES)}", name="region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    area: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(20))
    region: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    grf_edition: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(12), default="announced")
    forum: Mapped[str] = mapped_column(sa.String(200), default="")
    public_consent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())

    organization: Mapped[Organization] = relationship()
    requests: Mapped[list[SupportEntry]] = relationship(secondary=pledge_requests, order_by=SupportEntry.id)
