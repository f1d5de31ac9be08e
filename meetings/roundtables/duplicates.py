"""The duplicate check on stored features: roundtables and regional-forum topics, each vectorized once.

Features (:func:`similarity.item_vector`) are computed when a proposal's or a topic's texts change and
stored with the vocabulary version they were made with; when the secretariat changes the vocabulary,
``vocabulary_changed`` makes :func:`refresh_vectors` recompute, in the same transaction, those whose
texts contain the changed terms (the others only take the new version). A
check loads only ids and stored vectors, ranks them, then loads the few items that match; a vector
of another version (before ``topics refresh`` after an upgrade) is recomputed in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from meetings.accounts.models import User
from meetings.core import similarity
from meetings.core.vocabulary import LANGUAGE_CODES
from meetings.roundtables.models import RegionalForumTopic, Roundtable
from meetings.topic_terms.operations import current_matcher
from meetings.topics.matching import ConceptMatcher
from meetings.topics.text import stems

REASONS_SHOWN = 3
NEVER_COMPARED = ("withdrawn", "rejected")


@dataclass(frozen=True)
class SimilarItem:
    """A roundtable or a regional-forum topic that looks like the proposal, and why (labels per language)."""

    kind: str  # "roundtable" or "forum_topic"
    item: Roundtable | RegionalForumTopic
    score: float
    reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)


def roundtable_item(roundtable: Roundtable) -> similarity.Item:
    """A roundtable's titles and abstracts in every language."""
    return similarity.Item(("roundtable", roundtable.id),
                           tuple(getattr(roundtable, f"title_{c}") or "" for c in LANGUAGE_CODES),
                           tuple(getattr(roundtable, f"abstract_{c}") or "" for c in LANGUAGE_CODES))


def topic_item(topic: RegionalForumTopic) -> similarity.Item:
    """A regional-forum topic's titles in every language."""
    return similarity.Item(("forum_topic", topic.id), tuple(getattr(topic, f"title_{c}") or "" for c in LANGUAGE_CODES))


def store_vector(db: Session, item: Roundtable | RegionalForumTopic, matcher: ConceptMatcher | None = None) -> None:
    """Compute and keep the features of a roundtable or a topic (after its texts changed)."""
    matcher = matcher or current_matcher(db)
    source = roundtable_item(item) if isinstance(item, Roundtable) else topic_item(item)
    item.similarity_vector = similarity.item_vector(source, matcher).to_json()


def refresh_vectors(sender: object = None, *, db: Session, now: datetime | None = None,
                    terms: Sequence[str] | None = None, previous: str | None = None) -> int:
    """Bring every stored feature to the current vocabulary; how many items were recomputed."""
    # When the change is known (``terms`` added or removed, ``previous`` fingerprint), only items whose
    # texts contain all the words of one of those terms can map differently: they are recomputed, the
    # others, current with ``previous``, only take the new version. Otherwise everything is recomputed.
    matcher = current_matcher(db)
    version = similarity.version_of(matcher)
    needles = [set(stems(term)) for term in terms] if terms is not None and previous else None
    old_version = f"{similarity.ALGORITHM}:{previous}"
    count = 0
    for model in (Roundtable, RegionalForumTopic):
        for item in db.scalars(sa.select(model).order_by(model.id)):
            document = item.similarity_vector
            if needles is not None and isinstance(document, dict) and document.get("v") == old_version:
                source = roundtable_item(item) if isinstance(item, Roundtable) else topic_item(item)
                words = set(stems(" ".join((*source.titles, *source.abstracts))))
                if not any(needle <= words for needle in needles):
                    item.similarity_vector = {**document, "v": version}
                    continue
            store_vector(db, item, matcher)
            count += 1
    db.flush()
    return count


def _vector(document: object, version: str, load, matcher: ConceptMatcher) -> similarity.Vector:
    vector = similarity.Vector.from_json(document)
    if vector is None or vector.version != version:
        item = load()
        source = roundtable_item(item) if isinstance(item, Roundtable) else topic_item(item)
        vector = similarity.item_vector(source, matcher)
    return vector


def _candidates(db: Session, viewer: User, exclude_id: int | None, matcher: ConceptMatcher
                ) -> list[tuple[tuple[str, int], similarity.Vector]]:
    from meetings.roundtables.operations import VISIBLE_TO_OTHERS

    version = similarity.version_of(matcher)
    query = sa.select(Roundtable.id, Roundtable.similarity_vector).where(
        sa.or_(Roundtable.status.in_(VISIBLE_TO_OTHERS), Roundtable.organization_id == viewer.organization_id),
        Roundtable.status.not_in(NEVER_COMPARED))
    if exclude_id is not None:
        query = query.where(Roundtable.id != exclude_id)
    candidates = []
    topics = sa.select(RegionalForumTopic.id, RegionalForumTopic.similarity_vector)
    for kind, model, rows in (("roundtable", Roundtable, db.execute(query)),
                              ("forum_topic", RegionalForumTopic, db.execute(topics))):
        for item_id, document in rows:
            vector = _vector(document, version, lambda m=model, i=item_id: db.get(m, i), matcher)
            candidates.append(((kind, item_id), vector))
    return candidates


def _reasons(shared: Sequence[str], matcher: ConceptMatcher) -> dict[str, tuple[str, ...]]:
    """Labels of the strongest shared concepts per language, without the broader ones of those shown."""
    concepts = matcher.vocabulary.concepts
    broader_of_shown: set[str] = set()
    chosen = []
    for concept_id in shared:
        current = concepts.get(concept_id)
        if current is None or concept_id in broader_of_shown:
            continue
        chosen.append(concept_id)
        while current and current.broader:
            broader_of_shown.add(current.broader)
            current = concepts.get(current.broader)
        if len(chosen) == REASONS_SHOWN:
            break
    chosen = [c for c in chosen if c not in broader_of_shown]
    return {code: tuple(matcher.vocabulary.label(c, code) for c in chosen) for code in LANGUAGE_CODES}


def _similar(db: Session, query: similarity.Vector, viewer: User, exclude_id: int | None,
             matcher: ConceptMatcher) -> list[SimilarItem]:
    matches = similarity.rank(query, _candidates(db, viewer, exclude_id, matcher))
    models = {"roundtable": Roundtable, "forum_topic": RegionalForumTopic}
    return [SimilarItem(m.key[0], db.get(models[m.key[0]], m.key[1]), m.score, _reasons(m.shared, matcher))
            for m in matches]


def similar_items(db: Session, titles: Sequence[str], abstracts: Sequence[str], viewer: User,
                  exclude_id: int | None = None) -> list[SimilarItem]:
    """Existing roundtables and regional-forum topics that look like these texts, best first."""
    matcher = current_matcher(db)
    query = similarity.item_vector(similarity.Item("query", tuple(titles), tuple(abstracts)), matcher)
    return _similar(db, query, viewer, exclude_id, matcher)


def similar_to_roundtable(db: Session, roundtable: Roundtable, viewer: User) -> list[SimilarItem]:
    """What looks like this roundtable (itself excluded), from its stored features."""
    matcher = current_matcher(db)
    query = _vector(roundtable.similarity_vector, similarity.version_of(matcher), lambda: roundtable, matcher)
    return _similar(db, query, viewer, roundtable.id, matcher)
