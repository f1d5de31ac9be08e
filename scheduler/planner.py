"""Twin-session planner: the pair of UTC start times that gives every participant good local hours.

Objective, compared exactly (weights become integers after scaling by their common denominator):
  1. maximize the weight of participants with at least one session inside their local window;
  2. minimize the summed weighted discomfort of each participant's better session (the one that fits,
     then the one with fewer penalty-minutes);
  3. minimize |weight strictly preferring A - weight strictly preferring B|;
  4. earliest A, then latest B (spreads the sessions; for an empty input this gives the widest pair
     inside the interpreters' hours).
Rotation: with `previous_burden` (per region, mean penalty per minute last time), pairs whose uncovered
weight is within `tolerance_points` percentage points of the best are ranked first by the
previous-burden-weighted discomfort, then by the objective above.

Speed: participants are grouped by their zone's exact offset function over the candidate span (DST
included, evaluated at the actual instants), each group gets a fit/discomfort value per candidate start,
and criteria 1 and 2 fold into one integer per (group, start): weight * (BIG * does_not_fit + discomfort),
with BIG larger than any total discomfort. A pair's value is `sum(map(min, va, vb))`; its quotient by
BIG is the uncovered weight and its remainder the discomfort, so one pass over the pairs ranks both.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from scheduler.comfort import ComfortPolicy, validate_window, window_minutes
from scheduler.errors import PlanInputError
from scheduler.participants import (
    Participant,
    exact_weight,
    member_state_participants,
    validate_zone,
)
from scheduler.result import (
    LocalSession,
    PairSummary,
    ParticipantRow,
    PlanResult,
    Score,
    Session,
)
from scheduler.timeline import SessionFit, Timeline, build_timeline, from_minute, session_fit, to_minute

DEFAULT_REFERENCE_ZONE = "Europe/Zurich"
DEFAULT_WINDOW = (time(8, 0), time(20, 0))
DEFAULT_INTERPRETERS = (time(7, 0), time(22, 0))
# Pairs people pick without a planner, as wall times in the reference zone on the meeting date.
FIXED_PAIRS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(15, 0)),
    (time(8, 0), time(16, 0)),
    (time(7, 0), time(18, 0)),
)
MIN_YEAR, MAX_YEAR = 1980, 2200


@dataclass(frozen=True)
class PlanRequest:
    """All planner inputs; `date` is the meeting day in the reference zone.

    Session B may fall on the next reference day when `same_day` is False (A is always on `date`).
    Grid: wall times of the reference zone at multiples of `step_minutes` after midnight (a wall
    time skipped by DST is not a candidate; a repeated one means its first occurrence).
    """

    date: date
    duration_minutes: int = 180
    participants: tuple[Participant, ...] = field(default_factory=member_state_participants)
    reference_zone: str = DEFAULT_REFERENCE_ZONE
    window: tuple[time, time] = DEFAULT_WINDOW
    interpreters: tuple[time, time] = DEFAULT_INTERPRETERS
    comfort: ComfortPolicy = ComfortPolicy()
    min_gap_minutes: int = 60
    same_day: bool = True
    step_minutes: int = 15
    previous_burden: tuple[tuple[str, float | Fraction], ...] = ()
    tolerance_points: float | Fraction = 0


@dataclass(frozen=True)
class _Group:
    """Participants sharing one offset function: integer weight, rotation weight, member indexes."""

    timeline: Timeline
    weight: int
    rotation: int
    members: tuple[int, ...]


@dataclass(frozen=True)
class Problem:
    """A validated request prepared for evaluation: candidates, groups, scaled integer weights."""

    request: PlanRequest
    a_starts: tuple[int, ...]
    all_starts: tuple[int, ...]
    groups: tuple[_Group, ...]
    scale: int
    rotation_scale: int
    total: int
    window: tuple[int, int]
    prefix: tuple[int, ...]
    rotation: dict[str, Fraction] | None

    def metrics(self, start: int) -> tuple[SessionFit, ...]:
        """Fit and discomfort of a session starting at `start` for every group."""
        duration = self.request.duration_minutes
        return tuple(session_fit(g.timeline, start, duration, self.window, self.prefix) for g in self.groups)


def validate_request(request: PlanRequest) -> None:
    """Raise PlanInputError for any invalid input (codes in scheduler.errors)."""
    duration = request.duration_minutes
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        raise PlanInputError("bad_duration", duration=duration)
    step = request.step_minutes
    if isinstance(step, bool) or not isinstance(step, int) or step <= 0 or 60 % step:
        raise PlanInputError("bad_step", step=step)
    gap = request.min_gap_minutes
    if isinstance(gap, bool) or not isinstance(gap, int) or gap < 0:
        raise PlanInputError("bad_gap", gap=gap)
    if not MIN_YEAR <= request.date.year <= MAX_YEAR:
        raise PlanInputError("bad_date", date=request.date.isoformat())
    validate_zone(request.reference_zone)
    validate_window(request.window, "participants", duration)
    validate_window(request.interpreters, "interpreters", duration)
    request.comfort.validate()
    tolerance = request.tolerance_points
    try:
        tolerance_ok = 0 <= Fraction(str(tolerance)) <= 100
    except (ValueError, TypeError):
        tolerance_ok = False
    if not tolerance_ok:
        raise PlanInputError("bad_tolerance", value=tolerance)
    for participant in request.participants:
        validate_zone(participant.zone)
        exact_weight(participant.weight)
    for _region, burden in request.previous_burden:
        exact_weight(burden)


def wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall time on a day, or None if DST skips it (first occurrence if repeated)."""
    local = datetime.combine(day, wall, tzinfo=zone)
    instant = local.astimezone(UTC)
    back = instant.astimezone(zone)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def candidate_starts(request: PlanRequest) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """UTC minutes of grid starts fitting the interpreters' window: (on the meeting day, all days)."""
    zone = ZoneInfo(request.reference_zone)
    days = [request.date] if request.same_day else [request.date, request.date + timedelta(days=1)]
    instants: list[tuple[date, int]] = []
    for day in days:
        for minute in range(0, 1440, request.step_minutes):
            instant = wall_to_utc(day, time(minute // 60, minute % 60), zone)
            if instant is not None:
                instants.append((day, to_minute(instant)))
    if not instants:
        return (), ()
    first = min(m for _, m in instants)
    last = max(m for _, m in instants) + request.duration_minutes
    timeline = build_timeline(zone, first, last)
    window = window_minutes(request.interpreters)
    prefix = request.comfort.prefix()
    ok = [(day, m) for day, m in instants
          if session_fit(timeline, m, request.duration_minutes, window, prefix).fits]
    a_starts = tuple(sorted(m for day, m in ok if day == request.date))
    all_starts = tuple(sorted(m for _, m in ok))
    return a_starts, all_starts


def fixed_pair_starts(request: PlanRequest) -> list[tuple[str, int, int]]:
    """The fixed pairs as (name, A minute, B minute) on the meeting date."""
    zone = ZoneInfo(request.reference_zone)
    out = []
    for first, second in FIXED_PAIRS:
        a = datetime.combine(request.date, first, tzinfo=zone)
        b = datetime.combine(request.date, second, tzinfo=zone)
        name = f"{first.isoformat('minutes')}+{second.isoformat('minutes')}"
        out.append((name, to_minute(a), to_minute(b)))
    return out


def prepare(request: PlanRequest) -> Problem:
    """Validate and build candidates and participant groups."""
    validate_request(request)
    a_starts, all_starts = candidate_starts(request)
    fixed = fixed_pair_starts(request)
    instants = list(all_starts) + [m for _, a, b in fixed for m in (a, b)]
    first, last = min(instants), max(instants) + request.duration_minutes
    weights = [exact_weight(p.weight) for p in request.participants]
    scale = math.lcm(1, *(w.denominator for w in weights))
    rotation = None
    if request.previous_burden:
        rotation = {region: exact_weight(value) for region, value in request.previous_burden}
    rotation_scale = math.lcm(1, *(v.denominator for v in (rotation or {}).values()))
    by_timeline: dict[Timeline, list[int]] = {}
    timelines: dict[str, Timeline] = {}
    for index, participant in enumerate(request.participants):
        if participant.zone not in timelines:
            timelines[participant.zone] = build_timeline(ZoneInfo(participant.zone), first, last)
        by_timeline.setdefault(timelines[participant.zone], []).append(index)
    groups = []
    for timeline, members in by_timeline.items():
        weight = sum(int(weights[i] * scale) for i in members)
        burden = [(rotation or {}).get(request.participants[i].region or "", Fraction(0)) for i in members]
        rot = sum(int(weights[i] * scale * b * rotation_scale) for i, b in zip(members, burden, strict=True))
        groups.append(_Group(timeline, weight, rot, tuple(members)))
    return Problem(
        request=request,
        a_starts=a_starts,
        all_starts=all_starts,
        groups=tuple(groups),
        scale=scale,
        rotation_scale=rotation_scale,
        total=sum(g.weight for g in groups),
        window=window_minutes(request.window),
        prefix=request.comfort.prefix(),
        rotation=rotation,
    )


def score_pair(problem: Problem, first: tuple[SessionFit, ...], second: tuple[SessionFit, ...]) -> Score:
    """The exact Score of a pair from its per-group metrics."""
    covered = discomfort = prefer_a = prefer_b = rotation = 0
    for group, fa, fb in zip(problem.groups, first, second, strict=True):
        key_a, key_b = (not fa.fits, fa.discomfort), (not fb.fits, fb.discomfort)
        better = fb if key_b < key_a else fa
        if fa.fits or fb.fits:
            covered += group.weight
        discomfort += group.weight * better.discomfort
        rotation += group.rotation * better.discomfort
        if key_a < key_b:
            prefer_a += group.weight
        elif key_b < key_a:
            prefer_b += group.weight
    scale = problem.scale
    return Score(
        covered=Fraction(covered, scale),
        total=Fraction(problem.total, scale),
        discomfort=Fraction(discomfort, scale),
        imbalance=Fraction(abs(prefer_a - prefer_b), scale),
        rotation=None if problem.rotation is None else Fraction(rotation, scale * problem.rotation_scale),
    )


def _imbalance(va: tuple[int, ...], vb: tuple[int, ...], weights: tuple[int, ...]) -> int:
    """|weight with a strictly smaller A value - weight with a strictly smaller B value|."""
    balance = 0
    for x, y, w in zip(va, vb, weights, strict=True):
        if x < y:
            balance += w
        elif y < x:
            balance -= w
    return abs(balance)


def choose_pair(problem: Problem) -> tuple[int, int, int]:
    """The optimal (A minute, B minute) and the number of pairs considered."""
    request = problem.request
    duration, gap = request.duration_minutes, request.min_gap_minutes
    groups = [g for g in problem.groups if g.weight > 0]
    weights = tuple(g.weight for g in groups)
    max_discomfort = duration * max(request.comfort.penalties)
    big = problem.total * max_discomfort + 1
    vectors: dict[int, tuple[int, ...]] = {}
    discomforts: dict[int, tuple[int, ...]] = {}
    for start in problem.all_starts:
        fits = [session_fit(g.timeline, start, duration, problem.window, problem.prefix) for g in groups]
        vectors[start] = tuple(
            w * (big * (not f.fits) + f.discomfort) for w, f in zip(weights, fits, strict=True)
        )
        discomforts[start] = tuple(f.discomfort for f in fits)
    starts = problem.all_starts
    rotating = problem.rotation is not None
    best: int | None = None
    ties: list[tuple[int, int]] = []
    every: list[tuple[int, int, int]] = []
    considered = 0
    for a in problem.a_starts:
        va = vectors[a]
        for b in starts[bisect.bisect_left(starts, a + duration + gap):]:
            value = sum(map(min, va, vectors[b]))
            considered += 1
            if rotating:
                every.append((value, a, b))
            if best is None or value < best:
                best, ties = value, [(a, b)]
            elif value == best:
                ties.append((a, b))
    if best is None:
        raise PlanInputError("no_feasible_pair", duration=duration, gap=gap)
    if not rotating:
        a, b = min(ties, key=lambda p: (_imbalance(vectors[p[0]], vectors[p[1]], weights), p[0], -p[1]))
        return a, b, considered
    tolerance = Fraction(str(request.tolerance_points))
    limit = 100 * (best // big) * tolerance.denominator + tolerance.numerator * problem.total

    def rotation_cost(a: int, b: int) -> int:
        va, vb, da, db = vectors[a], vectors[b], discomforts[a], discomforts[b]
        return sum(g.rotation * (da[i] if va[i] <= vb[i] else db[i]) for i, g in enumerate(groups))

    eligible = [(value, a, b) for value, a, b in every
                if 100 * (value // big) * tolerance.denominator <= limit]
    ranked = min(
        eligible,
        key=lambda e: (rotation_cost(e[1], e[2]), e[0], _imbalance(vectors[e[1]], vectors[e[2]], weights),
                       e[1], -e[2]),
    )
    return ranked[1], ranked[2], considered


def _rows(problem: Problem, a: int, b: int) -> tuple[ParticipantRow, ...]:
    """Per-participant local view of the pair, in input order."""
    request = problem.request
    metrics_a, metrics_b = problem.metrics(a), problem.metrics(b)
    group_of = {i: k for k, g in enumerate(problem.groups) for i in g.members}
    start_a, start_b = from_minute(a), from_minute(b)
    rows = []
    for index, participant in enumerate(request.participants):
        zone = ZoneInfo(participant.zone)
        fa, fb = metrics_a[group_of[index]], metrics_b[group_of[index]]
        local_a, local_b = start_a.astimezone(zone), start_b.astimezone(zone)
        rows.append(ParticipantRow(
            participant=participant,
            a=LocalSession(local_a, (local_a.date() - request.date).days, fa.fits, fa.discomfort),
            b=LocalSession(local_b, (local_b.date() - request.date).days, fb.fits, fb.discomfort),
        ))
    return tuple(rows)


def _sessions(problem: Problem, a: int, b: int) -> tuple[Session, Session]:
    """The pair as two UTC sessions."""
    length = timedelta(minutes=problem.request.duration_minutes)
    return (Session("A", from_minute(a), from_minute(a) + length),
            Session("B", from_minute(b), from_minute(b) + length))


def evaluate_pair(problem: Problem, a: int, b: int) -> Score:
    """Score of any pair (on the grid or not) on the prepared inputs."""
    return score_pair(problem, problem.metrics(a), problem.metrics(b))


def plan(request: PlanRequest) -> PlanResult:
    """Plan the twin sessions for a request; raise PlanInputError on bad input."""
    problem = prepare(request)
    a, b, considered = choose_pair(problem)
    a_set, all_set = set(problem.a_starts), set(problem.all_starts)
    gap = request.duration_minutes + request.min_gap_minutes
    comparison = tuple(
        PairSummary(
            name=name,
            sessions=_sessions(problem, fa, fb),
            score=evaluate_pair(problem, fa, fb),
            feasible=fa in a_set and fb in all_set and fb >= fa + gap,
        )
        for name, fa, fb in fixed_pair_starts(request)
    )
    return PlanResult(
        meeting_date=request.date,
        reference_zone=request.reference_zone,
        duration_minutes=request.duration_minutes,
        step_minutes=request.step_minutes,
        window=request.window,
        interpreters=request.interpreters,
        sessions=_sessions(problem, a, b),
        score=evaluate_pair(problem, a, b),
        rows=_rows(problem, a, b),
        comparison=comparison,
        pairs_considered=considered,
        rotation=problem.rotation,
        tolerance_points=Fraction(str(request.tolerance_points)),
    )
