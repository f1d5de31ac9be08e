"""The secretariat's housekeeping: co-convener accounts (invite, re-send, deactivate), regional-forum topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.accounts import operations as accounts
from meetings.accounts.models import User
from meetings.errors import Conflict, InvalidInput, NotFound
from meetings.links import public_url
from meetings.models.audit import record_action
from meetings.outbox.enqueue import enqueue_email, render_email
from meetings.registrations import rules
from meetings.registrations.operations import find_or_create_organization
from meetings.roundtables.duplicates import store_vector
from meetings.roundtables.models import RegionalForumTopic
from meetings.vocabulary import LANGUAGE_CODES, REGION_CODES


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
    user = accounts.create_account(db, email=data.email, name=data.name, role=data.role,
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
    token = accounts.issue_invitation(db, user, now)
    email = render_email(
        "co_convener_invitation", user.language, user=user, inviter=actor,
        organization=user.organization.name if user.organization else "",
        link=public_url("accounts.set_password", token=token), expires_at=user.invitation_expires_at,
        login_url=public_url("accounts.login"),
        service_name=current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform"))
    enqueue_email(db, key=f"account:{user.id}:invitation:{user.invitation_hash[:16]}", topic="account.invitation",
                  to=[user.email], language=user.language, email=email, now=now)


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


def forum_topics(db: Session) -> list[RegionalForumTopic]:
    """Registered regional-forum topics, by forum."""
    return list(db.scalars(sa.select(RegionalForumTopic).order_by(RegionalForumTopic.forum, RegionalForumTopic.id)))


def add_forum_topic(db: Session, actor: User | None, forum: str, titles: dict[str, str], regions: tuple[str, ...],
                    now: datetime) -> RegionalForumTopic:
    """Register a topic a regional forum covers: a title in at least one language, one region or more."""
    forum = rules.require_text(forum, "forum", rules.MAX_NAME)
    texts = {f"title_{c}": rules.limit_text(titles.get(c), f"title_{c}", 300) for c in LANGUAGE_CODES}
    if not any(texts.values()):
        raise InvalidInput("title_required", _l("Give the title in at least one language."), field="title_en")
    chosen = [code for code in REGION_CODES if code in set(regions)]
    if not chosen or set(regions) - set(REGION_CODES):
        raise InvalidInput("region_required", _l("Choose at least one region."), field="regions")
    topic = RegionalForumTopic(forum=forum, regions=chosen, created_at=now, **texts)
    store_vector(db, topic)
    db.add(topic)
    db.flush()
    record_action(db, actor, "forum_topic.added", "forum_topic", topic.id, now, forum=forum)
    return topic


def remove_forum_topic(db: Session, actor: User, topic_id: int, now: datetime) -> None:
    """Delete a regional-forum topic (audited)."""
    topic = db.get(RegionalForumTopic, topic_id)
    if topic is None:
        raise NotFound("unknown_topic", _l("This topic does not exist."))
    record_action(db, actor, "forum_topic.removed", "forum_topic", topic.id, now, forum=topic.forum,
                  title=topic.title_en or topic.title_fr or topic.title_es)
    db.delete(topic)
    db.flush()


DEMO_FORUM_TOPICS = (
    ("Quito Process", ("americas",),
     ("Regional registration and documentation of refugees and migrants from Venezuela",
      "Enregistrement et documentation régionaux des réfugiés et migrants du Venezuela",
      "Registro y documentación regional de personas refugiadas y migrantes de Venezuela")),
    ("Asia Pacific Consultations on Refugees, Displaced Persons and Migrants", ("asia_pacific",),
     ("Disembarkation and reception after maritime rescue in South-East Asia",
      "Débarquement et accueil après les sauvetages en mer en Asie du Sud-Est",
      "Desembarco y acogida tras los rescates en el mar en el Sudeste Asiático")),
    ("Nairobi Declaration follow-up (IGAD)", ("east_horn_great_lakes",),
     ("Inclusion of refugees in national education and health systems in the IGAD region",
      "Inclusion des réfugiés dans les systèmes nationaux d'éducation et de santé de la région de l'IGAD",
      "Inclusión de las personas refugiadas en los sistemas nacionales de educación y salud de la región IGAD")),
    ("Comprehensive Regional Protection and Solutions Framework (MIRPS)", ("americas",),
     ("Strengthening national asylum commissions in Central America and Mexico",
      "Renforcer les commissions nationales d'asile en Amérique centrale et au Mexique",
      "Fortalecimiento de las comisiones nacionales de asilo en Centroamérica y México")),
)


def seed_forum_topics(db: Session, now: datetime) -> None:
    """A few regional-forum topics for the demo (added once, recognized by their English title)."""
    for forum, regions, (en, fr, es) in DEMO_FORUM_TOPICS:
        if db.scalar(sa.select(RegionalForumTopic.id).where(RegionalForumTopic.title_en == en)) is None:
            add_forum_topic(db, None, forum, {"en": en, "fr": fr, "es": es}, regions, now)
