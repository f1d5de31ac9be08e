"""What roundtables put in the outbox: the proposer's decision e-mails, follow-up invitations, webhook events."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from meetings.accounts.models import User
from meetings.core.links import public_url
from meetings.core.localtime import in_zone
from meetings.outbox.enqueue import enqueue_email, enqueue_webhook_event, render_email


def _recipients(db: Session, roundtable) -> list[User]:
    """The proposer; if their account is gone or deactivated, the organization's active co-conveners."""
    proposer = roundtable.proposer
    if proposer is not None and proposer.active:
        return [proposer]
    return list(db.scalars(sa.select(User).where(User.organization_id == roundtable.organization_id,
                                                 User.role == "co_convener", User.active.is_(True))))


def notify_proposer(db: Session, roundtable, change, now: datetime) -> None:
    """E-mail the decision to the proposer, in the proposer's language (once per history entry)."""
    for user in _recipients(db, roundtable):
        sessions = []
        if roundtable.meeting is not None:
            sessions = [(s, in_zone(s.starts_at, roundtable.meeting.reference_timezone))
                        for s in roundtable.meeting.sessions]
        email = render_email(
            "roundtable_decision", user.language, user=user, roundtable=roundtable, change=change,
            title=roundtable.title(user.language), sessions=sessions,
            page_url=public_url("roundtables.detail", roundtable_id=roundtable.id),
            service_name=current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform"))
        enqueue_email(db, key=f"roundtable:{roundtable.id}:change:{change.id}:to:{user.id}",
                      topic=f"roundtable.{change.action}", to=[user.email], language=user.language,
                      email=email, now=now)


def queue_invitation_email(db: Session, invitation, token: str, now: datetime) -> None:
    """E-mail one follow-up invitation in the contact's language: the registration link and the secret decline
    link ``token`` (once per contact and roundtable: the key names both)."""
    roundtable, language = invitation.roundtable, invitation.language
    meeting = roundtable.meeting
    email = render_email(
        "roundtable_invitation", language, invitation=invitation, roundtable=roundtable, meeting=meeting,
        title=roundtable.title(language), abstract=roundtable.abstract(language),
        sessions=[(s, in_zone(s.starts_at, meeting.reference_timezone)) for s in meeting.sessions],
        reference_zone=meeting.reference_timezone, workstream=roundtable.workstream.title(language),
        register_url=public_url("registrations.register", meeting_id=meeting.id, lang=language),
        decline_url=public_url("roundtable_public.decline", token=token),
        service_name=current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform"))
    enqueue_email(db, key=f"roundtable:{roundtable.id}:invitation:{invitation.email_key}",
                  topic="roundtable.invitation", to=[invitation.contact_email], language=language, email=email,
                  now=now)


def roundtable_payload(roundtable, change) -> dict:
    """What partner systems learn about a roundtable decision (no e-mail addresses)."""
    return {
        "roundtable_id": roundtable.id, "status": roundtable.status, "action": change.action,
        "previous_status": change.from_status, "comment": change.comment, "at": change.at.isoformat(),
        "titles": {c: getattr(roundtable, f"title_{c}") for c in ("en", "fr", "es")},
        "workstream": roundtable.workstream.number, "regions": list(roundtable.regions),
        "organization": {"name": roundtable.organization.name, "country": roundtable.organization.country,
                         "category": roundtable.organization.category},
        "meeting_id": roundtable.meeting_id,
    }


def queue_webhook(db: Session, event_type: str, roundtable, change, now: datetime) -> None:
    """Queue ``roundtable.proposed`` or ``roundtable.decided`` for the subscribed webhooks."""
    enqueue_webhook_event(db, event_type=event_type, event_id=f"roundtable:{roundtable.id}:change:{change.id}",
                          payload=roundtable_payload(roundtable, change), now=now)
