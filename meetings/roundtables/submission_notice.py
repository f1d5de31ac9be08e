"""Tell every secretariat account, in its own language, that a roundtable was submitted for review."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from meetings.accounts.models import User
from meetings.core.links import public_url
from meetings.outbox.enqueue import enqueue_email, render_email


def notify_secretariat_of_submission(db: Session, roundtable, change, now: datetime) -> int:
    """One e-mail per active secretariat account (once per history entry); returns how many were queued."""
    queued = 0
    for user in db.scalars(sa.select(User).where(User.role == "secretariat", User.active.is_(True))
                           .order_by(User.id)):
        email = render_email(
            "roundtable_submitted", user.language, user=user, roundtable=roundtable, change=change,
            title=roundtable.title(user.language), organization=roundtable.organization.name,
            page_url=public_url("roundtables.detail", roundtable_id=roundtable.id),
            service_name=current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform"))
        if enqueue_email(db, key=f"roundtable:{roundtable.id}:change:{change.id}:secretariat:{user.id}",
                         topic="roundtable.submitted", to=[user.email], language=user.language,
                         email=email, now=now) is not None:
            queued += 1
    return queued
