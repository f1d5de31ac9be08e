"""Slow, obviously-correct exhaustive planner: the yardstick for tests and the benchmark.

It shares only the input and output types with scheduler.planner: candidates come from a plain loop
over wall times, every participant is looked at one by one with zoneinfo conversions, discomfort is
summed minute by minute, weights stay Fractions, and every feasible pair is scored and sorted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from scheduler.errors import PlanInputError
from scheduler.planner import PlanRequest, validate_request
from scheduler.result import Score


@dataclass(frozen=True)
class ReferenceChoice:
    """The exhaustive answer: the pair, its score, and how many pairs were scored."""

    a: datetime
    b: datetime
    score: Score
    pairs: int


def _grid(request: PlanRequest) -> list[tuple[date, datetime]]:
    """(reference day, UTC start) of every grid wall time whose session fits the interpreters' hours."""
    zone = ZoneInfo(request.reference_zone)
    days = [request.date] if request.same_day else [request.date, request.date + timedelta(days=1)]
    length = timedelta(minutes=request.duration_minutes)
    out = []
    for day in days:
        for minute in range(0, 24 * 60, request.step_minutes):
            wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
            start = wall.astimezone(UTC)
            if start.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
                continue  # skipped by a DST change
            if _fits(start, start + length, zone, request.interpreters):
                out.append((day, start))
    return out


def _fits(start: datetime, end: datetime, zone: ZoneInfo, window: tuple[time, time]) -> bool:
    """Both ends on the same local date, inside the window."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return (
        local_start.date() == local_end.date()
        and window[0] <= local_start.time().replace(tzinfo=None)
        and local_end.time().replace(tzinfo=None) <= window[1]
    )


def _discomfort(start: datetime, minutes: int, zone: ZoneInfo, penalties: tuple[int, ...]) -> int:
    """Penalty of the local hour of every elapsed minute, summed."""
    return sum(penalties[(start + timedelta(minutes=m)).astimezone(zone).hour] for m in range(minutes))


def _fraction(value: float | int | Fraction | str) -> Fraction:
    """An exact number; floats by their shortest decimal form, as users typed them."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def plan_exhaustive(request: PlanRequest) -> ReferenceChoice:
    """Score every feasible pair and return the best one by the planner's documented order."""
    validate_request(request)
    length = timedelta(minutes=request.duration_minutes)
    gap = timedelta(minutes=request.min_gap_minutes)
    grid = _grid(request)
    pairs = [(a, b) for day, a in grid if day == request.date for _, b in grid if b >= a + length + gap]
    if not pairs:
        raise PlanInputError("no_feasible_pair", duration=request.duration_minutes,
                             gap=request.min_gap_minutes)
    people = [(ZoneInfo(p.zone), _fraction(p.weight), p.region) for p in request.participants]
    burden = {region: _fraction(value) for region, value in request.previous_burden}
    memo: dict[tuple[int, datetime], tuple[bool, int]] = {}

    def look(index: int, start: datetime) -> tuple[bool, int]:
        if (index, start) not in memo:
            zone = people[index][0]
            memo[index, start] = (
                _fits(start, start + length, zone, request.window),
                _discomfort(start, request.duration_minutes, zone, request.comfort.penalties),
            )
        return memo[index, start]

    total = sum((w for _, w, _ in people), Fraction(0))
    scored = []
    for a, b in pairs:
        covered = discomfort = rotation = prefer_a = prefer_b = Fraction(0)
        for index, (_zone, weight, region) in enumerate(people):
            fits_a, pain_a = look(index, a)
            fits_b, pain_b = look(index, b)
            key_a, key_b = (not fits_a, pain_a), (not fits_b, pain_b)
            if fits_a or fits_b:
                covered += weight
            better = pain_b if key_b < key_a else pain_a
            discomfort += weight * better
            rotation += weight * burden.get(region or "", Fraction(0)) * better
            if key_a < key_b:
                prefer_a += weight
            elif key_b < key_a:
                prefer_b += weight
        score = Score(covered, total, discomfort, abs(prefer_a - prefer_b),
                      rotation if request.previous_burden else None)
        scored.append((score, a, b))
    if request.previous_burden:
        best = max(score.covered for score, _, _ in scored)
        tolerance = Fraction(str(request.tolerance_points))
        scored = [e for e in scored if (best - e[0].covered) * 100 <= tolerance * total]
        scored.sort(key=lambda e: (e[0].rotation, -e[0].covered, e[0].discomfort, e[0].imbalance,
                                   e[1], -e[2].timestamp()))
    else:
        scored.sort(key=lambda e: (-e[0].covered, e[0].discomfort, e[0].imbalance, e[1], -e[2].timestamp()))
    score, a, b = scored[0]
    return ReferenceChoice(a, b, score, len(pairs))
