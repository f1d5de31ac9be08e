"""Workstream follow-up: invite every organization signed up to a roundtable's workstream, in one action.

One invitation per contact e-mail and roundtable (a unique constraint; sending twice invites only the
new contacts). Each e-mail carries the registration link and a secret decline link, whose SHA-256
digest alone is stored. Who registered is read from the meeting's registrations (same e-mail or
same organization), so the page never disagrees with the registration list.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from babel.languages import get_official_languages
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.accounts.models import User
from meetings.core import rules
from meetings.core.audit import record_action
from meetings.core.errors import Conflict, InvalidInput, NotFound
from meetings.core.vocabulary import CATEGORY_CODES, LANGUAGE_CODES, REGION_CODES
from meetings.models import Registration
from meetings.organizations.models import Organization, WorkstreamInterest
from meetings.roundtables import messages
from meetings.roundtables.models import Roundtable, RoundtableInvitation


@dataclass(frozen=True)
class InvitationResult:
    """What one invitation round did."""

    invited: list[RoundtableInvitation]
    already_invited: int
    category_not_allowed: int


@dataclass(frozen=True)
class InvitationRow:
    """One line of the follow-up page: the invitation and where the contact stands."""

    invitation: RoundtableInvitation
    standing: str  # invited, registered or declined
    registration: Registration | None


def digest(token: str) -> str:
    """Decline links are stored as SHA-256 digests."""
    return hashlib.sha256(token.encode()).hexdigest()


def contact_language(db: Session, email_key: str, country: str) -> str:
    """The language the contact last registered in, else their country's (en, fr or es), else English."""
    latest = db.scalar(sa.select(Registration.language).where(Registration.email_key == email_key)
                       .order_by(Registration.updated_at.desc()).limit(1))
    if latest in LANGUAGE_CODES:
        return latest
    for code in get_official_languages(country or "", de_facto=True):
        if code in LANGUAGE_CODES:
            return code
    return "en"


def _open_meeting(roundtable: Roundtable):
    if roundtable.status != "scheduled" or roundtable.meeting is None or not roundtable.meeting.is_open:
        raise Conflict("not_scheduled", _l("Invitations can be sent once the roundtable is scheduled and open "
                                           "for registration."))
    return roundtable.meeting


def invitation_candidates(db: Session, roundtable: Roundtable, categories: tuple[str, ...] = (),
                          regions: tuple[str, ...] = ()) -> list[WorkstreamInterest]:
    """Contacts of the organizations signed up to the workstream, optionally of some categories or regions."""
    if set(categories) - set(CATEGORY_CODES) or set(regions) - set(REGION_CODES):
        raise InvalidInput("unknown_choice", _l("Choose from the list."), field="categories")
    query = (sa.select(WorkstreamInterest).join(Organization, WorkstreamInterest.organization_id == Organization.id)
             .where(WorkstreamInterest.workstream_id == roundtable.workstream_id).order_by(WorkstreamInterest.id))
    if categories:
        query = query.where(Organization.category.in_(categories))
    if regions:
        query = query.where(Organization.region.in_(regions))
    return list(db.scalars(query))


def invite_workstream(db: Session, roundtable: Roundtable, actor: User, now: datetime, *,
                      categories: tuple[str, ...] = (), regions: tuple[str, ...] = ()) -> InvitationResult:
    """Invite every new contact of the workstream (filtered) to register; e-mails queued in this transaction."""
    meeting = _open_meeting(roundtable)
    existing = set(db.scalars(sa.select(RoundtableInvitation.email_key)
                              .where(RoundtableInvitation.roundtable_id == roundtable.id)))
    invited, repeated, not_allowed = [], 0, 0
    for interest in invitation_candidates(db, roundtable, categories, regions):
        key = interest.contact_email_key or rules.email_key(interest.contact_email)
        if key in existing:
            repeated += 1
            continue
        if interest.organization.category not in (meeting.allowed_categories or []):
            not_allowed += 1
            continue
        existing.add(key)
        invited.append(_invite(db, roundtable, interest, key, actor, now))
    record_action(db, actor, "roundtable.invited_workstream", "roundtable", roundtable.id, now,
                  categories=list(categories), regions=list(regions), invited=len(invited),
                  already_invited=repeated, category_not_allowed=not_allowed)
    return InvitationResult(invited, repeated, not_allowed)


