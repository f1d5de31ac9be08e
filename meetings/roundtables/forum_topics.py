"""The secretariat's housekeeping: co-convener accounts (invite, re-send, deactivate), regional-forum topics."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.accounts.models import User
from meetings.core import rules
from meetings.core.audit import record_action
from meetings.core.errors import InvalidInput, NotFound
from meetings.core.vocabulary import LANGUAGE_CODES, REGION_CODES
from meetings.roundtables.duplicates import store_vector
from meetings.roundtables.models import RegionalForumTopic


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
