"""What roundtables put in the outbox: decisions, submission notices, invitations and webhook events.

Rows record what happened (the roundtable, the history entry, the recipient account or invitation);
the delivery worker composes them in the recipient's language. An invitation's decline token travels
in its row's secrets until the e-mail is sent.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from meetings.accounts.models import User
from meetings.core.links import public_url
from meetings.core.localtime import in_zone
from meetings.outbox.composing import Composed, Skip, register_composer, render_email
from meetings.outbox.enqueue import enqueue_message, enqueue_webhook_event
from meetings.outbox.models import OutboxMessage
from meetings.roundtables.models import Roundtable, RoundtableChange, RoundtableInvitation

DECISION, SUBMITTED, INVITATION = "roundtable.decision", "roundtable.submitted", "roundtable.invitation"


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
        enqueue_message(db, key=f"roundtable:{roundtable.id}:change:{change.id}:to:{user.id}",
                        topic=f"roundtable.{change.action}", composer=DECISION, to=[user.email],
                        language=user.language, now=now,
                        facts={"roundtable_id": roundtable.id, "change_id": change.id, "user_id": user.id})


def notify_secretariat_of_submission(db: Session, roundtable, change, now: datetime) -> int:
    """One e-mail per active secretariat account (once per history entry); returns how many were queued."""
    queued = 0
    for user in db.scalars(sa.select(User).where(User.role == "secretariat", User.active.is_(True))
                           .order_by(User.id)):
        if enqueue_message(db, key=f"roundtable:{roundtable.id}:change:{change.id}:secretariat:{user.id}",
                           topic="roundtable.submitted", composer=SUBMITTED, to=[user.email],
                           language=user.language, now=now,
                           facts={"roundtable_id": roundtable.id, "change_id": change.id,
                                  "user_id": user.id}) is not None:
            queued += 1
    return queued


def queue_invitation_email(db: Session, invitation: RoundtableInvitation, token: str, now: datetime) -> None:
    """The invitation to register, with its secret decline link (once per contact and roundtable)."""
    enqueue_message(db, key=f"roundtable:{invitation.roundtable_id}:invitation:{invitation.email_key}",
                    topic="roundtable.invitation", composer=INVITATION, to=[invitation.contact_email],
                    language=invitation.language, now=now, facts={"invitation_id": invitation.id},
                    secrets={"token": token})


def compose_decision(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    """The proposer's e-mail about a decision (or the secretariat's notice of a submission)."""
    facts = row.facts or {}
    roundtable, change = db.get(Roundtable, facts["roundtable_id"]), db.get(RoundtableChange, facts["change_id"])
    user = db.get(User, facts["user_id"])
    if roundtable is None or change is None or user is None:
        return Skip("the roundtable or the account was removed")
    context = {"user": user, "roundtable": roundtable, "change": change, "title": roundtable.title(row.language),
               "page_url": public_url("roundtables.detail", roundtable_id=roundtable.id),
               "service_name": current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform")}
    if row.composer == SUBMITTED:
        return Composed(render_email("roundtable_submitted", row.language,
                                     organization=roundtable.organization.name, **context))
    meeting = roundtable.meeting
    sessions = [(s, in_zone(s.starts_at, meeting.reference_timezone)) for s in meeting.sessions] if meeting else []
    return Composed(render_email("roundtable_decision", row.language, sessions=sessions, **context))


def compose_invitation(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    """The invitation e-mail of one contact, with the meeting's sessions and the decline link."""
    invitation, token = db.get(RoundtableInvitation, row.facts["invitation_id"]), (row.secrets or {}).get("token")
    if invitation is None or not token or invitation.status != "invited" or not invitation.contact_email:
        return Skip("the invitation was declined or erased before it could be sent")
    roundtable, language = invitation.roundtable, row.language
    meeting = roundtable.meeting
    if meeting is None:
        return Skip("the roundtable is no longer scheduled in a meeting")
    return Composed(render_email(
        "roundtable_invitation", language, invitation=invitation, roundtable=roundtable, meeting=meeting,
        title=roundtable.title(language), abstract=roundtable.abstract(language),
        sessions=[(s, in_zone(s.starts_at, meeting.reference_timezone)) for s in meeting.sessions],
        reference_zone=meeting.reference_timezone, workstream=roundtable.workstream.title(language),
        register_url=public_url("registrations.register", meeting_id=meeting.id, lang=language),
        decline_url=public_url("roundtable_public.decline", token=token),
        service_name=current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform")))


def register_composers(app) -> None:
    """Let the delivery worker write the roundtables' e-mails."""
    register_composer(app, DECISION, compose_decision)
    register_composer(app, SUBMITTED, compose_decision)
    register_composer(app, INVITATION, compose_invitation)


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
