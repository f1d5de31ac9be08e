"""Which session suits a viewer's zone, which fall in their night, and why when neither is reasonable."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from meetings.core.localtime import suggest_session
from scheduler.comfort import ComfortPolicy, integral
from scheduler.hours import night_minutes


@dataclass(frozen=True)
class SessionAdvice:
    """A suggestion for one viewer: ``reasonable`` is False when it is only the less bad session."""

    suggested: object | None = None
    reasonable: bool = False
    night: frozenset[int] = field(default_factory=frozenset)  # ids of sessions partly in the viewer's night


def _local_minute(session, zone: str) -> int:
    local = session.starts_at.astimezone(ZoneInfo(zone))
    return local.hour * 60 + local.minute


def advise(sessions: list, zone: str | None) -> SessionAdvice:
    """The session to suggest in ``zone`` (the least uncomfortable one when none is in reasonable hours)."""
    if not zone:
        return SessionAdvice()
    scheduled = [s for s in sessions if s.status == "scheduled"]
    night = frozenset(s.id for s in scheduled if night_minutes(_local_minute(s, zone), s.duration_minutes))
    best = suggest_session(scheduled, zone)
    if best is not None:
        return SessionAdvice(best, True, night)
    if not scheduled:
        return SessionAdvice(None, False, night)
    prefix = ComfortPolicy().prefix()

    def discomfort(session) -> tuple[int, int, bool]:
        start = _local_minute(session, zone)
        return (integral(prefix, start, start + session.duration_minutes),
                night_minutes(start, session.duration_minutes), session.label != "A")

    return SessionAdvice(min(scheduled, key=discomfort), False, night)
