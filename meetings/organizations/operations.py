"""Verb-named operations on organizations and their workstream sign-ups; they flush, never commit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from meetings.core import rules
from meetings.core.errors import InvalidInput
from meetings.organizations.models import Organization, Workstream, WorkstreamInterest, organization_key

LOOK_UP = object()  # find_or_create_organization's ``found`` when the caller has not looked the organization up


def find_or_create_organization(db: Session, name: str, category: str, country: str,
                                region: str | None, *, found: Organization | None | object = LOOK_UP) -> Organization:
    """The organization with this name in this country, created on first use, with its workstream sign-ups.

    The sign-ups come in the same query (joined): signing up reuses them, and whoever shows the
    organization's workstreams afterwards needs no query (``interests`` stays loaded). ``found``: what
    the caller's own query of :data:`WITH_INTERESTS` (or one with more columns) gave for this name key and
    country in this transaction (the organization, or None): it is not asked again.
    """
    key = organization_key(name)
    organization = found if found is not LOOK_UP else db.scalars(
        WITH_INTERESTS, {"name_key": key, "country": country}).unique().one_or_none()
    if organization is None:
        try:
            with db.begin_nested():  # a concurrent registration may create the same organization
                organization = Organization(name=name, name_key=key, category=category, country=country,
                                            region=region, interests=[])
                db.add(organization)
                db.flush()
        except sa.exc.IntegrityError:
            organization = db.scalars(WITH_INTERESTS, {"name_key": key, "country": country}).unique().one()
    elif region and not organization.region:
        organization.region = region
    return organization


# An organization by name key and country with its sign-ups and their workstreams (built once: the busy path).
WITH_INTERESTS = sa.select(Organization).where(
    Organization.name_key == sa.bindparam("name_key"), Organization.country == sa.bindparam("country")
).options(joinedload(Organization.interests).joinedload(WorkstreamInterest.workstream))


def signed_up_numbers(organization: Organization) -> list[int] | None:
    """The numbers of the workstreams ``organization`` signed up to, if its sign-ups are loaded; else None."""
    if "interests" not in sa.inspect(organization).dict:
        return None
    return sorted(interest.workstream.number for interest in organization.interests
                  if not (sa.inspect(interest).deleted or sa.inspect(interest).was_deleted))


def sign_up_workstreams(db: Session, organization: Organization, numbers: tuple[int, ...],
                        contact_name: str, contact_email: str, note: str,
                        now: datetime) -> list[WorkstreamInterest]:
    """Sign the organization up to each workstream of ``numbers`` it is not signed up to yet.

    Only adds: an existing sign-up keeps its contact and note (whoever made it is the only one,
    with the secretariat, who may change or remove it). ``contact_email`` is recorded as its author.
    """
    workstreams = _workstreams(db, numbers)
    note = rules.limit_text(note, "note", rules.MAX_NOTE)
    if not workstreams:
        return []
    # One query for the sign-ups that exist, one insert for the missing ones (a registration makes them
    # while it holds its session's seat lock); one by one only if a colleague signed up at that moment.
    existing = {interest.workstream_id: interest for interest in db.scalars(sa.select(WorkstreamInterest).where(
        WorkstreamInterest.organization_id == organization.id,
        WorkstreamInterest.workstream_id.in_([w.id for w in workstreams])))}
    missing = [w for w in workstreams if w.id not in existing]
    if missing:
        key = rules.email_key(contact_email)
        try:
            with db.begin_nested():
                added = [WorkstreamInterest(organization=organization, workstream=workstream, created_at=now,
                                            updated_at=now, contact_name=contact_name, contact_email=contact_email,
                                            contact_email_key=key, created_by_email_key=key, note=note)
                         for workstream in missing]
                db.add_all(added)
                db.flush()
            existing.update((interest.workstream_id, interest) for interest in added)
        except sa.exc.IntegrityError:
            for workstream in missing:
                existing[workstream.id] = _new_interest(db, organization, workstream, contact_name, contact_email,
                                                        note, now)
    db.flush()
    return [existing[w.id] for w in workstreams]


def sign_up_organization(db: Session, *, organization: str, category: str, country: str, region: str | None,
                         contact_name: str, contact_email: str, workstreams: tuple[int, ...], note: str,
                         now: datetime) -> list[WorkstreamInterest]:
    """Validate an organization's sign-up (outside any meeting) and record its workstream interests."""
    found = find_or_create_organization(
        db, rules.require_text(organization, "organization", rules.MAX_NAME), rules.check_category(category),
        rules.check_country(country), rules.check_region(region))
    return sign_up_workstreams(
        db, found, workstreams, rules.require_text(contact_name, "contact_name", rules.MAX_NAME),
        rules.check_email(contact_email, "contact_email"), note or "", now)


def _new_interest(db: Session, organization: Organization, workstream: Workstream, contact_name: str,
                  contact_email: str, note: str, now: datetime) -> WorkstreamInterest:
    """Insert the interest, or take the one a concurrent transaction just committed."""
    found = db.scalar(sa.select(WorkstreamInterest).where(WorkstreamInterest.organization_id == organization.id,
                                                          WorkstreamInterest.workstream_id == workstream.id))
    if found is not None:
        return found
    key = rules.email_key(contact_email)
    try:
        with db.begin_nested():
            interest = WorkstreamInterest(organization=organization, workstream=workstream, created_at=now,
                                          updated_at=now, contact_name=contact_name, contact_email=contact_email,
                                          contact_email_key=key, created_by_email_key=key, note=note)
            db.add(interest)
            db.flush()
        return interest
    except sa.exc.IntegrityError:
        return db.scalar(sa.select(WorkstreamInterest).where(
            WorkstreamInterest.organization_id == organization.id,
            WorkstreamInterest.workstream_id == workstream.id))


def set_workstream_interests(db: Session, organization: Organization, numbers: tuple[int, ...],
                             contact_name: str, contact_email: str, now: datetime) -> None:
    """Sign up to ``numbers``; remove the organization's other sign-ups made by ``contact_email`` only.

    Sign-ups colleagues made stay: a registrant removes only their own.
    """
    wanted = {w.id for w in _workstreams(db, numbers)}
    for interest in db.scalars(
        sa.select(WorkstreamInterest).where(WorkstreamInterest.organization_id == organization.id,
                                            WorkstreamInterest.created_by_email_key == rules.email_key(contact_email))
    ):
        if interest.workstream_id not in wanted:
            db.delete(interest)
    sign_up_workstreams(db, organization, numbers, contact_name, contact_email, "", now)


def _workstreams(db: Session, numbers: tuple[int, ...]) -> list[Workstream]:
    wanted = sorted(set(numbers))
    if not wanted:
        return []
    if any(not isinstance(n, int) or not 1 <= n <= 4 for n in wanted):
        raise InvalidInput("unknown_workstream", _l("Choose workstreams 1 to 4."), field="workstreams")
    found = list(db.scalars(sa.select(Workstream).where(Workstream.number.in_(wanted))))
    if len(found) != len(wanted):
        raise InvalidInput("unknown_workstream", _l("Choose workstreams 1 to 4."), field="workstreams")
    return found


def list_workstreams(db: Session) -> list[Workstream]:
    """The four workstreams, by number."""
    return list(db.scalars(sa.select(Workstream).order_by(Workstream.number)))
