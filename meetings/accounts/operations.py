"""The whole life of a staff account: invite, resend, set a password, authenticate (rate-limited), deactivate.

Verb-named operations: they flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from meetings.accounts.models import ROLES, LoginAttempt, User
from meetings.core import rules
from meetings.core.audit import record_action
from meetings.core.errors import Conflict, DomainError, InvalidInput, NotFound
from meetings.core.links import public_url
from meetings.organizations.models import Organization
from meetings.organizations.operations import find_or_create_organization
from meetings.outbox.composing import Composed, Skip, render_email
from meetings.outbox.enqueue import enqueue_message
from meetings.outbox.models import OutboxMessage

ACCOUNT_INVITATION, PASSWORD_RESET = "account.invitation", "account.password_reset"

MIN_PASSWORD = 12
# Failed logins slow down guessing per (account, client address): the first FREE_FAILURES are free, then
# each next attempt waits twice as long (5 s, 10 s, 20 s... at most 15 minutes) after the last failure.
# Failures from other addresses never delay the account's owner: a stranger cannot lock anyone out.
FREE_FAILURES = 3
FIRST_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(hours=1)
# One address guessing across many accounts is stopped as a whole (whoever shares it waits too).
MAX_FAILURES_PER_ADDRESS = 20
ADDRESS_WINDOW = timedelta(minutes=15)
INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
RESET_INTERVAL = timedelta(minutes=10)
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
    if db.scalar(sa.select(User.id).where(User.email_key == rules.email_key(email))):
        raise Conflict("account_exists", _l("An account with this e-mail already exists."), field="email")
    user = User(email=email, email_key=rules.email_key(email), name=rules.require_text(name, "name", rules.MAX_NAME),
                role=role, organization=organization, language=rules.check_language(language))
    if password is not None:
        user.password_hash = generate_password_hash(check_password_strength(password))
    db.add(user)
    db.flush()
    return user


def login_delay(failures: int) -> timedelta:
    """How long after the last failure the next attempt must wait, after ``failures`` failures."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 20), MAX_DELAY)


def authenticate(db: Session, email: str, password: str, ip: str, now: datetime) -> User:
    """The account for these credentials; failures slow down this (account, address) pair only."""
    key = rules.email_key(email)
    ip = ip[:64]
    failures, last = db.execute(sa.select(sa.func.count(), sa.func.max(LoginAttempt.attempted_at)).where(
        LoginAttempt.email_key == key, LoginAttempt.ip == ip,
        LoginAttempt.attempted_at >= now - FAILURE_WINDOW)).one()
    wait = (last + login_delay(failures) - now) if last is not None else timedelta(0)
    per_address = db.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.ip == ip, LoginAttempt.attempted_at >= now - ADDRESS_WINDOW))
    if per_address >= MAX_FAILURES_PER_ADDRESS:
        wait = max(wait, ADDRESS_WINDOW)
    if wait > timedelta(0):
        raise TooManyAttempts("too_many_attempts",
                              _l("Too many failed attempts from your address. Please wait %(seconds)d seconds "
                                 "and try again."), seconds=max(1, int(wait.total_seconds() + 0.999)))
    user = db.scalar(sa.select(User).where(User.email_key == key))
    valid = check_password_hash(user.password_hash if user and user.password_hash else _DUMMY_HASH,
                                password or "")
    if user is None or not valid or not user.is_active:
        db.add(LoginAttempt(email_key=key[:254], ip=ip, attempted_at=now))
        db.flush()
        raise InvalidInput("bad_credentials", _l("The e-mail or password is not correct."))
    db.execute(sa.delete(LoginAttempt).where(LoginAttempt.email_key == key, LoginAttempt.ip == ip))
    user.last_login_at = now
    db.flush()
    return user


def issue_invitation(db: Session, user: User, now: datetime, lifetime: timedelta = INVITATION_LIFETIME) -> str:
    """A new one-time link secret for ``user`` (returned once; only its digest is stored)."""
    token = secrets.token_urlsafe(32)
    user.invitation_hash = hash_secret(token)
    user.invitation_expires_at = now + lifetime
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


def end_sessions(db: Session, user: User) -> None:
    """Log out everywhere: every session cookie of the account stops working (copies included)."""
    user.session_version += 1
    db.flush()


