"""Duplicate finder: asylum-system concepts and character n-grams of all three languages (pure).

Two kinds of features describe an item (titles count twice, abstracts once, every language):

- concepts: :class:`meetings.topics.matching.ConceptMatcher` maps the texts to concept ids of the
  trilingual vocabulary, so "Repérage des vulnérabilités" and "Detección de vulnerabilidades" meet
  although they share few letters. Weighted by sublinear TF and the smoothed IDF over the compared
  collection (a concept every proposal mentions tells little).
- word pieces: each meaningful word (folded, no stop words, no words every ACSG topic shares) gives
  its 3- and 4-letter pieces with boundaries and itself ("biometric" / "biométrique" / "biométrico").
  Weighted by sublinear TF and a fixed IDF learnt from the vocabulary's terms (pieces common in the
  language of asylum, "tion", "<pro", weigh little); the ``MAX_GRAMS`` heaviest are kept.

The score is the cosine of the two blocks side by side, the concept block weighing ``CONCEPT_WEIGHT``
times the piece block: identical texts score 1, texts sharing nothing 0; an item without any concept
is compared on its pieces alone. Items with abstracts are also compared on their titles alone, and
the better score counts: the threshold is set on titles, and long abstracts that mention many other
concepts do not hide a proposal whose title is a regional-forum topic. An item's features are
computed once (:func:`item_vector`) and stored; a check only ranks stored vectors (:func:`rank`).

Weights and threshold come from the evaluation set (tests/data/similarity_eval.csv, 86 topics in
three languages of which 19 near-misses; protocol in tests/similarity_evaluation.py): 516 translation
queries and 57 same-language near-miss queries. The old finder (pieces only, threshold 0.20) found
56.4% of the translations with false alarms on 17.1% of the queries. On a grid of CONCEPT_WEIGHT in
{1, 2, 3, 4}, broader-concept weight in {0, 0.25, 0.5} and thresholds 0.35-0.60 by 0.05, weight 2 with
broader weight 0.5 meets both targets (recall >= 95%, false alarms <= 5%) for every threshold from 0.50
to 0.60 (99.2%/3.0% at 0.50, 98.8%/0.3% at 0.55, 98.8%/0% at 0.60), and so do its neighbours
(weight 3, broader weight 0.25) at 0.55: the threshold is the middle of that plateau, not an edge
tuned to single titles. A concept weight of 1 lets shared word pieces decide (recall falls below
93% at 0.50); weights of 3-4 make two topics sharing one concept alarm at 0.45-0.50.
"""

from __future__ import annotations

import base64
import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from meetings.topics.matching import ConceptMatcher
from meetings.topics.text import fold
from meetings.topics.vocabulary import packaged_vocabulary

