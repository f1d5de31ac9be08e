"""Text similarity of a request and offers, through the duplicate finder roundtables use too (one plug-in point)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from meetings.core import similarity


def similarity_scores(query: Sequence[str], candidates: Mapping[object, Sequence[str]]) -> dict[object, float]:
    """The finder's score (0 to 1, across en/fr/es) of each candidate's texts against the query's."""
    if not candidates:
        return {}
    items = [similarity.Item(key, tuple(texts[:1]), tuple(texts[1:])) for key, texts in candidates.items()]
    found = similarity.find_similar(similarity.Item("query", tuple(query[:1]), tuple(query[1:])), items,
                                    threshold=0.0, limit=len(items))
    return {match.key: match.score for match in found}