def request_password_reset(db: Session, email: str, now: datetime) -> bool:
    """E-mail a one-time link to set a new password, if an active account has this address.

    The answer never says whether the account exists; one link per RESET_INTERVAL at most (a stranger
    cannot flood the address), valid for RESET_LIFETIME; it replaces any earlier link.
    """
    user = db.scalar(sa.select(User).where(User.email_key == rules.email_key(email)))
    if user is None or not user.is_active:
        return False
    issued = user.invitation_expires_at - RESET_LIFETIME if user.invitation_expires_at else None
    if issued is not None and user.invitation_expires_at > now and issued > now - RESET_INTERVAL:
        return False
    token = issue_invitation(db, user, now, RESET_LIFETIME)
    enqueue_message(db, key=f"account:{user.id}:reset:{user.invitation_hash[:16]}", topic="account.password_reset",
                    composer=PASSWORD_RESET, to=[user.email], language=user.language, now=now,
                    facts={"user_id": user.id}, secrets={"token": token})
    return True


@dataclass(frozen=True)
class AccountInput:
    """Who the secretariat invites (organization fields only for co-conveners)."""

    name: str
    email: str
    role: str = "co_convener"
    organization: str = ""
    category: str = ""
    country: str = ""
    language: str = "en"


def account_status(user: User) -> str:
    """active, pending (invited, no password yet) or deactivated."""
    if not user.active:
        return "deactivated"
    return "active" if user.password_hash else "pending"


def staff_accounts(db: Session) -> list[User]:
    """Every staff account, secretariat first, then by name."""
    return list(db.scalars(sa.select(User).order_by(User.role.desc(), User.name, User.id)))


def account_or_404(db: Session, user_id: int) -> User:
    """A staff account, or a localized 404."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("unknown_account", _l("This account does not exist."))
    return user


def invite_account(db: Session, actor: User, data: AccountInput, now: datetime) -> User:
    """Create a pending account and e-mail its one-time link to set a password (in the invitee's language)."""
    organization = None
    if data.role == "co_convener":
        organization = find_or_create_organization(
            db, rules.require_text(data.organization, "organization", rules.MAX_NAME),
            rules.check_category(data.category), rules.check_country(data.country), None)
    user = create_account(db, email=data.email, name=data.name, role=data.role,
                                   organization=organization, language=data.language)
    _send_invitation(db, actor, user, now)
    record_action(db, actor, "account.invited", "user", user.id, now, email=user.email, role=user.role,
                  organization=organization.name if organization else None)
    return user


def resend_invitation(db: Session, actor: User, user: User, now: datetime) -> None:
    """A new one-time link for an account that has not set its password yet (the old link stops working)."""
    if account_status(user) != "pending":
        raise Conflict("not_pending", _l("This account already has a password or is deactivated."))
    _send_invitation(db, actor, user, now)
    record_action(db, actor, "account.invitation_resent", "user", user.id, now, email=user.email)


def _send_invitation(db: Session, actor: User, user: User, now: datetime) -> None:
    token = issue_invitation(db, user, now)
    enqueue_message(db, key=f"account:{user.id}:invitation:{user.invitation_hash[:16]}", topic="account.invitation",
                    composer=ACCOUNT_INVITATION, to=[user.email], language=user.language, now=now,
                    facts={"user_id": user.id, "inviter_id": actor.id}, secrets={"token": token})


def compose_account_link(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    """The invitation or password-reset e-mail; its one-time token travels in the row's secrets until sent."""
    facts, token = row.facts or {}, (row.secrets or {}).get("token", "")
    user = db.get(User, facts.get("user_id"))
    if user is None or not user.active or not token or user.invitation_hash != hash_secret(token):
        return Skip("the link was replaced, used or the account deactivated")
    if user.invitation_expires_at is None or user.invitation_expires_at <= now:
        return Skip("the link expired before it could be sent")
    context = {"user": user, "link": public_url("accounts.set_password", token=token),
               "expires_at": user.invitation_expires_at,
               "service_name": current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform")}
    if row.composer == PASSWORD_RESET:
        return Composed(render_email("password_reset", row.language, **context))
    return Composed(render_email(
        "co_convener_invitation", row.language, login_url=public_url("accounts.login"),
        organization=user.organization.name if user.organization else "", **context))


def deactivate_account(db: Session, actor: User, user: User, now: datetime) -> None:
    """Stop an account from logging in and end its sessions (never one's own)."""
    if user.id == actor.id:
        raise Conflict("own_account", _l("You cannot deactivate your own account."))
    if not user.active:
        return
    user.active = False
    user.invitation_hash = None
    user.invitation_expires_at = None
    user.session_version += 1
    db.flush()
    record_action(db, actor, "account.deactivated", "user", user.id, now, email=user.email)
