"""Organizations (stakeholders), the four workstreams and organizations' sign-ups to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.core.db import Base, UTCDateTime, utcnow
from meetings.core.translated import pick_language
from meetings.core.vocabulary import CATEGORY_CODES, REGION_CODES, sql_in


def organization_key(name: str) -> str:
    """The case- and space-insensitive key that identifies an organization name."""
    return " ".join(name.split()).casefold()


class Organization(Base):
    """A stakeholder: a national authority, a permanent mission, an NGO, UNHCR..."""

    __tablename__ = "organizations"
    __table_args__ = (
        sa.UniqueConstraint("name_key", "country", name="uq_organizations_name_country"),
        sa.CheckConstraint(sql_in("category", CATEGORY_CODES), name="category"),
        sa.CheckConstraint(f"region IS NULL OR {sql_in('region', REGION_CODES)}", name="region"),
        sa.CheckConstraint("length(country) = 2", name="country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(40))
    country: Mapped[str] = mapped_column(sa.String(2))
    region: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())

    # Its sign-ups to workstreams, loaded only when asked for (``find_or_create_organization`` does).
    # The database deletes them with the organization (ON DELETE CASCADE): the ORM leaves them alone.
    interests: Mapped[list[WorkstreamInterest]] = relationship(back_populates="organization", passive_deletes="all")


class Workstream(Base):
    """One of the four workstreams (numbered 1 to 4)."""

    __tablename__ = "workstreams"
    __table_args__ = (sa.CheckConstraint("number BETWEEN 1 AND 4", name="number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title_en: Mapped[str] = mapped_column(sa.String(300))
    title_fr: Mapped[str] = mapped_column(sa.String(300))
    title_es: Mapped[str] = mapped_column(sa.String(300))

    def title(self, locale: str) -> str:
        """The title in ``locale`` (with fallback)."""
        return pick_language(self, "title", locale)


class WorkstreamInterest(Base):
    """An organization signed up to a workstream, with a contact person."""

    __tablename__ = "workstream_interests"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "workstream_id", name="uq_interest_org_workstream"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    workstream_id: Mapped[int] = mapped_column(sa.ForeignKey("workstreams.id", ondelete="CASCADE"))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    # rules.email_key of the contact's address, and of whoever made the sign-up (only they may remove it).
    contact_email_key: Mapped[str] = mapped_column(sa.String(254), default="", index=True)
    created_by_email_key: Mapped[str] = mapped_column(sa.String(254), default="", index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())

    organization: Mapped[Organization] = relationship(back_populates="interests")
    workstream: Mapped[Workstream] = relationship()
