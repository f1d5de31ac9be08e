"""One-time sign-in links of registrations: e-mailed to the address, stored as digests, spent on use."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.core.db import Base, UTCDateTime
from meetings.models import Registration


class RegistrationSignIn(Base):
    """A link that proves its user reads the registration's address: it verifies it and renews its tokens."""

    __tablename__ = "registration_sign_ins"
    __table_args__ = (sa.Index("ix_registration_sign_ins_key_created", "email_key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id", ondelete="CASCADE"),
                                                 index=True)
    # The address's comparison key when the link was sent: counts the messages one address receives.
    email_key: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    registration: Mapped[Registration] = relationship()
