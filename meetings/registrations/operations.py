"""Verb-named operations on registrations. They validate, change models and flush; never commit.

Seats are counted under a lock on the session row (``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL;
SQLite transactions start with ``BEGIN IMMEDIATE``), so concurrent registrations cannot overbook.
That lock mode serializes every seat count and every change of the session row, but not the
foreign-key checks (``KEY SHARE``) of rows that merely point at the session: inserting a
registration, or updating one twice, never waits for a seat holder nor makes one wait.

Every operation that changes an existing registration takes its locks before writing anything, always
in one order: the registration's row, then the sessions in id order (:func:`lock_sessions`), with
autoflush off until then. It re-reads the registration once locked, so it decides on the state that the
last committed change left (an acknowledged cancellation is never undone by a change that read it earlier).
Giving a freed seat to the waiting list locks another registration while the session is held: the one
exception to the order, whose rare deadlock (that person moving to the other session at that moment)
the database breaks and ``commit_with_retry`` runs again.

A new address is the busy path, so it holds the session lock only for the seat itself: its
organization (found or created), its registration row (inserted without a seat, ``cancelled``) and
its verification link are written first; then the session is locked, the seats counted and the status
set (one statement, after the lock's own: a statement sees what was committed when it started), the
registration's event queued, and the request commits. Nothing written before the lock is something a
seat holder could wait for (organizations are always written before a session lock). The organization
is read with the answer to "is this address registered?", so a new address (no row to lock) needs no
lookup of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from meetings.core import rules
from meetings.core.audit import AuditEntry
from meetings.core.db import UTCDateTime
from meetings.core.errors import Conflict, Forbidden, InvalidInput
from meetings.core.vocabulary import CATEGORIES
from meetings.models import GlobalMeeting, MeetingSession, Registration
from meetings.models.registration import new_manage_token
from meetings.organizations.api_keys import OrganizationApiKey
from meetings.organizations.models import organization_key
from meetings.organizations.operations import (
    WITH_INTERESTS,
    find_or_create_organization,
    set_workstream_interests,
    sign_up_workstreams,
)
from meetings.registrations import identity
from meetings.registrations.messages import notify_registration


@dataclass(frozen=True)
class RegistrationInput:
    """What a person submits to register (already typed, not yet validated)."""

    session_id: int | None
    name: str
    email: str
    organization: str
    category: str
    country: str
    language: str
    timezone: str
    consent: bool
    function: str = ""
    spoken_language: str | None = None
    listening_language: str | None = None
    liaison_email: str | None = None
    region: str | None = None
    workstreams: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RegistrationOutcome:
    """What registering did: the registration, whether it is new, the session it left (if any).

    ``created`` False: the address was registered already and nothing changed; a one-time sign-in link
    went to it (``link_sent`` False when the address had its share of messages today).
    """

    registration: Registration
    created: bool
    left_session: MeetingSession | None = None
    link_sent: bool = False


@dataclass(frozen=True)
class RegistrationChanges:
    """Fields a participant may change through the manage link (None = unchanged)."""

    session_id: int | None = None
    language: str | None = None
    spoken_language: str | None = None
    listening_language: str | None = None
    timezone: str | None = None
    function: str | None = None
    liaison_email: str | None = None
    workstreams: tuple[int, ...] | None = None
    accept_waitlist: bool = False


def clean_registration_input(data: RegistrationInput) -> RegistrationInput:
    """Validate every field; return the normalized input or raise a localized InvalidInput."""
    rules.check_consent(data.consent)
    liaison = data.liaison_email.strip() if data.liaison_email else ""
    return replace(
        data,
        name=rules.require_text(data.name, "name", rules.MAX_NAME),
        email=rules.check_email(data.email),
        organization=rules.require_text(data.organization, "organization", rules.MAX_NAME),
        category=rules.check_category(data.category),
        country=rules.check_country(data.country),
        language=rules.check_language(data.language),
        timezone=rules.check_timezone(data.timezone),
        function=rules.limit_text(data.function, "function", rules.MAX_FUNCTION),
        spoken_language=rules.check_language(data.spoken_language, "spoken_language", optional=True),
        listening_language=rules.check_language(
            data.listening_language, "listening_language", optional=True
        ),
        liaison_email=rules.check_email(liaison, "liaison_email") if liaison else None,
        region=rules.check_region(data.region),
    )


def register_for_meeting(db: Session, meeting: GlobalMeeting, data: RegistrationInput,
                         now: datetime, api_key: OrganizationApiKey | None = None) -> RegistrationOutcome:
    """Register a new address for one session, unverified, and e-mail it a link to verify it.

    An address already registered (any case) changes nothing: the address gets a one-time sign-in link.
    A cancelled registration of that address starts again as a new, unverified one with new tokens.
    With an organization's API key, registrations of that organization are trusted: verified at once,
    and the same address again updates its registration; other organizations' registrations are refused.
    """
    data = clean_registration_input(data)
    if api_key is not None:
        _check_key_scope(api_key, data)
    if not meeting.is_open:
        raise Conflict("meeting_not_open", _l("Registration for this meeting is not open."))
    if data.category not in (meeting.allowed_categories or []):
        raise Conflict(
            "category_not_allowed",
            _l("This meeting is not open to the category “%(category)s”."),
            field="category",
            category=str(CATEGORIES[data.category]),
        )
    target = _session_of(meeting, data.session_id)
    with db.no_autoflush:
        email_key = rules.email_key(data.email)
        # One query for the organization and whether the address is registered; a known address (or an
        # unknown organization: no row to tell) is then looked up and locked (a new address has no row to lock).
        found, known = db.execute(ORGANIZATION_AND_ADDRESS, {
            "name_key": organization_key(data.organization), "country": data.country, "meeting_id": meeting.id,
            "email_key": email_key}).unique().one_or_none() or (None, True)
        existing = db.scalar(LOCK_BY_ADDRESS, {"meeting_id": meeting.id, "email_key": email_key}) if known else None
        if existing is not None and api_key is not None and existing.organization_id != api_key.organization_id:
            raise Forbidden("other_organization", KEY_SCOPE, field="email")
        if existing is not None and existing.status != "cancelled" and api_key is None:
            return RegistrationOutcome(existing, False,
                                       link_sent=identity.send_sign_in_link(db, existing, "sign_in", now))
        # Before any session lock: a new organization's pending key must never be waited for by a seat holder.
        organization = find_or_create_organization(db, data.organization, data.category, data.country,
                                                   data.region, found=found)
    if existing is None:
        return _register_new_address(db, meeting, target, organization, data, email_key, now, api_key)
    with db.no_autoflush:
        held = {existing.session_id} if existing.status != "cancelled" else set()
        locked = lock_sessions(db, {target.id} | held)
    target = _still_open(locked[target.id])
    if api_key is None:
        registration = existing  # cancelled: whoever registers now must prove the address again
        registration.organization = organization
        registration.consent_given_at = now
        registration.email_verified_at = None
        registration.manage_token = new_manage_token()
        registration.feed_token = new_manage_token()
        _apply_person(registration, data, now)
        left = _move(db, registration, target, locked, now, accept_waitlist=True)
        created = True
    else:  # the organization's own system: updates its registration as it always could
        registration = existing
        registration.organization = organization
        registration.consent_given_at = now
        if registration.email_verified_at is None:  # whoever holds the unverified tokens loses them
            registration.email_verified_at = now
            registration.manage_token = new_manage_token()
            registration.feed_token = new_manage_token()
        _apply_person(registration, data, now)
        left = _move(db, registration, target, locked, now, accept_waitlist=True)
        created = False
    sign_up_workstreams(db, organization, data.workstreams, data.name, data.email, "", now)
    db.flush()
    sent = False
    if created:
        notify_registration(db, registration, registration.status, now)
    else:
        notify_registration(db, registration, "moved" if left else "changed", now, left_session=left)
    if api_key is None:
        sent = identity.send_sign_in_link(db, registration, "verify", now)
    else:
        _record_key_use(db, api_key, registration, created, now)
    return RegistrationOutcome(registration, created, left, link_sent=sent)


def _register_new_address(db: Session, meeting: GlobalMeeting, target: MeetingSession, organization,
                          data: RegistrationInput, email_key: str, now: datetime,
                          api_key: OrganizationApiKey | None) -> RegistrationOutcome:
    """Write the registration and its link first, then lock ``target`` only to take a seat or wait (module doc).

    The row goes in with one prebuilt Core INSERT of every column (what a flush would send, without a unit of
    work around one object); the object then joins the session as that row, loaded.
    """
    values = {
        "meeting_id": meeting.id, "session_id": target.id, "organization_id": organization.id,
        "email_key": email_key, "consent_given_at": now, "created_at": now,
        "status": "cancelled",  # no seat yet: counted nowhere until the session is locked
        "waitlisted_at": None, "cancelled_at": None,
        "email_verified_at": now if api_key is not None else None,
        "manage_token": new_manage_token(), "feed_token": new_manage_token(), "ical_sequence": 0,
        **_person_values(data, now),
    }
    if db.new or db.dirty:  # an organization's region, say: written first, as the flush of a new row would
        db.flush()
    try:  # the same address may be registering for the twin session right now
        # no savepoint: the 409 ends the transaction, every caller rolls it back
        values["id"] = db.connection().execute(INSERT_REGISTRATION, values).inserted_primary_key[0]
    except sa.exc.IntegrityError:
        raise Conflict("registration_in_progress",
                       _l("This e-mail address was registered at the same moment. Please try again."),
                       field="email") from None
    registration = Registration(**values, meeting=meeting, session=target, organization=organization)
    make_transient_to_detached(registration)  # every attribute is the row's: nothing left to flush
    db.add(registration)
    sent = identity.send_sign_in_link(db, registration, "verify", now) if api_key is None else False
    with db.no_autoflush:
        locked = lock_sessions(db, {target.id})
    _take_seat(db, registration, _still_open(locked[target.id]), now)
    sign_up_workstreams(db, organization, data.workstreams, data.name, data.email, "", now)
    notify_registration(db, registration, registration.status, now)
    if api_key is not None:
        _record_key_use(db, api_key, registration, True, now)
    return RegistrationOutcome(registration, True, None, link_sent=sent)


KEY_USE_PRECISION = timedelta(minutes=1)


def _record_key_use(db: Session, api_key: OrganizationApiKey, registration: Registration, created: bool,
                    now: datetime) -> None:
    """Audit the use; note when the key was last used, to the minute (as the secretariat's list shows it).

    Updating the key's row on every use would make every registration made with the key wait for the
    previous one to commit (a row lock held until then, with a session's seat lock): once a minute is enough.
    """
    if api_key.last_used_at is None or now - api_key.last_used_at >= KEY_USE_PRECISION:
        api_key.last_used_at = now
    db.add(AuditEntry(at=now, actor_id=None, actor_label=f"api-key:{api_key.hint}", action="api_key.registration",
                      subject_type="registration", subject_id=registration.id,
                      details={"key_id": api_key.id, "organization_id": api_key.organization_id,
                               "created": created}))
    db.flush()


KEY_SCOPE = _l("This API key registers the people of its own organization only.")


def _check_key_scope(api_key: OrganizationApiKey, data: RegistrationInput) -> None:
    """A key registers people of its organization: same name (any case or spacing) and country."""
    organization = api_key.organization
    if organization_key(data.organization) != organization.name_key or data.country != organization.country:
        raise Forbidden("other_organization", KEY_SCOPE, field="organization")


def change_registration(db: Session, registration: Registration, changes: RegistrationChanges,
                        now: datetime) -> MeetingSession | None:
    """Apply a participant's changes; returns the session they left if they moved."""
    with db.no_autoflush:
        registration = lock_registration(db, registration)
        if registration.status == "cancelled":
            raise Conflict(
                "registration_cancelled",
                _l("This registration was cancelled. Register again from the meeting page."),
            )
        target = None
        if changes.session_id is not None and changes.session_id != registration.session_id:
            if not registration.meeting.is_open:
                raise Conflict("meeting_not_open", _l("Registration for this meeting is not open."))
            target = _session_of(registration.meeting, changes.session_id)
        locked = lock_sessions(db, {registration.session_id, target.id}) if target is not None else {}
        if target is not None:
            _still_open(locked[target.id])
    if changes.language is not None:
        registration.language = rules.check_language(changes.language)
    if changes.spoken_language is not None:
        registration.spoken_language = rules.check_language(
            changes.spoken_language, "spoken_language", optional=True)
    if changes.listening_language is not None:
        registration.listening_language = rules.check_language(
            changes.listening_language, "listening_language", optional=True)
    if changes.timezone is not None:
        registration.timezone = rules.check_timezone(changes.timezone)
    if changes.function is not None:
        registration.function = rules.limit_text(changes.function, "function", rules.MAX_FUNCTION)
    if changes.liaison_email is not None:
        text = changes.liaison_email.strip()
        registration.liaison_email = rules.check_email(text, "liaison_email") if text else None
    # Every change of the row goes out in its first UPDATE: a second UPDATE of a row this transaction
    # already changed re-checks its foreign keys (KEY SHARE on the session row), a lock out of order.
    registration.updated_at = now
    left = None
    if target is not None:
        left = _move(db, registration, locked[target.id], locked, now, accept_waitlist=changes.accept_waitlist)
    if changes.workstreams is not None:
        set_workstream_interests(db, registration.organization, changes.workstreams,
                                 registration.name, registration.email, now)
    db.flush()
    notify_registration(db, registration, "moved" if left else "changed", now, left_session=left)
    return left


def cancel_registration(db: Session, registration: Registration, now: datetime) -> Registration | None:
    """Cancel a registration; returns the waitlisted registration promoted to its seat, if any."""
    with db.no_autoflush:
        registration = lock_registration(db, registration)
        if registration.status == "cancelled":
            return None
        session = lock_sessions(db, {registration.session_id})[registration.session_id]
    was_confirmed = registration.status == "confirmed"
    registration.status = "cancelled"
    registration.cancelled_at = now
    registration.waitlisted_at = None
    registration.updated_at = now
    registration.ical_sequence += 1
    db.flush()
    notify_registration(db, registration, "cancelled", now)
    return promote_from_waitlist(db, session, now) if was_confirmed else None


def promote_from_waitlist(db: Session, session: MeetingSession, now: datetime) -> Registration | None:
    """Give a free seat of ``session`` (already locked) to the oldest waitlisted registration."""
    if _confirmed_count(db, session.id) >= session.capacity:
        return None
    oldest = _lock_oldest_waitlisted(db, session)
    if oldest is None:
        return None
    oldest.status = "confirmed"
    oldest.waitlisted_at = None
    oldest.ical_sequence += 1  # the invite now carries the join link: a newer version of the event
    oldest.updated_at = now
    db.flush()
    notify_registration(db, oldest, "promoted", now)
    return oldest


def seats_left(db: Session, session: MeetingSession) -> int:
    """Free seats of a session (never negative)."""
    return max(0, session.capacity - _confirmed_count(db, session.id))


def seats_left_by_session(db: Session, sessions: list[MeetingSession]) -> dict[int, int]:
    """Free seats of several sessions in one query."""
    ids = [s.id for s in sessions]
    counts = dict(
        db.execute(
            sa.select(Registration.session_id, sa.func.count())
            .where(Registration.session_id.in_(ids), Registration.status == "confirmed")
            .group_by(Registration.session_id)
        ).all()
    ) if ids else {}
    return {s.id: max(0, s.capacity - counts.get(s.id, 0)) for s in sessions}


def waitlist_position(db: Session, registration: Registration) -> int | None:
    """1 for the next person to get a seat; None when not waitlisted.

    A registration waitlisted in this database session (request) has its position counted already,
    under the session's lock (:func:`_take_seat`), as it stays until that transaction commits: no query.
    """
    if registration.status != "waitlisted":
        return None
    known = db.info.get(_POSITIONS, {}).get(registration.id)
    if known is not None and known[0] == (registration.session_id, registration.waitlisted_at):
        return known[1]
    ahead = db.scalar(
        sa.select(sa.func.count()).select_from(Registration).where(
            Registration.session_id == registration.session_id,
            Registration.status == "waitlisted",
            sa.or_(
                Registration.waitlisted_at < registration.waitlisted_at,
                sa.and_(Registration.waitlisted_at == registration.waitlisted_at,
                        Registration.id < registration.id),
            ),
        )
    )
    return (ahead or 0) + 1


_POSITIONS = "waitlist_positions"  # db.info key: registration id -> ((session id, waitlisted at), position)


def lock_registration(db: Session, registration: Registration) -> Registration:
    """Lock the registration's row (first of every lock) and re-read it as the last commit left it."""
    return db.execute(
        sa.select(Registration).where(Registration.id == registration.id)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _lock_oldest_waitlisted(db: Session, session: MeetingSession) -> Registration | None:
    """The oldest registration still waiting for ``session``, locked and re-read (skips any that just changed)."""
    while True:
        oldest_id = db.scalar(
            sa.select(Registration.id)
            .where(Registration.session_id == session.id, Registration.status == "waitlisted")
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(1)
        )
        if oldest_id is None:
            return None
        oldest = db.scalar(
            sa.select(Registration).where(Registration.id == oldest_id, Registration.session_id == session.id,
                                          Registration.status == "waitlisted")
            .with_for_update().execution_options(populate_existing=True)
        )
        if oldest is not None:
            return oldest


def _person_values(data: RegistrationInput, now: datetime) -> dict:
    return {"name": data.name, "email": data.email, "function": data.function, "language": data.language,
            "spoken_language": data.spoken_language, "listening_language": data.listening_language,
            "timezone": data.timezone, "liaison_email": data.liaison_email, "updated_at": now}


def _apply_person(registration: Registration, data: RegistrationInput, now: datetime) -> None:
    for key, value in _person_values(data, now).items():
        setattr(registration, key, value)


def _move(db: Session, registration: Registration, target: MeetingSession, locked: dict[int, MeetingSession],
          now: datetime, accept_waitlist: bool) -> MeetingSession | None:
    """Put the registration in ``target``; frees its old seat. Returns the session it left.

    ``locked`` holds the target and the registration's current session, locked by the caller.
    """
    if registration.status != "cancelled" and registration.session_id == target.id:
        return None
    previous = locked[registration.session_id] if registration.status != "cancelled" else None
    was_confirmed = registration.status == "confirmed"
    if previous is not None and not accept_waitlist and _confirmed_count(db, target.id) >= target.capacity:
        raise Conflict(
            "session_full",
            _l("Session %(label)s is full. You keep your place in session %(current)s."),
            field="session_id",
            label=target.label,
            current=previous.label,
        )
    # Every later calendar message to this person must carry a higher SEQUENCE: a move cancels the old
    # session, and registering again after a cancellation follows a CANCEL for the same session.
    if previous is not None or registration.id is not None:
        registration.ical_sequence += 1
    registration.status = "cancelled"
    registration.cancelled_at = None
    db.flush()
    _take_seat(db, registration, locked[target.id], now)
    if previous is not None and was_confirmed:
        promote_from_waitlist(db, locked[previous.id], now)
    return previous


def _take_seat(db: Session, registration: Registration, session: MeetingSession, now: datetime) -> None:
    """Seat the registration in ``session`` (already locked by the caller), or waitlist it.

    One statement (:data:`TAKE_SEAT`) counts the seats taken and sets the status from that count, and
    returns the status with the number of registrations waiting before it (it would be waitlisted at
    ``now``); the registration is counted in neither (it is ``cancelled`` until then). It runs after the
    session lock, in a statement of its own: a statement sees what was committed when it starts, so
    every seat taken before the lock was granted is counted.
    """
    # The statement sets the row's status as a flush would, without a unit of work around it: the callers
    # have flushed every other change of the row (the INSERT, or ``_move``'s flush); one that did not is
    # flushed here, so that setting the values below as the database state can never drop a change.
    if sa.inspect(registration).modified:
        db.flush()
    moving = registration.session_id != session.id
    status, ahead = db.connection().execute(TAKE_SEAT[moving], {
        "registration_id": registration.id, "seat_session_id": session.id, "capacity": session.capacity,
        "now": now}).one()
    values = {"status": status, "waitlisted_at": now if status == "waitlisted" else None, "cancelled_at": None}
    if moving:
        values["session_id"] = session.id
    for key, value in values.items():
        set_committed_value(registration, key, value)
    if moving:
        set_committed_value(registration, "session", session)
    if registration.status == "waitlisted":
        db.info.setdefault(_POSITIONS, {})[registration.id] = ((session.id, now), ahead + 1)


def lock_sessions(db: Session, session_ids: set[int]) -> dict[int, MeetingSession]:
    """Lock the session rows whose seats this transaction counts, in id order (``FOR NO KEY UPDATE``).

    One session's seat counts are serialized, the twin session's proceed in parallel. The lock mode
    leaves foreign-key checks alone (module doc). Pending unique keys are taken in one order too:
    organizations always before this lock, workstream sign-ups always under it, so no two
    transactions wait for each other.
    """
    rows = db.scalars(LOCK_SESSIONS, {"ids": sorted(session_ids)}).all()
    return {row.id: row for row in rows}


# The statements of the busy path, built once (their values are parameters): building a statement
# costs about as much CPU as the ORM spends running it.
LOCK_BY_ADDRESS = sa.select(Registration).where(
    Registration.meeting_id == sa.bindparam("meeting_id"), Registration.email_key == sa.bindparam("email_key")
).with_for_update().execution_options(populate_existing=True)
LOCK_SESSIONS = sa.select(MeetingSession).where(MeetingSession.id.in_(sa.bindparam("ids", expanding=True))).order_by(
    MeetingSession.id).with_for_update(key_share=True).execution_options(populate_existing=True)
INSERT_REGISTRATION = sa.insert(Registration.__table__)
# The organization of a registration (as find_or_create_organization loads it) and whether the address is
# registered for the meeting already (a plain read: the row, if any, is then locked with LOCK_BY_ADDRESS).
ORGANIZATION_AND_ADDRESS = WITH_INTERESTS.add_columns(sa.exists().where(
    Registration.meeting_id == sa.bindparam("meeting_id"), Registration.email_key == sa.bindparam("email_key")
).label("address_known"))
CONFIRMED_COUNT = sa.select(sa.func.count()).select_from(Registration).where(
    Registration.session_id == sa.bindparam("session_id"), Registration.status == "confirmed")


def _take_seat_statement(moving: bool) -> sa.Update:
    """``UPDATE`` the registration ``:registration_id`` to a seat of ``:seat_session_id`` while fewer than
    ``:capacity`` are confirmed there, else to its waiting list (waitlisted at ``:now``), ``RETURNING`` the
    status and how many wait before it. ``moving``: the row also gets that ``session_id``.

    The seats are counted once, in a common table expression that the ``SET`` and the ``RETURNING`` read
    (PostgreSQL materializes it once; SQLite may count again for ``RETURNING``, after the row changed:
    the row itself is never counted, being neither before itself nor waitlisted earlier than ``:now``).
    """
    table = Registration.__table__
    seated = table.alias("seated")
    now = sa.bindparam("now", type_=UTCDateTime)
    seats = sa.select(
        sa.func.count().filter(seated.c.status == "confirmed").label("confirmed"),
        sa.func.count().filter(seated.c.status == "waitlisted", sa.or_(
            seated.c.waitlisted_at < now,
            sa.and_(seated.c.waitlisted_at == now, seated.c.id < sa.bindparam("registration_id")))).label("ahead"),
    ).where(seated.c.session_id == sa.bindparam("seat_session_id"),
            seated.c.status.in_(("confirmed", "waitlisted"))).cte("seats")
    free = sa.select(seats.c.confirmed).scalar_subquery() < sa.bindparam("capacity", type_=sa.Integer)
    values = {"status": sa.case((free, "confirmed"), else_="waitlisted"),
              "waitlisted_at": sa.case((free, sa.null()), else_=now), "cancelled_at": sa.null()}
    if moving:
        values["session_id"] = sa.bindparam("seat_session_id")
    return sa.update(table).where(table.c.id == sa.bindparam("registration_id")).values(values).returning(
        table.c.status, sa.select(seats.c.ahead).scalar_subquery())


# Core (not ORM) statements: the ORM's UPDATE machinery would cost more than the flush it replaces.
TAKE_SEAT = {moving: _take_seat_statement(moving) for moving in (False, True)}


def _confirmed_count(db: Session, session_id: int) -> int:
    return db.scalar(CONFIRMED_COUNT, {"session_id": session_id}) or 0


def _session_of(meeting: GlobalMeeting, session_id: int | None) -> MeetingSession:
    session = next((s for s in meeting.sessions if s.id == session_id), None)
    if session is None:
        raise InvalidInput("unknown_session", _l("Choose session A or B of this meeting."),
                           field="session_id")
    return _still_open(session)


def _still_open(session: MeetingSession) -> MeetingSession:
    """``session`` unless it is cancelled (checked again once locked: it may have been cancelled meanwhile)."""
    if session.status == "cancelled":
        raise Conflict("session_cancelled",
                       _l("This session has been cancelled; please choose the other one."),
                       field="session_id")
    return session
