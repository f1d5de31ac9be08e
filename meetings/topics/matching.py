"""Map a text to the concepts it speaks about, in any of the three languages (pure).

Terms and texts go through the same normalization (:mod:`meetings.topics.text`): accents, case,
elision, plurals and gender endings do not matter. A term of several words matches when all its
words occur close together in any order ("border procedure", "procedure at the border",
"procédure d'asile à la frontière"), with at most ``SLACK`` other words among them. A term whose words
all belong to a longer term found is not counted ("enregistrement vidéo" is a recording, not a
registration).
A concept found also counts, at ``BROADER_WEIGHT``, for its broader concept, and so on up.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from meetings.topics.text import stems
from meetings.topics.vocabulary import LANGUAGES, Vocabulary

SLACK = 1
BROADER_WEIGHT = 0.5
BROADER_LEVELS = 2


@dataclass(frozen=True)
class Found:
    """One concept found in a text and the words (positions) that showed it."""

    concept_id: str
    positions: tuple[int, ...]


class ConceptMatcher:
    """An index of a vocabulary's terms by their first word, for matching texts."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        by_term: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for concept in vocabulary.concepts.values():
            for code in LANGUAGES:
                for term in concept.terms.get(code, ()):
                    key = tuple(stems(term))
                    if key:
                        by_term[key].add(concept.id)
        self._anchors: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = defaultdict(list)
        for key, concept_ids in by_term.items():
            self._anchors[key[0]].append((key, tuple(sorted(concept_ids))))
        self._broader = {c.id: c.broader for c in vocabulary.concepts.values()
                         if c.broader and c.broader in vocabulary.concepts}

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the vocabulary this matcher was built from."""
        return self.vocabulary.fingerprint

    def find(self, text: str) -> list[Found]:
        """The concepts ``text`` mentions; a term found inside a longer term found is not counted."""
        words = stems(text)
        where: dict[str, list[int]] = defaultdict(list)
        for index, word in enumerate(words):
            where[word].append(index)
        candidates = []
        for index, word in enumerate(words):
            for key, concept_ids in self._anchors.get(word, ()):
                if len(key) > 1 and not all(other in where for other in key[1:]):
                    continue
                positions = self._place(key, index, where)
                if positions is not None:
                    candidates.append((positions, concept_ids))
        candidates.sort(key=lambda c: (-len(c[0]), c[0]))
        accepted: list[frozenset[int]] = []
        found = []
        for positions, concept_ids in candidates:
            words_here = frozenset(positions)
            if any(words_here <= longer for longer in accepted):
                continue
            accepted.append(words_here)
            found.extend(Found(concept_id, positions) for concept_id in concept_ids)
        return found

    @staticmethod
    def _place(key: tuple[str, ...], anchor: int, where: dict[str, list[int]]) -> tuple[int, ...] | None:
        """Positions of the words of ``key`` around ``anchor`` (any order, within the term's span)."""
        if len(key) == 1:
            return (anchor,)
        span = len(key) - 1 + SLACK
        used = {anchor}
        for word in key[1:]:
            position = next((p for p in where.get(word, ()) if abs(p - anchor) <= span and p not in used), None)
            if position is None:
                return None
            used.add(position)
        if max(used) - min(used) > span:
            return None
        return tuple(sorted(used))

    def concepts(self, text: str) -> Counter:
        """How often each concept is mentioned in ``text``, broader concepts included at lower weight."""
        return self.weigh(found.concept_id for found in self.find(text))

    def weigh(self, concept_ids: Iterable[str]) -> Counter:
        """Counts of concept ids, each also adding ``BROADER_WEIGHT`` (halved per level) to its broader ones."""
        counts: Counter = Counter()
        for concept_id in concept_ids:
            counts[concept_id] += 1
            weight, current = BROADER_WEIGHT, concept_id
            for _ in range(BROADER_LEVELS):
                current = self._broader.get(current, "")
                if not current or weight <= 0:
                    break
                counts[current] += weight
                weight /= 2
        return counts
