"""The evaluation protocol of the duplicate finder on tests/data/similarity_eval.csv (pure, any finder).

Every topic has a title in English, French and Spanish, written as co-conveners would (not word for
word); ``near_miss`` topics are different topics that share words with the topic named in ``near``.

- Translation queries: for every ordered pair of languages (query, pool), each topic's title in the
  query language is compared with the titles of all topics in the pool language. A hit is the same
  topic as the best match, at or above the threshold.
- Same-language near-miss queries: each near-miss title against the titles of all other topics in its
  own language (where shared words weigh most).
- A false alarm is a query (of either kind) for which another topic reaches the threshold.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path

EVAL_FILE = Path(__file__).parent.parent / "data" / "similarity_eval.csv"
LANGUAGES = ("en", "fr", "es")

# score_pool(query_title, [(key, title), ...]) -> {key: score}
ScorePool = Callable[[str, Sequence[tuple[str, str]]], dict[str, float]]


@dataclass(frozen=True)
class Topic:
    """One row of the evaluation set."""

    key: str
    kind: str
    near: str
    titles: dict[str, str]


@dataclass
class Result:
    """Counts of one evaluation run, with the misses and false alarms for reading."""

    threshold: float
    translation_queries: int = 0
    hits: int = 0
    near_miss_queries: int = 0
    false_alarms: int = 0
    misses: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def queries(self) -> int:
        return self.translation_queries + self.near_miss_queries

    @property
    def recall(self) -> float:
        return self.hits / self.translation_queries

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.queries

    def summary(self) -> str:
        return (f"threshold {self.threshold:.2f}: recall {self.hits}/{self.translation_queries} = {self.recall:.1%}, "
                f"false alarms {self.false_alarms}/{self.queries} queries = {self.false_alarm_rate:.1%}")


def load_topics(path: Path = EVAL_FILE) -> list[Topic]:
    """The topics of the evaluation set."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [Topic(row["topic"], row["kind"], row["near"], {code: row[code] for code in LANGUAGES})
                for row in csv.DictReader(handle)]


def evaluate(score_pool: ScorePool, threshold: float, topics: Sequence[Topic] | None = None) -> Result:
    """Run both kinds of queries with ``score_pool`` and count hits and false alarms."""
    topics = list(topics or load_topics())
    result = Result(threshold)
    for query_language, pool_language in permutations(LANGUAGES, 2):
        pool = [(t.key, t.titles[pool_language]) for t in topics]
        for topic in topics:
            scores = score_pool(topic.titles[query_language], pool)
            best = max(scores, key=lambda key: scores[key])
            result.translation_queries += 1
            if best == topic.key and scores[best] >= threshold:
                result.hits += 1
            else:
                result.misses.append(f"{query_language}->{pool_language} {topic.titles[query_language]!r}: best "
                                     f"{best} {scores[best]:.2f}, own {scores[topic.key]:.2f}")
            _count_alarms(result, topic, scores, threshold, f"{query_language}->{pool_language}")
    for topic in (t for t in topics if t.kind == "near_miss"):
        for language in LANGUAGES:
            pool = [(t.key, t.titles[language]) for t in topics if t.key != topic.key]
            result.near_miss_queries += 1
            _count_alarms(result, topic, score_pool(topic.titles[language], pool), threshold, language)
    return result


def _count_alarms(result: Result, topic: Topic, scores: dict[str, float], threshold: float, label: str) -> None:
    others = {key: score for key, score in scores.items() if key != topic.key and score >= threshold}
    if others:
        result.false_alarms += 1
        worst = max(others, key=lambda key: others[key])
        result.alarms.append(f"{label} {topic.titles[label[:2]]!r} ~ {worst} {others[worst]:.2f}")
