"""Staff accounts and the login attempts used to rate-limit password guessing."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.core.db import Base, UTCDateTime, utcnow
from meetings.core.vocabulary import LANGUAGE_CODES, sql_in
from meetings.organizations.models import Organization

ROLES = ("secretariat", "co_convener")


class User(UserMixin, Base):
    """A secretariat member or a co-convener (participants use secret links instead)."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(sql_in("role", ROLES), name="role"),
        sa.CheckConstraint(sql_in("language", LANGUAGE_CODES), name="language"),
        sa.CheckConstraint("role = 'secretariat' OR organization_id IS NOT NULL", name="co_convener_org"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), nullable=True)
    language: Mapped[str] = mapped_column(sa.String(2), default="en")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    invitation_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, unique=True)
    invitation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    organization: Mapped[Organization | None] = relationship()

    def get_id(self) -> str:
        """Flask-Login's id: changes when the password changes, which ends other sessions."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        """Deactivated accounts and pending invitations cannot log in."""
        return self.active and self.password_hash is not None

    @property
    def is_secretariat(self) -> bool:
        """Whether the account may do everything."""
        return self.role == "secretariat"


class LoginAttempt(Base):
    """A failed login, kept for a while to slow down password guessing."""

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_key_at", "email_key", "attempted_at"),
                      sa.Index("ix_login_attempts_ip_at", "ip", "attempted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
