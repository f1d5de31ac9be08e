"""The audit log: who did what, when, for every secretariat and co-convener action."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from meetings.core.db import Base, UTCDateTime
from meetings.core.request_id import current_request_id


class AuditEntry(Base):
    """One staff action (append-only)."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_at", "at"), sa.Index("ix_audit_log_subject", "subject_type", "subject_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(80))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None] = mapped_column(nullable=True)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The X-Request-ID of the request that did it (None from the command line).
    request_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, default=current_request_id)


def record_action(db: Session, actor, action: str, subject_type: str, subject_id: int | None,
                  now: datetime, **details: object) -> AuditEntry:
    """Append an audit entry in the caller's transaction (``actor`` is a User or None for the CLI)."""
    entry = AuditEntry(at=now, actor_id=getattr(actor, "id", None),
                       actor_label=getattr(actor, "email", None) or "cli", action=action,
                       subject_type=subject_type, subject_id=subject_id, details=details)
    db.add(entry)
    db.flush()
    return entry
