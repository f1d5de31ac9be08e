"""Local-hours policy: the reachable window, per-hour comfort penalties, and their exact integrals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from scheduler.errors import PlanInputError

MINUTES_PER_DAY = 1440

# Penalty per minute spent in each local hour (index = hour 0..23): 0 in core business hours,
# rising through early morning and evening, NIGHT_PENALTY at night.
NIGHT_PENALTY = 10
DEFAULT_PENALTIES: tuple[int, ...] = (
    10, 10, 10, 10, 10, 10,  # 00-06 night
    4, 2, 1,                 # 06-09 early morning
    0, 0, 0, 0, 0, 0, 0, 0,  # 09-17 core business hours
    1, 2, 3, 4, 6,           # 17-22 evening
    10, 10,                  # 22-24 night
)

_WINDOW_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class ComfortPolicy:
    """Penalty per minute for each local hour; hours at or above `night_from` count as night."""

    penalties: tuple[int, ...] = DEFAULT_PENALTIES
    night_from: int = NIGHT_PENALTY

    def validate(self) -> None:
        """Raise PlanInputError unless the policy is 24 non-negative integers."""
        values = self.penalties
        if len(values) != 24:
            raise PlanInputError("bad_comfort", reason="length")
        if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values):
            raise PlanInputError("bad_comfort", reason="values")

    def category(self, hour: int) -> str:
        """Shading class of a local hour: "business", "shoulder" or "night"."""
        penalty = self.penalties[hour % 24]
        if penalty == 0:
            return "business"
        return "night" if penalty >= self.night_from else "shoulder"

    def prefix(self) -> tuple[int, ...]:
        """Cumulative penalty from local midnight to each minute of the day (1441 entries)."""
        out = [0]
        for minute in range(MINUTES_PER_DAY):
            out.append(out[-1] + self.penalties[minute // 60])
        return tuple(out)


def integral(prefix: tuple[int, ...], local_from: int, local_to: int) -> int:
    """Total penalty of the local minutes [local_from, local_to), counted from any midnight."""
    day_total = prefix[MINUTES_PER_DAY]

    def cumulative(x: int) -> int:
        days, minute = divmod(x, MINUTES_PER_DAY)
        return days * day_total + prefix[minute]

    return cumulative(local_to) - cumulative(local_from)


def window_minutes(window: tuple[time, time]) -> tuple[int, int]:
    """A (start, end) local-time window as minutes after midnight."""
    start, end = window
    return start.hour * 60 + start.minute, end.hour * 60 + end.minute


def validate_window(window: tuple[time, time], name: str, duration: int | None = None) -> None:
    """Raise PlanInputError if the window is empty or shorter than the duration."""
    start, end = window_minutes(window)
    if start >= end:
        raise PlanInputError("empty_window", window=name, start=window[0].isoformat("minutes"),
                             end=window[1].isoformat("minutes"))
    if duration is not None and duration > end - start:
        raise PlanInputError("duration_exceeds_window", window=name, duration=duration,
                             window_minutes=end - start)


def parse_window(text: str) -> tuple[time, time]:
    """Parse "HH:MM-HH:MM" into two local times; raise PlanInputError on bad format or empty window."""
    match = _WINDOW_RE.match(text or "")
    if not match:
        raise PlanInputError("bad_window_format", value=text)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise PlanInputError("bad_window_format", value=text)
    window = (time(h1, m1), time(h2, m2))
    validate_window(window, "window")
    return window


def format_window(window: tuple[time, time]) -> str:
    """The inverse of parse_window."""
    return f"{window[0].isoformat('minutes')}-{window[1].isoformat('minutes')}"
