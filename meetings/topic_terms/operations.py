"""Add, import and remove vocabulary terms (audited); the current vocabulary and matcher. Flush, never commit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.core import rules
from meetings.core.audit import record_action
from meetings.core.errors import Conflict, InvalidInput, NotFound
from meetings.core.vocabulary import LANGUAGE_CODES
from meetings.topic_terms.models import TopicTerm
from meetings.topics.matching import ConceptMatcher
from meetings.topics.text import fold, stems
from meetings.topics.vocabulary import ExtraTerm, Vocabulary, build_vocabulary

MAX_TERM = 120
MAX_IMPORT = 2000
CONCEPT_ID = re.compile(r"[a-z][a-z0-9_]{1,59}")

signals = Namespace()
# Sent after the vocabulary changed, in the same transaction (before commit), with db=, now=,
# terms= (the terms added or removed, or None when anything may have changed) and previous= (the
# fingerprint of the vocabulary before the change, or None).
vocabulary_changed = signals.signal("vocabulary-changed")


@dataclass(frozen=True)
class TermInput:
    """A term as typed: concept id, language code, the term."""

    concept_id: str
    language: str
    term: str


@lru_cache(maxsize=8)
def _matcher(extras: tuple[ExtraTerm, ...]) -> ConceptMatcher:
    return ConceptMatcher(build_vocabulary(extras))


def current_matcher(db: Session) -> ConceptMatcher:
    """A concept matcher of the packaged concepts with every stored term (built once per set of terms)."""
    rows = db.execute(sa.select(TopicTerm.concept_id, TopicTerm.language, TopicTerm.term)
                      .order_by(TopicTerm.concept_id, TopicTerm.language, TopicTerm.term)).all()
    return _matcher(tuple(ExtraTerm(*row) for row in rows))


def current_vocabulary(db: Session) -> Vocabulary:
    """The packaged concepts with every stored term."""
    return current_matcher(db).vocabulary


def term_key(term: str) -> str:
    """The spelling-insensitive key of a term (case, accents, spaces)."""
    return " ".join(fold(term).split())


def extra_terms(db: Session) -> list[TopicTerm]:
    """Stored terms, by concept, language and term."""
    return list(db.scalars(sa.select(TopicTerm).order_by(TopicTerm.concept_id, TopicTerm.language,
                                                         TopicTerm.term_key)))


def _check(vocabulary: Vocabulary, data: TermInput) -> tuple[str, str, str]:
    concept_id = (data.concept_id or "").strip()
    if not CONCEPT_ID.fullmatch(concept_id):
        raise InvalidInput("bad_concept", _l("Give the concept as lower-case letters, digits and underscores, "
                                             "such as reception_conditions."), field="concept_id")
    if data.language not in LANGUAGE_CODES:
        raise InvalidInput("unknown_language", _l("Choose English, French or Spanish."), field="language")
    term = " ".join(rules.require_text(data.term, "term", MAX_TERM).split())
    if not stems(term):
        raise InvalidInput("term_without_words", _l("The term needs at least one word that means something, "
                                                    "not only words such as “the”, “de” or “y”."), field="term")
    concept = vocabulary.concepts.get(concept_id)
    known = concept.terms.get(data.language, ()) if concept else ()
    if term_key(term) in {term_key(t) for t in known}:
        raise Conflict("term_exists", _l("This term is already in the vocabulary for this concept and language."),
                       field="term")
    return concept_id, data.language, term


def _store(db: Session, actor, concept_id: str, language: str, term: str, now: datetime) -> TopicTerm:
    row = TopicTerm(concept_id=concept_id, language=language, term=term, term_key=term_key(term), created_at=now,
                    created_by_id=getattr(actor, "id", None))
    db.add(row)
    db.flush()
    record_action(db, actor, "topic_term.added", "topic_term", row.id, now, concept=concept_id,
                  language=language, term=term)
    return row


def add_term(db: Session, actor, data: TermInput, now: datetime) -> TopicTerm:
    """Add one term to a concept (a new concept id starts a new concept); audited; features refresh."""
    previous = current_vocabulary(db)
    concept_id, language, term = _check(previous, data)
    row = _store(db, actor, concept_id, language, term, now)
    vocabulary_changed.send(None, db=db, now=now, terms=[term], previous=previous.fingerprint)
    return row


@dataclass(frozen=True)
class ImportReport:
    """What an import did: terms added, and the rows refused with their line number and reason."""

    added: int
    refused: tuple[tuple[int, str], ...]


def import_terms(db: Session, actor, rows: Iterable[TermInput], now: datetime) -> ImportReport:
    """Add many terms (each checked like :func:`add_term`; refused rows are reported, not fatal)."""
    added, refused = [], []
    previous = current_vocabulary(db)
    extras = list(previous.extra_terms)
    for line, data in enumerate(rows, start=2):
        if line - 1 > MAX_IMPORT:
            raise InvalidInput("too_many_terms", _l("Import at most %(max)d terms at a time."), max=MAX_IMPORT)
        try:
            concept_id, language, term = _check(_matcher(tuple(extras)).vocabulary, data)
        except (InvalidInput, Conflict) as error:
            refused.append((line, error.message))
            continue
        _store(db, actor, concept_id, language, term, now)
        extras.append(ExtraTerm(concept_id, language, term))
        added.append(term)
    if added:
        vocabulary_changed.send(None, db=db, now=now, terms=added, previous=previous.fingerprint)
    return ImportReport(len(added), tuple(refused))


def remove_term(db: Session, actor, term_id: int, now: datetime) -> None:
    """Delete a stored term (audited); features refresh."""
    row = db.get(TopicTerm, term_id)
    if row is None:
        raise NotFound("unknown_term", _l("This term does not exist."))
    previous = current_vocabulary(db)
    record_action(db, actor, "topic_term.removed", "topic_term", row.id, now, concept=row.concept_id,
                  language=row.language, term=row.term)
    term = row.term
    db.delete(row)
    db.flush()
    vocabulary_changed.send(None, db=db, now=now, terms=[term], previous=previous.fingerprint)
