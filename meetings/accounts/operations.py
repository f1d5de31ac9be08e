"""Verb-named account operations: create, authenticate (rate-limited), invite, set a password."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from meetings.accounts.models import ROLES, LoginAttempt, User
from meetings.core import rules
from meetings.core.errors import Conflict, DomainError, InvalidInput, NotFound
from meetings.organizations.models import Organization

MIN_PASSWORD = 12
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
INVITATION_LIFETIME = timedelta(days=7)
# Checked against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("not a real password")


class TooManyAttempts(DomainError):
    """Login refused for a while after repeated failures (429)."""

    status = 429


def hash_secret(token: str) -> str:
    """Invitation links are stored as SHA-256 digests, never in clear."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_strength(password: str) -> str:
    """At least 12 characters, at most 200."""
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput("weak_password", _l("Use a password of at least %(min)d characters."),
                           field="password", min=MIN_PASSWORD)
    if len(password) > 200:
        raise InvalidInput("too_long", _l("This text is too long (at most %(max)d characters)."),
                           field="password", max=200)
    return password


def create_account(db: Session, *, email: str, name: str, role: str, password: str | None = None,
                   organization: Organization | None = None, language: str = "en") -> User:
    """A new staff account (with a password, or pending an invitation)."""
    email = rules.check_email(email)
    if role not in ROLES:
        raise InvalidInput("unknown_role", _l("Choose a role from the list."), field="role")
    if role == "co_convener" and organization is None:
        raise InvalidInput("required", _l("This field is required."), field="organization")
    if db.scalar(sa.select(User.id).where(User.email_key == email.casefold())):
        raise Conflict("account_exists", _l("An account with this e-mail already exists."), field="email")
    user = User(email=email, email_key=email.casefold(), name=rules.require_text(name, "name", rules.MAX_NAME),
                role=role, organization=organization, language=rules.check_language(language))
    if password is not None:
        user.password_hash = generate_password_hash(check_password_strength(password))
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, email: str, password: str, ip: str, now: datetime) -> User:
    """The account for these credentials; failures are counted and rate-limited."""
    key = (email or "").strip().casefold()
    since = now - FAILURE_WINDOW
    per_account = db.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.email_key == key, LoginAttempt.attempted_at >= since))
    per_address = db.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.ip == ip, LoginAttempt.attempted_at >= since))
    if per_account >= MAX_FAILURES_PER_ACCOUNT or per_address >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts("too_many_attempts",
                              _l("Too many failed attempts. Please wait 15 minutes and try again."))
    user = db.scalar(sa.select(User).where(User.email_key == key))
    valid = check_password_hash(user.password_hash if user and user.password_hash else _DUMMY_HASH,
                                password or "")
    if user is None or not valid or not user.is_active:
        db.add(LoginAttempt(email_key=key[:254], ip=ip[:64], attempted_at=now))
        db.flush()
        raise InvalidInput("bad_credentials", _l("The e-mail or password is not correct."))
    db.execute(sa.delete(LoginAttempt).where(LoginAttempt.email_key == key))
    user.last_login_at = now
    db.flush()
    return user


def issue_invitation(db: Session, user: User, now: datetime) -> str:
    """A new one-time link secret for ``user`` (returned once; only its digest is stored)."""
    token = secrets.token_urlsafe(32)
    user.invitation_hash = hash_secret(token)
    user.invitation_expires_at = now + INVITATION_LIFETIME
    db.flush()
    return token


def account_by_invitation(db: Session, token: str, now: datetime) -> User:
    """The account a one-time link belongs to, if the link is still valid."""
    user = db.scalar(sa.select(User).where(User.invitation_hash == hash_secret(token or "")))
    if user is None or user.invitation_expires_at is None or user.invitation_expires_at < now:
        raise NotFound("invalid_invitation",
                       _l("This link has expired or was already used. Ask the secretariat for a new one."))
    return user


def set_password_with_invitation(db: Session, token: str, password: str, now: datetime) -> User:
    """Set the password from a one-time link, which is then spent."""
    user = account_by_invitation(db, token, now)
    user.password_hash = generate_password_hash(check_password_strength(password))
    user.invitation_hash = None
    user.invitation_expires_at = None
    user.session_version += 1
    db.flush()
    return user
