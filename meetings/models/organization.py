"""Organizations (stakeholders) that people register on behalf of."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from meetings.db import Base, UTCDateTime, utcnow
from meetings.vocabulary import CATEGORY_CODES, REGION_CODES, sql_in


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
