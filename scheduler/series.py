"""A year's two global meetings: dates clear of weekends and blackouts, each with its twin sessions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from scheduler.errors import PlanInputError
from scheduler.planner import PlanRequest, plan
from scheduler.result import PlanResult

WEDNESDAY = 2


@dataclass(frozen=True)
class SeriesMeeting:
    """One global meeting of the series: half of the year (1 or 2), date and plan."""

    half: int
    date: date
    plan: PlanResult


def third_wednesday(year: int, month: int) -> date:
    """The third Wednesday of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(WEDNESDAY - first.weekday()) % 7 + 14)


def nearest_free_day(target: date, first: date, last: date, blocked: set[date], span: int = 1) -> date | None:
    """The weekday nearest to target (later first on ties) within [first, last] whose `span` days are free."""
    for distance in range((last - first).days + 1):
        for candidate in (target + timedelta(days=distance), target - timedelta(days=distance)):
            days = [candidate + timedelta(days=i) for i in range(span)]
            if first <= candidate and days[-1] <= last and all(
                d.weekday() < 5 and d not in blocked for d in days
            ):
                return candidate
    return None


def suggest_series(
    year: int,
    blackout_dates: Iterable[date] = (),
    *,
    request: PlanRequest | None = None,
    targets: tuple[date, date] | None = None,
) -> tuple[SeriesMeeting, SeriesMeeting]:
    """Plan the first-half and second-half global meetings of a year.

    Targets default to the third Wednesday of March and of October; each meeting takes the nearest
    weekday in its half-year that is not a blackout date (with `same_day=False` the next day must be
    free too). `request` supplies every other input (its date is replaced). The second meeting rotates:
    unless the request already carries a previous burden, it uses the first meeting's per-region burden.
    """
    blocked = set(blackout_dates)
    base = request or PlanRequest(date=date(year, 1, 1))
    goals = targets or (third_wednesday(year, 3), third_wednesday(year, 10))
    halves = ((date(year, 1, 1), date(year, 6, 30)), (date(year, 7, 1), date(year, 12, 31)))
    span = 1 if base.same_day else 2
    meetings: list[SeriesMeeting] = []
    for half, (goal, (first, last)) in enumerate(zip(goals, halves, strict=True), start=1):
        day = nearest_free_day(goal, first, last, blocked, span)
        if day is None:
            raise PlanInputError("no_free_date", year=year, half=half)
        this = replace(base, date=day)
        if meetings and not base.previous_burden:
            burden = meetings[0].plan.region_burden()
            this = replace(this, previous_burden=tuple(sorted(burden.items())))
        meetings.append(SeriesMeeting(half, day, plan(this)))
    return meetings[0], meetings[1]