THRESHOLD = 0.55
CONCEPT_WEIGHT = 2.0
NGRAM_SIZES = (3, 4)
MIN_WORD = 3
MAX_GRAMS = 200
ALGORITHM = "c1"
PACK_SCALE = 65535
UNPACK_SCALE = 1 / PACK_SCALE

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being between both
but by can could did do does doing down during each few for from further had has have having he her here hers
how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
over own same she should so some such than that the their theirs them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your
across among within without towards new how using use used based need needs way ways share shared
au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur leurs lui ma mais me meme
mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos
votre vous ete etre avoir fait faire comme plus moins entre sans sous vers chez afin ainsi dont tout tous toute
toutes autre autres lors leur selon partage partager
al algo algunas algunos ante antes como con contra cual cuando del desde donde durante el ella ellas ellos
en entre era es esa esas ese eso esos esta estas este esto estos fue ha hay la las le les lo los mas mi mis
muy nos o otra otras otro otros para pero por que quien se sin sobre su sus tambien te tu un una unas uno unos
y ya mediante hacia segun cada compartir
""".split())
# Words every proposal on the Dialogue Platform shares: they tell nothing about the topic.
DOMAIN_WORDS = frozenset("""
asylum asile asilo capacity capacities capacite capacites capacidad capacidades refugee refugees refugie
refugies refugiado refugiados roundtable roundtables table tables ronde rondes mesa mesas redonda redondas
dialogue dialogues dialogo dialogos technical technique techniques tecnico tecnicos tecnica tecnicas acsg
unhcr hcr acnur regional regionale regionales regionaux region regions forum forums foro foros
""".split())


@dataclass(frozen=True)
class Item:
    """Something to compare: a key the caller understands, its titles and its abstracts (any language)."""

    key: object
    titles: tuple[str, ...]
    abstracts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """A candidate that looks like the query: its score and the concepts both share (strongest first)."""

    key: object
    score: float
    shared: tuple[str, ...] = ()


def pack(grams: Mapping[str, float]) -> str:
    """Unit piece weights as text: the pieces, a tab, then the weights as base64 16-bit fractions of 1."""
    weights = array("H", (min(PACK_SCALE, round(w * PACK_SCALE)) for w in grams.values()))
    return " ".join(grams) + "\t" + base64.b64encode(weights.tobytes()).decode("ascii")


def unpack(text: str) -> dict[str, float]:
    """The piece weights :func:`pack` wrote."""
    if not text:
        return {}
    keys, _, packed = text.partition("\t")
    weights = array("H")
    weights.frombytes(base64.b64decode(packed))
    return dict(zip(keys.split(" "), map(UNPACK_SCALE.__mul__, weights), strict=True))


class Vector:
    """Stored features of an item (all texts; titles alone when it has abstracts) and their version."""
    # ``concepts`` hold sublinear TF weights (the IDF depends on the compared collection); ``grams`` are
    # unit vectors of weighted word pieces, unpacked from storage only when a comparison needs them.

    __slots__ = ("concepts", "version", "title_concepts", "_grams", "_title_grams")

    def __init__(self, concepts: Mapping[str, float], grams: Mapping[str, float] | str, version: str = "",
                 title_concepts: Mapping[str, float] | None = None,
                 title_grams: Mapping[str, float] | str | None = None) -> None:
        self.concepts = concepts
        self.version = version
        self.title_concepts = title_concepts
        self._grams = grams
        self._title_grams = title_grams

    @property
    def grams(self) -> Mapping[str, float]:
        """Unit piece weights of all texts."""
        if isinstance(self._grams, str):
            self._grams = unpack(self._grams)
        return self._grams

    @property
    def has_titles(self) -> bool:
        """Whether the titles alone have their own features (the item has abstracts)."""
        return self._title_grams is not None

    @property
    def title_grams(self) -> Mapping[str, float] | None:
        """Unit piece weights of the titles alone (None when the item has no abstract)."""
        if isinstance(self._title_grams, str):
            self._title_grams = unpack(self._title_grams)
        return self._title_grams

    def to_json(self) -> dict:
        """A compact JSON document for the database (pieces packed: a check reads hundreds of them)."""
        document = {"v": self.version, "c": dict(self.concepts), "g": pack(self.grams)}
        if self.has_titles:
            document.update(tc=dict(self.title_concepts or {}), tg=pack(self.title_grams))
        return document

    @classmethod
    def from_json(cls, document: object) -> Vector | None:
        """The vector stored by :meth:`to_json` (None for anything else)."""
        if not isinstance(document, dict) or not isinstance(document.get("c"), dict):
            return None
        grams, title_grams = document.get("g") or "", document.get("tg")
        if not isinstance(grams, str) or not isinstance(title_grams, str | None):
            return None
        return cls(document["c"], grams, str(document.get("v", "")), document.get("tc") or {}, title_grams)

    def blocks(self, titles: bool) -> tuple[Mapping[str, float], Callable[[], Mapping[str, float]], bool]:
        """Concepts, a getter of the pieces, and whether there are pieces, of all texts or of the titles."""
        if titles and self.has_titles:
            return self.title_concepts or {}, lambda: self.title_grams, bool(self._title_grams)
        return self.concepts, lambda: self.grams, bool(self._grams)


def version_of(matcher: ConceptMatcher) -> str:
    """What a stored vector must carry to be current with ``matcher``."""
    return f"{ALGORITHM}:{matcher.fingerprint}"


def words(text: str) -> list[str]:
    """The meaningful words of ``text`` (folded, no stop words, no domain words, no short tokens)."""
    return [w for w in re.findall(r"[a-z0-9]+", fold(text))
            if len(w) >= MIN_WORD and w not in STOPWORDS and w not in DOMAIN_WORDS and not w.isdigit()]


def features(text: str) -> Counter:
    """Counts of the word pieces (3- and 4-grams with boundaries) and whole words of ``text``."""
    counts: Counter = Counter()
    for word in words(text):
        counts.update(_pieces(word))
    return counts


@lru_cache(maxsize=65536)
def _pieces(word: str) -> tuple[str, ...]:
    """The word itself and its 3- and 4-letter pieces with boundaries (words repeat: computed once each)."""
    padded = f"<{word}>"
    return (f"w:{word}", *(padded[start:start + size] for size in NGRAM_SIZES
                           for start in range(len(padded) - size + 1)))


@lru_cache(maxsize=1)
def piece_idf() -> tuple[dict[str, float], float]:
    """Smoothed IDF of word pieces over the concepts of the packaged vocabulary, and the IDF of unseen ones."""
    concepts = packaged_vocabulary().concepts.values()
    frequency: Counter = Counter()
    for concept in concepts:
        text = " ".join(term for terms in concept.terms.values() for term in terms)
        frequency.update(features(text).keys())
    documents = len(concepts)
    return ({key: math.log((1 + documents) / (1 + df)) + 1 for key, df in frequency.items()},
            math.log(1 + documents) + 1)


@lru_cache(maxsize=1)
def default_matcher() -> ConceptMatcher:
    """A matcher of the packaged vocabulary (without terms added by the secretariat)."""
    return ConceptMatcher(packaged_vocabulary())


def _sublinear(value: float) -> float:
    return 1 + math.log(value) if value >= 1 else value


def _texts_features(texts: Iterable[tuple[int, str]], matcher: ConceptMatcher) -> tuple[dict, dict]:
    """Concept weights and unit piece weights (at most ``MAX_GRAMS``) of weighted texts."""
    concepts: Counter = Counter()
    grams: Counter = Counter()
    for weight, text in texts:
        if not text:
            continue
        for key, value in matcher.concepts(text).items():
            concepts[key] += weight * value
        for key, value in features(text).items():
            grams[key] += weight * value
    idf, unseen = piece_idf()
    weighted = sorted(((_sublinear(v) * idf.get(k, unseen), k) for k, v in grams.items()), reverse=True)
    weighted = weighted[:MAX_GRAMS]
    norm = math.sqrt(sum(w * w for w, _ in weighted))
    return ({k: round(_sublinear(v), 4) for k, v in concepts.items()},
            {k: round(w / norm, 4) for w, k in weighted} if norm else {})


def item_vector(item: Item, matcher: ConceptMatcher | None = None) -> Vector:
    """The features of every language of an item (titles counted twice), and of its titles alone."""
    matcher = matcher or default_matcher()
    titles = [(2, text) for text in item.titles]
    concepts, grams = _texts_features([*titles, *((1, text) for text in item.abstracts)], matcher)
    if not any(item.abstracts):
        return Vector(concepts, grams, version_of(matcher))
    title_concepts, title_grams = _texts_features(titles, matcher)
    return Vector(concepts, grams, version_of(matcher), title_concepts, title_grams)


def cosine(left: Mapping[str, float], right: Mapping[str, float]) -> float:
    """Dot product of two unit vectors (over the keys both have, intersected in C)."""
    return sum(left[key] * right[key] for key in left.keys() & right.keys())


def _concept_unit(concepts: Mapping[str, float], idf: Mapping[str, float]) -> dict[str, float]:
    weighted = {key: value * idf[key] for key, value in concepts.items()}
    norm = math.sqrt(sum(v * v for v in weighted.values()))
    return {k: v / norm for k, v in weighted.items()} if norm else {}


def _blocks(has_concepts: bool, has_grams: bool) -> tuple[float, float]:
    """Weights of the concept and piece blocks of one vector (their squares add up to 1)."""
    if has_concepts and has_grams:
        scale = math.sqrt(1 + CONCEPT_WEIGHT ** 2)
        return CONCEPT_WEIGHT / scale, 1 / scale
    return (1.0, 0.0) if has_concepts else (0.0, 1.0)


def _score(query: tuple[dict[str, float], Callable[[], Mapping[str, float]], bool], candidate: Vector,
           titles: bool, idf: Mapping[str, float], threshold: float) -> tuple[float, dict[str, float]]:
    """Score of the query's (unit concepts, pieces, has pieces) against an item, and each shared concept's part."""
    # The pieces are compared only when the concepts leave the threshold within reach (their part is
    # at most the product of the piece blocks' weights): most candidates are never unpacked.
    query_units, query_grams, query_has_grams = query
    concepts, candidate_grams, candidate_has_grams = candidate.blocks(titles)
    common = query_units.keys() & concepts.keys()
    score, shared = 0.0, {}
    query_blocks = _blocks(bool(query_units), query_has_grams)
    blocks = _blocks(bool(concepts), candidate_has_grams)
    if common:
        norm = math.sqrt(sum((value * idf[key]) ** 2 for key, value in concepts.items()))
        part = query_blocks[0] * blocks[0] / norm
        shared = {c: part * query_units[c] * concepts[c] * idf[c] for c in common}
        score = sum(shared.values())
    piece_part = query_blocks[1] * blocks[1]
    if piece_part and score + piece_part >= threshold:
        score += piece_part * cosine(query_grams(), candidate_grams())
    return score, shared


def rank(query: Vector, candidates: Sequence[tuple[object, Vector]], *, threshold: float = THRESHOLD,
         limit: int = 10) -> list[Match]:
    """Candidates whose score (all texts, or titles alone if better) reaches ``threshold``, best first."""
    documents = 1 + len(candidates)
    frequency: Counter = Counter(query.concepts.keys())
    for _, vector in candidates:
        frequency.update(vector.concepts.keys())
    idf = {key: math.log((1 + documents) / (1 + df)) + 1 for key, df in frequency.items()}
    sides = {}
    for titles in (False, True):
        concepts, grams, has_grams = query.blocks(titles)
        sides[titles] = (_concept_unit(concepts, idf), grams, has_grams)
    scored = []
    for key, vector in candidates:
        score, shared = _score(sides[False], vector, False, idf, threshold)
        if query.has_titles or vector.has_titles:
            title_score, title_shared = _score(sides[True], vector, True, idf, threshold)
            if title_score > score:
                score, shared = title_score, title_shared
        score = round(min(score, 1.0), 3)
        if score >= threshold:
            scored.append(Match(key, score, tuple(sorted(shared, key=lambda c: (-shared[c], c)))))
    return sorted(scored, key=lambda m: -m.score)[:limit]


def find_similar(query: Item, candidates: Iterable[Item], *, threshold: float = THRESHOLD, limit: int = 10,
                 matcher: ConceptMatcher | None = None) -> list[Match]:
    """Candidates whose score against ``query`` reaches ``threshold``, best first (at most ``limit``)."""
    matcher = matcher or default_matcher()
    return rank(item_vector(query, matcher), [(c.key, item_vector(c, matcher)) for c in candidates],
                threshold=threshold, limit=limit)
