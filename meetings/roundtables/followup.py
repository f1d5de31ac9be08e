"""Workstream follow-up: invite every organization signed up to a roundtable's workstream, in one action.

The request only records the decision (:func:`invite_workstream`: a ``roundtable.invite`` background
task with the number of contacts to invite, audited); the scheduler process invites them in batches
(:func:`invite_workstream_step`), each contact's invitation and e-mail in a savepoint, so one bad
contact fails alone and is counted. One invitation per contact e-mail and roundtable (a unique
constraint, checked before each insert; the e-mail has an idempotency key), so a batch run again after
a crash, or a second round, invites nobody twice. Each e-mail carries the registration link and a secret
decline link, whose SHA-256 digest alone is stored. Who registered is read from the meeting's
registrations (same e-mail or same organization), so the page never disagrees with the registration list.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from babel.languages import get_official_languages
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from meetings.accounts.models import User
from meetings.core import rules
from meetings.core.audit import record_action
from meetings.core.errors import Conflict, InvalidInput, NotFound
from meetings.core.tasks import UNFINISHED, BackgroundTask, Batch, record_task
from meetings.core.vocabulary import CATEGORY_CODES, LANGUAGE_CODES, REGION_CODES
from meetings.models import Registration
from meetings.organizations.models import Organization, WorkstreamInterest
from meetings.roundtables.messages import queue_invitation_email
from meetings.roundtables.models import Roundtable, RoundtableInvitation

INVITE_WORKSTREAM = "roundtable.invite"
Filters = list[dict[str, list[str]]]  # [{"categories": [...], "regions": [...]}]: a contact matching any is invited


@dataclass(frozen=True)
class InvitationDecision:
    """What one invitation request decided: the background task (None when nobody is left) and its counts."""

    task: BackgroundTask | None
    to_invite: int
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


def contact_key(email_key: str, email: str) -> str:
    """The comparison key of a sign-up's contact (stored; computed for sign-ups older than the column)."""
    return email_key or rules.email_key(email)


def _open_meeting(roundtable: Roundtable):
    if not _is_open(roundtable):
        raise Conflict("not_scheduled", _l("Invitations can be sent once the roundtable is scheduled and open "
                                           "for registration."))
    return roundtable.meeting


def _is_open(roundtable: Roundtable) -> bool:
    return roundtable.status == "scheduled" and roundtable.meeting is not None and roundtable.meeting.is_open


def _check_choices(categories: tuple[str, ...], regions: tuple[str, ...]) -> None:
    if set(categories) - set(CATEGORY_CODES) or set(regions) - set(REGION_CODES):
        raise InvalidInput("unknown_choice", _l("Choose from the list."), field="categories")


def _matching(filters: Filters) -> sa.ColumnElement[bool]:
    """Organizations matching any of ``filters`` (an empty filter matches every organization)."""
    clauses = []
    for chosen in filters:
        parts = []
        if chosen.get("categories"):
            parts.append(Organization.category.in_(chosen["categories"]))
        if chosen.get("regions"):
            parts.append(Organization.region.in_(chosen["regions"]))
        if not parts:
            return sa.true()
        clauses.append(sa.and_(*parts))
    return sa.or_(*clauses) if clauses else sa.false()


def _signups(roundtable: Roundtable, filters: Filters) -> sa.Select:
    return (sa.select(WorkstreamInterest).join(Organization, WorkstreamInterest.organization_id == Organization.id)
            .where(WorkstreamInterest.workstream_id == roundtable.workstream_id, _matching(filters))
            .order_by(WorkstreamInterest.id))


def invitation_candidates(db: Session, roundtable: Roundtable, categories: tuple[str, ...] = (),
                          regions: tuple[str, ...] = ()) -> list[WorkstreamInterest]:
    """Contacts of the organizations signed up to the workstream, optionally of some categories or regions."""
    _check_choices(categories, regions)
    return list(db.scalars(_signups(roundtable, [{"categories": list(categories), "regions": list(regions)}])))


def count_candidates(db: Session, roundtable: Roundtable) -> int:
    """How many organizations are signed up to the roundtable's workstream."""
    return db.scalar(sa.select(sa.func.count()).select_from(WorkstreamInterest).where(
        WorkstreamInterest.workstream_id == roundtable.workstream_id)) or 0


def _invited_keys(db: Session, roundtable: Roundtable, keys: set[str] | None = None) -> set[str]:
    query = sa.select(RoundtableInvitation.email_key).where(RoundtableInvitation.roundtable_id == roundtable.id)
    if keys is not None:
        query = query.where(RoundtableInvitation.email_key.in_(sorted(keys)))
    return set(db.scalars(query))


def _count(db: Session, roundtable: Roundtable, filters: Filters) -> tuple[int, int, int]:
    """(contacts to invite, already invited, category not allowed) among the sign-ups matching ``filters``."""
    allowed = set(roundtable.meeting.allowed_categories or [])
    existing = _invited_keys(db, roundtable)
    to_invite, repeated, not_allowed = 0, 0, 0
    rows = db.execute(_signups(roundtable, filters).with_only_columns(
        WorkstreamInterest.contact_email_key, WorkstreamInterest.contact_email, Organization.category))
    for stored_key, email, category in rows:
        key = contact_key(stored_key, email)
        if key in existing:
            repeated += 1
        elif category not in allowed:
            not_allowed += 1
        else:
            existing.add(key)
            to_invite += 1
    return to_invite, repeated, not_allowed


