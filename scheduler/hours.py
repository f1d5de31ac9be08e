"""The one definition of reasonable local hours, shared by the planner, the pages, the charts and the dashboard."""

from __future__ import annotations

from datetime import time

REASONABLE_START = time(8, 0)
REASONABLE_END = time(20, 0)
REASONABLE_WINDOW = f"{REASONABLE_START:%H:%M}-{REASONABLE_END:%H:%M}"


def reasonable_minutes() -> tuple[int, int]:
    """Reasonable local hours as minutes after midnight: (480, 1200)."""
    return (REASONABLE_START.hour * 60 + REASONABLE_START.minute, REASONABLE_END.hour * 60 + REASONABLE_END.minute)

NIGHT_START = time(22, 0)
NIGHT_END = time(6, 0)


def night_minutes(local_start_minute: int, duration_minutes: int) -> int:
    """Minutes of a local span (start as minutes after local midnight) that fall in the night (22:00-06:00)."""
    night_from = NIGHT_START.hour * 60 + NIGHT_START.minute
    night_to = NIGHT_END.hour * 60 + NIGHT_END.minute
    count = 0
    for minute in range(local_start_minute, local_start_minute + duration_minutes):
        minute %= 1440
        if minute >= night_from or minute < night_to:
            count += 1
    return count
