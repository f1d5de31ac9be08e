"""The duplicate finder on its evaluation set: recall of translations and false alarms at the threshold.

The set (tests/data/similarity_eval.csv) and the protocol (tests/similarity_evaluation.py) are described
there. Before concepts, the word-piece finder scored recall 56.4% and false alarms 17.1% on this set.
"""

from __future__ import annotations

from support.similarity_evaluation import evaluate, load_topics

from meetings.core import similarity

RECALL_TARGET = 0.95
FALSE_ALARM_LIMIT = 0.05


def _score_pool():
    cache: dict[str, similarity.Vector] = {}

    def vector(text: str) -> similarity.Vector:
        if text not in cache:
            cache[text] = similarity.item_vector(similarity.Item(None, (text,)))
        return cache[text]

    def score_pool(query, pool):
        matches = similarity.rank(vector(query), [(key, vector(text)) for key, text in pool], threshold=-1,
                                  limit=len(pool))
        return {m.key: m.score for m in matches}

    return score_pool


def test_the_set_has_real_translations_and_near_misses():
    topics = load_topics()
    keys = {t.key for t in topics}
    assert len(topics) >= 60 + 15 and len(keys) == len(topics)
    near_misses = [t for t in topics if t.kind == "near_miss"]
    assert len(near_misses) >= 15 and all(t.near in keys for t in near_misses)
    assert all(len(set(t.titles.values())) == 3 for t in topics)  # three different titles, never a copy


def test_recall_and_false_alarms_at_the_threshold():
    result = evaluate(_score_pool(), similarity.THRESHOLD)
    print(result.summary())
    for line in result.misses + result.alarms:
        print("  ", line)
    assert result.recall >= RECALL_TARGET
    assert result.false_alarm_rate <= FALSE_ALARM_LIMIT


def test_the_threshold_sits_inside_a_plateau_not_on_an_edge():
    score_pool = _score_pool()
    for threshold in (similarity.THRESHOLD - 0.05, similarity.THRESHOLD + 0.05):
        result = evaluate(score_pool, threshold)
        print(result.summary())
        assert result.recall >= RECALL_TARGET and result.false_alarm_rate <= FALSE_ALARM_LIMIT
