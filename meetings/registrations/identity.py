"""Who owns a registration: whoever reads its e-mail address. One-time sign-in links prove it.

A link is e-mailed when an address registers (to verify it) and when someone types an address
that is already registered (to sign in). Using it, with a POST (mail scanners only prefetch
GETs), verifies the address, spends the link and every other pending link of the registration,
and replaces the manage and feed tokens, so anyone else holding the old ones loses them. Links
are stored as SHA-256 digests and expire. Messages that anonymous requests cause are counted per
address: each carries a link, so the links sent to an address in the last 24 hours are the count.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.core.db import UTCDateTime
from meetings.core.errors import NotFound
from meetings.core.links import public_url
from meetings.models import Registration
from meetings.models.registration import new_manage_token
from meetings.outbox.composing import Composed, Skip, render_email
from meetings.outbox.enqueue import enqueue_message
from meetings.outbox.models import OutboxMessage
from meetings.registrations.messages import notify_registration
from meetings.registrations.models import RegistrationSignIn

LINK_LIFETIME = {"verify": timedelta(days=7), "sign_in": timedelta(hours=24)}
MESSAGES_PER_ADDRESS_PER_DAY = 5
SIGN_IN_COMPOSER = "registration.sign_in"
INVALID_LINK = _l("This link has expired or was already used. Type your e-mail address on the registration "
                  "form again to receive a new one.")


def digest(token: str) -> str:
    """Links are stored as SHA-256 digests, never in clear."""
    return hashlib.sha256(token.encode()).hexdigest()


def _store_link_below_limit() -> sa.Insert:
    """``INSERT`` a link ``SELECT``-ed only while its address received fewer than ``:limit`` links in 24 hours.

    Built once; every value is a parameter: the link's columns, ``limit`` and ``since`` (24 hours ago).
    """
    table = RegistrationSignIn.__table__
    columns = ("registration_id", "email_key", "token_hash", "created_at", "expires_at")
    sent = sa.select(sa.func.count()).select_from(table).where(
        table.c.email_key == sa.bindparam("email_key"), table.c.created_at > sa.bindparam("since", type_=UTCDateTime))
    link = sa.select(*(sa.bindparam(name, type_=table.c[name].type) for name in columns))
    return table.insert().from_select(columns, link.where(sent.scalar_subquery() < sa.bindparam("limit")))\
        .returning(table.c.id)


STORE_LINK_BELOW_LIMIT = _store_link_below_limit()


def send_sign_in_link(db: Session, registration: Registration, purpose: str, now: datetime) -> bool:
    """E-mail a one-time link to the registration's address; False when the address had its share today.

    Messages that anonymous requests cause are counted per address: each carries a link, so one
    statement counts the address's links of the last 24 hours and stores the new one only below the
    limit; the e-mail carrying it is queued with a second one.
    """
    assert purpose in LINK_LIFETIME, purpose
    if not registration.email:
        return False
    token = secrets.token_urlsafe(32)
    token_hash = digest(token)
    link_id = db.scalar(STORE_LINK_BELOW_LIMIT, {
        "registration_id": registration.id, "email_key": registration.email_key, "token_hash": token_hash,
        "created_at": now, "expires_at": now + LINK_LIFETIME[purpose], "since": now - timedelta(days=1),
        "limit": int(current_app.config.get("MESSAGES_PER_ADDRESS_PER_DAY", MESSAGES_PER_ADDRESS_PER_DAY))})
    if link_id is None:
        return False
    enqueue_message(db, key=f"registration:{registration.id}:sign_in:{token_hash[:24]}",
                    topic=f"registration.{purpose}", composer=SIGN_IN_COMPOSER, to=[registration.email],
                    language=registration.language, now=now, facts={"purpose": purpose, "link_id": link_id},
                    secrets={"token": token}, registration_id=registration.id)
    return True


def compose_sign_in_message(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    """The e-mail carrying a one-time link (its token travels in the row's secrets until it is sent)."""
    facts, token = row.facts or {}, (row.secrets or {}).get("token")
    link = db.get(RegistrationSignIn, facts.get("link_id")) if facts.get("link_id") else None
    if link is None or token is None or link.token_hash != digest(token):
        return Skip("the link was replaced or erased")
    if link.used_at is not None or link.expires_at <= now or not link.registration.email:
        return Skip("the link was used or expired before it could be sent")
    registration = link.registration
    return Composed(render_email(
        "registration_sign_in", row.language, registration=registration, meeting=registration.meeting,
        session=registration.session, purpose=facts.get("purpose", "sign_in"),
        link=public_url("registrations.sign_in", token=token), expires_at=link.expires_at,
        service_name=current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform")))


def sign_in_link(db: Session, token: str, now: datetime) -> RegistrationSignIn:
    """The pending, unexpired link behind ``token``, or a localized 404."""
    link = None
    if token and len(token) <= 64:
        link = db.scalar(sa.select(RegistrationSignIn).where(RegistrationSignIn.token_hash == digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= now or not link.registration.email:
        raise NotFound("invalid_link", INVALID_LINK)
    return link


def use_sign_in_link(db: Session, token: str, now: datetime) -> Registration:
    """Spend the link: verify the address, renew both tokens; a first verification e-mails the join link."""
    registration = sign_in_link(db, token, now).registration
    db.execute(sa.update(RegistrationSignIn).where(RegistrationSignIn.registration_id == registration.id,
                                                   RegistrationSignIn.used_at.is_(None)).values(used_at=now))
    registration.manage_token = new_manage_token()
    registration.feed_token = new_manage_token()
    first = registration.email_verified_at is None
    if first:
        registration.email_verified_at = now
        registration.ical_sequence += 1  # the invite now carries the join link: a newer version of the event
    registration.updated_at = now
    db.flush()
    if first and registration.status != "cancelled":
        notify_registration(db, registration, "verified", now)
    return registration
