"""The duplicate finder before concepts (character n-grams, recomputed on every page): the baseline."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

THRESHOLD = 0.2
NGRAM_SIZES = (3, 4)
MIN_WORD = 3

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
    """A candidate that looks like the query, with its cosine score."""

    key: object
    score: float


def fold(text: str) -> str:
    """Lower case without accents ("Réfugiés" -> "refugies")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The meaningful words of ``text`` (folded, no stop words, no domain words, no short tokens)."""
    return [w for w in re.findall(r"[a-z0-9]+", fold(text))
            if len(w) >= MIN_WORD and w not in STOPWORDS and w not in DOMAIN_WORDS and not w.isdigit()]


def features(text: str) -> Counter:
    """Counts of the word pieces (3- and 4-grams with boundaries) and whole words of ``text``."""
    counts: Counter = Counter()
    for word in words(text):
        counts[f"w:{word}"] += 1
        padded = f"<{word}>"
        for size in NGRAM_SIZES:
            for start in range(len(padded) - size + 1):
                counts[padded[start:start + size]] += 1
    return counts


def item_features(item: Item) -> Counter:
    """Features of every language of an item, titles counted twice."""
    counts: Counter = Counter()
    for title in item.titles:
        for key, value in features(title).items():
            counts[key] += 2 * value
    for abstract in item.abstracts:
        counts.update(features(abstract))
    return counts


def _vectors(collection: Sequence[Counter]) -> list[dict[str, float]]:
    """Unit TF-IDF vectors (sublinear TF, smoothed IDF) of a collection of feature counts."""
    documents = len(collection)
    frequency: Counter = Counter()
    for counts in collection:
        frequency.update(counts.keys())
    vectors = []
    for counts in collection:
        vector = {key: (1 + math.log(value)) * (math.log((1 + documents) / (1 + frequency[key])) + 1)
                  for key, value in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        vectors.append({k: v / norm for k, v in vector.items()} if norm else {})
    return vectors


def cosine(left: dict[str, float], right: dict[str, float]) -> float:
    """Cosine of two unit vectors."""
    if len(left) > len(right):
        left, right = right, left
    return sum(value * right.get(key, 0.0) for key, value in left.items())


def find_similar(query: Item, candidates: Iterable[Item], *, threshold: float = THRESHOLD,
                 limit: int = 10) -> list[Match]:
    """Candidates whose score against ``query`` reaches ``threshold``, best first (at most ``limit``)."""
    candidates = list(candidates)
    vectors = _vectors([item_features(query), *(item_features(c) for c in candidates)])
    scored = [Match(c.key, round(cosine(vectors[0], v), 3)) for c, v in zip(candidates, vectors[1:], strict=True)]
    return sorted((m for m in scored if m.score >= threshold), key=lambda m: -m.score)[:limit]