def _invite(db: Session, roundtable: Roundtable, interest: WorkstreamInterest, key: str, actor: User,
            now: datetime) -> RoundtableInvitation:
    token = secrets.token_urlsafe(32)
    language = contact_language(db, key, interest.organization.country)
    invitation = RoundtableInvitation(
        roundtable=roundtable, organization_id=interest.organization_id, contact_name=interest.contact_name,
        contact_email=interest.contact_email, email_key=key, language=language, decline_hash=digest(token),
        status="invited", invited_at=now, invited_by_id=actor.id)
    db.add(invitation)
    db.flush()
    messages.queue_invitation_email(db, invitation, token, now)
    return invitation


def invitation_by_token(db: Session, token: str) -> RoundtableInvitation:
    """The invitation behind a secret decline link, or a localized 404."""
    invitation = None
    if token and len(token) <= 64:
        invitation = db.scalar(sa.select(RoundtableInvitation)
                               .where(RoundtableInvitation.decline_hash == digest(token)))
    if invitation is None:
        raise NotFound("unknown_token", _l("This link is not valid. Use the link from your invitation e-mail."))
    return invitation


def decline_invitation(db: Session, token: str, now: datetime) -> RoundtableInvitation:
    """Record that the contact declines (declining twice changes nothing)."""
    invitation = invitation_by_token(db, token)
    if invitation.status != "declined":
        invitation.status = "declined"
        invitation.declined_at = now
        db.flush()
    return invitation


def invitation_rows(db: Session, roundtable: Roundtable) -> list[InvitationRow]:
    """Every invitation with the contact's standing: registered (same e-mail or organization), declined, invited."""
    invitations = list(db.scalars(sa.select(RoundtableInvitation).where(
        RoundtableInvitation.roundtable_id == roundtable.id).order_by(RoundtableInvitation.id)))
    registrations = []
    if roundtable.meeting_id is not None:
        registrations = list(db.scalars(sa.select(Registration).where(
            Registration.meeting_id == roundtable.meeting_id, Registration.status != "cancelled")
            .order_by(Registration.id)))
    by_email = {r.email_key: r for r in registrations}
    by_organization: dict[int, Registration] = {}
    for registration in registrations:
        by_organization.setdefault(registration.organization_id, registration)
    rows = []
    for invitation in invitations:
        registration = by_email.get(invitation.email_key) or by_organization.get(invitation.organization_id)
        if registration is not None:
            standing = "registered"
        else:
            standing = "declined" if invitation.status == "declined" else "invited"
        rows.append(InvitationRow(invitation, standing, registration))
    return rows


def roundtable_registrations(db: Session, roundtable: Roundtable) -> list[Registration]:
    """The registrations of a scheduled roundtable, by session then name."""
    if roundtable.meeting_id is None:
        return []
    return list(db.scalars(sa.select(Registration).where(Registration.meeting_id == roundtable.meeting_id)
                           .order_by(Registration.session_id, Registration.status, Registration.name)))


def erase_invitation_contacts(db: Session, email_key: str) -> None:
    """Remove the name and address of every invitation sent to ``email_key`` (the invitation stays, counted)."""
    for invitation in db.scalars(sa.select(RoundtableInvitation).where(RoundtableInvitation.email_key == email_key)):
        invitation.contact_name = ""
        invitation.contact_email = ""
        invitation.email_key = f"erased:{invitation.id}"
    db.flush()
