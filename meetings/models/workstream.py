"""The four workstreams of the Dialogue Platform and organizations' interest in them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.db import Base, UTCDateTime, utcnow
from meetings.models.organization import Organization
from meetings.models.translated import pick_language


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
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())

    organization: Mapped[Organization] = relationship()
    workstream: Mapped[Workstream] = relationship()
