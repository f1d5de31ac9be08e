"""The trilingual vocabulary of asylum-system concepts: ``data/concepts.csv`` plus the secretariat's terms.

Each row of the CSV is a concept: an id, an optional broader concept, and English, French and
Spanish terms separated by ``|`` (variants, plurals, abbreviations; the first term of a language is
the concept's label in that language). Terms added later (stored by the application) are merged in
with :func:`build_vocabulary`; the vocabulary's ``fingerprint`` changes whenever its content does,
so anything computed from it can tell it is out of date.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

LANGUAGES = ("en", "fr", "es")
CONCEPTS_FILE = "concepts.csv"


@dataclass(frozen=True)
class Concept:
    """A concept: its id, its broader concept (or ""), and its terms per language (label first)."""

    id: str
    broader: str
    terms: dict[str, tuple[str, ...]]

    def label(self, language: str) -> str:
        """The concept's name in ``language`` (else English, else any language, else its id)."""
        for code in (language, "en", *LANGUAGES):
            if self.terms.get(code):
                return self.terms[code][0]
        return self.id


@dataclass(frozen=True)
class ExtraTerm:
    """A term added to a concept (existing or new) outside the CSV."""

    concept_id: str
    language: str
    term: str


@dataclass(frozen=True)
class Vocabulary:
    """Concepts by id and a fingerprint of everything they contain."""

    concepts: dict[str, Concept]
    fingerprint: str
    extra_terms: tuple[ExtraTerm, ...] = field(default=())

    def label(self, concept_id: str, language: str) -> str:
        """The label of a concept in ``language`` (its id when unknown)."""
        concept = self.concepts.get(concept_id)
        return concept.label(language) if concept else concept_id


def split_terms(cell: str) -> tuple[str, ...]:
    """The ``|``-separated terms of a CSV cell, trimmed, without blanks or repeats (order kept)."""
    seen: dict[str, None] = {}
    for term in (cell or "").split("|"):
        term = " ".join(term.split())
        if term:
            seen.setdefault(term, None)
    return tuple(seen)


@lru_cache(maxsize=1)
def _packaged_csv() -> str:
    return resources.files("meetings.topics").joinpath("data", CONCEPTS_FILE).read_text(encoding="utf-8")


def parse_concepts(text: str) -> dict[str, Concept]:
    """Concepts from CSV text (columns id, broader, en, fr, es)."""
    concepts = {}
    for row in csv.DictReader(io.StringIO(text)):
        concept_id = (row.get("id") or "").strip()
        if concept_id:
            concepts[concept_id] = Concept(concept_id, (row.get("broader") or "").strip(),
                                           {code: split_terms(row.get(code, "")) for code in LANGUAGES})
    return concepts


def build_vocabulary(extra_terms: Iterable[ExtraTerm] = (), csv_text: str | None = None) -> Vocabulary:
    """The packaged concepts (or ``csv_text``) with ``extra_terms`` appended to their concepts."""
    text = _packaged_csv() if csv_text is None else csv_text
    concepts = parse_concepts(text)
    extras = tuple(sorted(set(extra_terms), key=lambda e: (e.concept_id, e.language, e.term)))
    for extra in extras:
        concept = concepts.get(extra.concept_id) or Concept(extra.concept_id, "", {c: () for c in LANGUAGES})
        terms = dict(concept.terms)
        if extra.term not in terms.get(extra.language, ()):
            terms[extra.language] = (*terms.get(extra.language, ()), extra.term)
        concepts[extra.concept_id] = Concept(concept.id, concept.broader, terms)
    digest = hashlib.sha256(text.encode())
    for extra in extras:
        digest.update(f"\n{extra.concept_id}\t{extra.language}\t{extra.term}".encode())
    return Vocabulary(concepts, digest.hexdigest()[:16], extras)


@lru_cache(maxsize=1)
def packaged_vocabulary() -> Vocabulary:
    """The vocabulary of the CSV alone."""
    return build_vocabulary()
