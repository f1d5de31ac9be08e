"""Showing UTC times in a viewer's zone (and in UTC), with a day mark where the date differs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import request
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l

from meetings.core.rules import known_timezones
from scheduler.hours import REASONABLE_END, REASONABLE_START

IDEAL_MIDDLE_MINUTES = 13 * 60


@dataclass(frozen=True)
class LocalTime:
    """One instant as a viewer sees it."""

    local: datetime
    utc: datetime
    day_offset: int  # local calendar date minus UTC calendar date: -1, 0 or +1

    @property
    def day_mark(self) -> str:
        """"+1 day" / "-1 day" (translated) or nothing."""
        if self.day_offset > 0:
            return str(_l("+1 day"))
        if self.day_offset < 0:
            return str(_l("-1 day"))
        return ""


def viewer_zone(candidate: str | None) -> str | None:
    """``candidate`` when it is a real IANA zone, else None."""
    return candidate if candidate in known_timezones() else None


def in_zone(moment: datetime, zone: str) -> LocalTime:
    """``moment`` (aware) in ``zone``."""
    utc = moment.astimezone(UTC)
    local = utc.astimezone(ZoneInfo(zone))
    return LocalTime(local=local, utc=utc, day_offset=(local.date() - utc.date()).days)


def format_local(moment: LocalTime) -> str:
    """'Wednesday 17 March 2027, 14:00' in the current locale."""
    return f"{_day(moment.local, 'full')}, {format_clock(moment.local)}"


def format_clock(moment: datetime) -> str:
    """'14:00': 24-hour clock in the moment's own zone (never rebased to another zone).

    The same digits in every locale we serve (CLDR ``HH:mm``), so no locale lookup: an e-mail shows dozens.
    """
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _day(moment: datetime, format: str) -> str:
    """The date of ``moment`` (in its own zone) in the current locale, remembered per date, format and locale."""
    return _day_text(moment.date(), format, str(get_locale()))


@lru_cache(maxsize=512)
def _day_text(day: date, format: str, locale: str) -> str:
    return format_date(day, format=format, rebase=False)  # the current locale is ``locale``


def format_utc(moment: datetime) -> str:
    """'17 Mar 2027, 13:00 UTC' in the current locale."""
    utc = moment.astimezone(UTC)
    return f"{_day(utc, 'medium')}, {format_clock(utc)} UTC"


def local_fit(start: datetime, end: datetime, zone: str) -> float:
    """How a session suits ``zone``: 0 outside reasonable local hours (scheduler.hours), up to 1 near midday."""
    local_start = start.astimezone(ZoneInfo(zone))
    begin = local_start.hour * 60 + local_start.minute
    finish = begin + (end - start).total_seconds() / 60
    if begin < REASONABLE_START.hour * 60 or finish > REASONABLE_END.hour * 60:
        return 0.0
    return max(0.05, 1.0 - abs((begin + finish) / 2 - IDEAL_MIDDLE_MINUTES) / (8 * 60))


def suggest_session(sessions: list, zone: str | None) -> object | None:
    """The scheduled session whose local hours suit ``zone`` best (None if none is reasonable)."""
    if not zone:
        return None
    scored = [(local_fit(s.starts_at, s.ends_at, zone), s.label, s)
              for s in sessions if s.status == "scheduled"]
    scored = [item for item in scored if item[0] > 0]
    return max(scored, key=lambda item: (item[0], item[1] == "A"))[2] if scored else None



def format_utc_span(start: datetime, end: datetime) -> str:
    """'17 Mar 2027, 13:00–16:00 UTC' (the end's date is implied by the duration)."""
    begin, finish = start.astimezone(UTC), end.astimezone(UTC)
    return f"{_day(begin, 'medium')}, {format_clock(begin)}–{format_clock(finish)} UTC"


TZ_COOKIE = "tz"


def request_zone() -> str | None:
    """The viewer's zone: ``?tz=`` or the remembered cookie, as its canonical name; None when unknown."""
    from meetings.core.zonepicker import canonical_zone

    return canonical_zone(viewer_zone(request.args.get("tz")) or viewer_zone(request.cookies.get(TZ_COOKIE)))


def session_times(sessions: list, zone: str | None) -> dict:
    """Session id -> (start, end) as the viewer sees them (UTC when the zone is unknown)."""
    return {s.id: (in_zone(s.starts_at, zone or "UTC"), in_zone(s.ends_at, zone or "UTC")) for s in sessions}
