"""A zone's UTC offset as a step function over a span of UTC minutes, and session metrics on it.

Instants are whole UTC minutes since the Unix epoch. Offsets are taken from zoneinfo at the actual
instants (so DST is the one in force on the meeting day, including a change that falls inside the
span or inside a session). The offset is sampled every hour and each change is located to the minute
by bisection; the tz database has no two changes less than an hour apart in the supported years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.comfort import MINUTES_PER_DAY, integral

SAMPLE_MINUTES = 60

# A step function: ((from_minute, offset_minutes), ...) sorted by from_minute; the first piece
# extends to the left and the last to the right.
Timeline = tuple[tuple[int, int], ...]


def to_minute(instant: datetime) -> int:
    """Whole UTC minutes since the epoch of an aware datetime."""
    return int(instant.timestamp()) // 60


def from_minute(minute: int) -> datetime:
    """The aware UTC datetime of an epoch minute."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)


def offset_at(zone: ZoneInfo, minute: int) -> int:
    """UTC offset of the zone at that instant, in whole minutes."""
    offset = from_minute(minute).astimezone(zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds()) // 60


def build_timeline(zone: ZoneInfo, first: int, last: int) -> Timeline:
    """The zone's offset function on [first, last] (UTC minutes), exact to the minute."""
    pieces = [(first, offset_at(zone, first))]
    previous_minute, previous = first, pieces[0][1]
    sample = first
    while sample < last:
        sample = min(sample + SAMPLE_MINUTES, last)
        current = offset_at(zone, sample)
        if current != previous:
            low, high = previous_minute, sample  # offset(low) == previous, offset(high) == current
            while high - low > 1:
                middle = (low + high) // 2
                if offset_at(zone, middle) == previous:
                    low = middle
                else:
                    high = middle
            pieces.append((high, current))
            previous = current
        previous_minute = sample
    return tuple(pieces)


def offset_on(timeline: Timeline, minute: int) -> int:
    """The offset in force at a minute."""
    offset = timeline[0][1]
    for start, value in timeline:
        if start > minute:
            break
        offset = value
    return offset


@dataclass(frozen=True)
class SessionFit:
    """How one session looks in one zone: whether it fits the local window, and its discomfort."""

    fits: bool
    discomfort: int


def session_fit(
    timeline: Timeline, start: int, duration: int, window: tuple[int, int], prefix: tuple[int, ...]
) -> SessionFit:
    """Fit and discomfort (penalty-minutes) of the session [start, start + duration) in that zone.

    Fits: local start and local end fall on the same local date and inside the window.
    Discomfort: each elapsed minute costs the penalty of the local hour it begins in.
    """
    end = start + duration
    local_start = start + offset_on(timeline, start)
    local_end = end + offset_on(timeline, end)
    day_start, minute_start = divmod(local_start, MINUTES_PER_DAY)
    day_end, minute_end = divmod(local_end, MINUTES_PER_DAY)
    fits = day_start == day_end and window[0] <= minute_start and minute_end <= window[1]
    discomfort = 0
    for index, (piece_start, offset) in enumerate(timeline):
        piece_end = timeline[index + 1][0] if index + 1 < len(timeline) else None
        low = start if index == 0 else max(start, piece_start)
        high = end if piece_end is None else min(end, piece_end)
        if low < high:
            discomfort += integral(prefix, low + offset, high + offset)
    return SessionFit(fits, discomfort)
