"""Organization API keys: a mission's or ministry's own system registers its delegation.

Created by the secretariat (shown once, stored as a SHA-256 digest, named, scoped to one
organization, revocable); sent as ``Authorization: Bearer <key>``. Registrations made with a key
are trusted for that organization only (see ``registrations.operations``); every use is audited.
Verb-named operations flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from meetings.core import rules
from meetings.core.audit import record_action
from meetings.core.db import Base, UTCDateTime
from meetings.core.errors import Conflict, DomainError, NotFound
from meetings.organizations.models import Organization

PREFIX = "acsg_"


class Unauthorized(DomainError):
    """A missing, unknown or revoked API key (401)."""

    status = 401


class OrganizationApiKey(Base):
    """A secret that lets one organization's system register its own people."""

    __tablename__ = "organization_api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the key, shown in lists so that people can tell keys apart.
    hint: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    organization: Mapped[Organization] = relationship()


def digest(key: str) -> str:
    """Keys are stored as SHA-256 digests, never in clear."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(db: Session, actor, organization: Organization, name: str,
                   now: datetime) -> tuple[OrganizationApiKey, str]:
    """A new key for ``organization``: the row and the key itself, which is shown once and never stored."""
    key = PREFIX + secrets.token_urlsafe(32)
    row = OrganizationApiKey(organization=organization, name=rules.require_text(name, "name", rules.MAX_NAME),
                             key_hash=digest(key), hint=key[:len(PREFIX) + 6], created_at=now,
                             created_by_id=getattr(actor, "id", None))
    db.add(row)
    db.flush()
    record_action(db, actor, "api_key.created", "organization", organization.id, now, key_id=row.id,
                  name=row.name, hint=row.hint)
    return row, key


def revoke_api_key(db: Session, actor, row: OrganizationApiKey, now: datetime) -> None:
    """Stop a key from working (it stays listed, revoked)."""
    if row.revoked_at is not None:
        raise Conflict("already_revoked", _l("This key is already revoked."))
    row.revoked_at = now
    db.flush()
    record_action(db, actor, "api_key.revoked", "organization", row.organization_id, now, key_id=row.id,
                  name=row.name, hint=row.hint)


def api_keys(db: Session) -> list[OrganizationApiKey]:
    """Every key, newest first."""
    return list(db.scalars(sa.select(OrganizationApiKey).order_by(OrganizationApiKey.created_at.desc(),
                                                                  OrganizationApiKey.id.desc())))


def api_key_or_404(db: Session, key_id: int) -> OrganizationApiKey:
    """A key by id, or a localized 404."""
    row = db.get(OrganizationApiKey, key_id)
    if row is None:
        raise NotFound("unknown_api_key", _l("This API key does not exist."))
    return row


def api_key_from_header(db: Session, header: str | None) -> OrganizationApiKey | None:
    """The active key of an ``Authorization: Bearer`` header; None without one; 401 if wrong or revoked."""
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    row = None
    if scheme.lower() == "bearer" and 0 < len(key.strip()) <= 100:
        row = db.scalar(sa.select(OrganizationApiKey).where(OrganizationApiKey.key_hash == digest(key.strip())))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("invalid_api_key", _l("This API key is not valid or was revoked."))
    return row
