"""The transparent score of an offer for a request: points per reason, every reason kept (pure).

Each criterion gives its points or none, and says so; the total is the sum, so the reasons shown
always add up to the score and justify the rank. Text similarity is computed by the finder given
(``similarity``: query texts and candidates' texts -> a score between 0 and 1 per candidate).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

SAME_AREA = 40
SAME_KIND = 25
COMMON_LANGUAGE = 15
SAME_REGION = 10
ANY_REGION = 5
PERIOD_OVERLAP = 10
PERIOD_OPEN = 5
MAX_TEXT = 20
TEXT_THRESHOLD = 0.05


@dataclass(frozen=True)
class Profile:
    """What the score looks at in a request or an offer."""

    key: object
    area: str
    kind: str
    languages: tuple[str, ...]
    region: str | None
    period_from: date | None = None
    period_to: date | None = None
    texts: tuple[str, ...] = ()
    organization: object = None


@dataclass(frozen=True)
class Reason:
    """One criterion: its code, the points it gave (0 when unmet) and the values it names."""

    code: str
    points: int
    params: Mapping[str, str] = field(default_factory=dict)

    def to_document(self) -> dict:
        """A JSON-ready form, stored with a proposed match."""
        return {"code": self.code, "points": self.points, "params": dict(self.params)}


@dataclass(frozen=True)
class Candidate:
    """An offer with its score and the reasons that make it."""

    key: object
    score: int
    reasons: tuple[Reason, ...]


Similarity = Callable[[Sequence[str], Mapping[object, Sequence[str]]], Mapping[object, float]]


def _period_reason(request: Profile, offer: Profile) -> Reason:
    if None in (request.period_from, request.period_to) and None in (offer.period_from, offer.period_to):
        return Reason("period_open", PERIOD_OPEN)
    start = max(d for d in (request.period_from, offer.period_from, date.min) if d is not None)
    end = min(d for d in (request.period_to, offer.period_to, date.max) if d is not None)
    return Reason("period_overlap", PERIOD_OVERLAP) if start <= end else Reason("period_apart", 0)


def reasons_for(request: Profile, offer: Profile, text_similarity: float) -> tuple[Reason, ...]:
    """Every criterion for this pair, with its points."""
    common = [code for code in request.languages if code in offer.languages]
    if offer.region is None:
        region = Reason("any_region", ANY_REGION)
    elif offer.region == request.region:
        region = Reason("same_region", SAME_REGION)
    else:
        region = Reason("other_region", 0)
    text_points = round(MAX_TEXT * min(1.0, max(0.0, text_similarity)))
    return (
        Reason("same_area", SAME_AREA) if offer.area == request.area else Reason("other_area", 0),
        Reason("same_kind", SAME_KIND) if offer.kind == request.kind else Reason("other_kind", 0),
        Reason("common_language", COMMON_LANGUAGE, {"languages": ", ".join(common)}) if common
        else Reason("no_common_language", 0),
        region,
        _period_reason(request, offer),
        Reason("similar_text", text_points, {"similarity": f"{text_similarity:.2f}"})
        if text_similarity >= TEXT_THRESHOLD and text_points else Reason("different_text", 0),
    )


def rank_offers(request: Profile, offers: Sequence[Profile], similarity: Similarity,
                limit: int = 20) -> list[Candidate]:
    """Offers that share at least the area or the kind, best first (ties: oldest first), at most ``limit``.

    Only those offers go to the similarity finder (the costly part), the others could not be candidates.
    """
    offers = [o for o in offers if (o.organization is None or o.organization != request.organization)
              and (o.area == request.area or o.kind == request.kind)]
    scores = similarity(request.texts, {o.key: o.texts for o in offers}) if offers else {}
    candidates = []
    for offer in offers:
        reasons = reasons_for(request, offer, float(scores.get(offer.key, 0.0)))
        candidates.append(Candidate(offer.key, sum(r.points for r in reasons), reasons))
    return sorted(candidates, key=lambda c: (-c.score, c.key))[:limit]