def _with_unfinished(db: Session, roundtable: Roundtable, filters: Filters) -> Filters:
    """``filters`` and those of an unfinished earlier round, which the new task supersedes and so carries on."""
    merged = list(filters)
    for task in db.scalars(sa.select(BackgroundTask).where(
            BackgroundTask.kind == INVITE_WORKSTREAM, BackgroundTask.subject_id == roundtable.id,
            BackgroundTask.status.in_(UNFINISHED)).order_by(BackgroundTask.id)):
        merged += [f for f in (task.params or {}).get("filters") or [{}] if f not in merged]
    return merged


def invite_workstream(db: Session, roundtable: Roundtable, actor: User, now: datetime, *,
                      categories: tuple[str, ...] = (), regions: tuple[str, ...] = ()) -> InvitationDecision:
    """Decide to invite every new contact of the workstream (filtered): record and audit the background task.

    Nothing is invited or sent here; the scheduler process does it in batches (:func:`invite_workstream_step`).
    """
    meeting = _open_meeting(roundtable)
    _check_choices(categories, regions)
    filters = _with_unfinished(db, roundtable, [{"categories": sorted(set(categories)),
                                                 "regions": sorted(set(regions))}])
    to_invite, repeated, not_allowed = _count(db, roundtable, filters)
    task = None
    if to_invite:
        task = record_task(db, INVITE_WORKSTREAM, roundtable.id, now, total=to_invite, meeting_id=meeting.id,
                           params={"filters": filters, "actor_id": actor.id,
                                   "titles": {code: roundtable.title(code) for code in LANGUAGE_CODES}})
    record_action(db, actor, "roundtable.invited_workstream", "roundtable", roundtable.id, now,
                  categories=list(categories), regions=list(regions), invited=to_invite,
                  already_invited=repeated, category_not_allowed=not_allowed, task=task.id if task else None)
    return InvitationDecision(task, to_invite, repeated, not_allowed)


def invite_batch(db: Session, roundtable: Roundtable, filters: Filters, now: datetime, *, after_id: int = 0,
                 limit: int = 200, actor_id: int | None = None) -> Batch:
    """Invite the contacts of the next ``limit`` sign-ups after ``after_id`` not invited yet (each in a savepoint).

    Sign-ups are read in ``WorkstreamInterest.id`` order; a contact already invited to the roundtable
    (earlier round, same contact for two organizations, or this batch run before a crash) is skipped.
    """
    allowed = list(roundtable.meeting.allowed_categories or [])
    interests = db.scalars(_signups(roundtable, filters).where(WorkstreamInterest.id > after_id,
                                                             Organization.category.in_(allowed))
                           .options(joinedload(WorkstreamInterest.organization)).limit(limit)).all()
    invited = _invited_keys(db, roundtable, {contact_key(i.contact_email_key, i.contact_email) for i in interests})
    if actor_id is not None and db.get(User, actor_id) is None:
        actor_id = None  # the account was deleted meanwhile
    handled, failures, error = 0, 0, ""
    for interest in interests:
        key = contact_key(interest.contact_email_key, interest.contact_email)
        if key in invited:
            continue
        invited.add(key)
        handled += 1
        try:
            with db.begin_nested():
                invite_contact(db, roundtable, interest, key, actor_id, now)
        except Exception as exc:  # bad data of one contact must not stop the others
            failures += 1
            error = f"sign-up {interest.id}: {type(exc).__name__}"
    cursor = interests[-1].id if interests else after_id
    return Batch(handled, failures, cursor, len(interests) < limit, error)


def invite_workstream_step(db: Session, task: BackgroundTask, now: datetime, limit: int) -> Batch:
    """The background step of ``roundtable.invite``: the next batch of the workstream's sign-ups."""
    roundtable = db.get(Roundtable, task.subject_id)
    if roundtable is None:
        return Batch(0, 0, task.cursor, True, "roundtable deleted")
    if not _is_open(roundtable):  # cancelled or closed since: the rest are not invited, counted as failed
        left = max(task.total - task.done, 0)
        return Batch(left, left, task.cursor, True, "roundtable no longer open for registration")
    params = task.params or {}
    return invite_batch(db, roundtable, params.get("filters") or [{}], now, after_id=task.cursor, limit=limit,
                        actor_id=params.get("actor_id"))


def invite_contact(db: Session, roundtable: Roundtable, interest: WorkstreamInterest, key: str,
                   actor_id: int | None, now: datetime) -> RoundtableInvitation:
    """Invite one contact: the invitation with its decline-link digest, and its e-mail."""
    token = secrets.token_urlsafe(32)
    invitation = RoundtableInvitation(
        roundtable=roundtable, organization_id=interest.organization_id, contact_name=interest.contact_name,
        contact_email=interest.contact_email, email_key=key,
        language=contact_language(db, key, interest.organization.country), decline_hash=digest(token),
        status="invited", invited_at=now, invited_by_id=actor_id)
    db.add(invitation)
    db.flush()
    queue_invitation_email(db, invitation, token, now)
    return invitation


def invitation_task(db: Session, roundtable: Roundtable) -> BackgroundTask | None:
    """The latest invitation round of the roundtable (its progress and failures), if any."""
    return db.scalars(sa.select(BackgroundTask).where(
        BackgroundTask.kind == INVITE_WORKSTREAM, BackgroundTask.subject_id == roundtable.id,
        BackgroundTask.status != "superseded").order_by(BackgroundTask.id.desc()).limit(1)).first()


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
