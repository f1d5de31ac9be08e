"""Time-zone choices people can read: canonical zones only, city and country in the page's language, UTC offset."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo

import pytz
from babel.dates import get_timezone_location
from flask_babel import lazy_gettext as _l

from meetings.core.i18n import country_name
from meetings.core.rules import known_timezones

REGIONS = {
    "Africa": _l("Africa"), "America": _l("Americas"), "Antarctica": _l("Antarctica"), "Arctic": _l("Arctic"),
    "Asia": _l("Asia"), "Atlantic": _l("Atlantic Ocean"), "Australia": _l("Australia"), "Europe": _l("Europe"),
    "Indian": _l("Indian Ocean"), "Pacific": _l("Pacific"), "UTC": _l("Coordinated Universal Time"),
}


@cache
def zone_countries() -> dict[str, str]:
    """Canonical zone -> the ISO country it serves (from the tz database's zone table, through pytz)."""
    out: dict[str, str] = {}
    for country, zones in sorted(pytz.country_timezones.items()):
        for zone in zones:
            out.setdefault(zone, country)
    return out


@cache
def canonical_zones() -> frozenset[str]:
    """Zones of the zone table (no aliases such as Asia/Calcutta, no Factory, localtime or Etc/*), plus UTC."""
    return frozenset(set(zone_countries()) & known_timezones()) | {"UTC"}


def _zone_file(zone: str) -> bytes | None:
    for root in TZPATH:
        path = Path(root, zone)
        if path.is_file():
            return path.read_bytes()
    try:
        return resources.files("tzdata.zoneinfo").joinpath(*zone.split("/")).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


@cache
def _aliases() -> dict[str, str]:
    """Alias -> canonical zone with the same rules (an identical compiled tz file)."""
    by_content: dict[bytes, list[str]] = defaultdict(list)
    for zone in sorted(canonical_zones()):
        content = _zone_file(zone)
        if content is not None:
            by_content[content].append(zone)
    out: dict[str, str] = {}
    for zone in known_timezones() - canonical_zones():
        content = _zone_file(zone)
        if content in by_content:
            out[zone] = by_content[content][0]
    return out


def canonical_zone(zone: str | None) -> str | None:
    """The canonical name of ``zone`` (Asia/Calcutta -> Asia/Kolkata), or None when it has none."""
    if not zone:
        return None
    if zone in canonical_zones():
        return zone
    return _aliases().get(zone)


def zone_aliases() -> dict[str, str]:
    """Every alias with its canonical zone (for the browser's detected zone, which may be an alias)."""
    return dict(_aliases())


def offset_label(zone: str, now: datetime) -> str:
    """'UTC+05:30' for ``zone`` at ``now``."""
    offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_label(zone: str, language: str, now: datetime) -> str:
    """'Zurich, Switzerland (UTC+01:00)' in ``language``."""
    if zone == "UTC":
        return f"UTC — {REGIONS['UTC']}"
    city = get_timezone_location(zone, locale=language, return_city=True)
    country = zone_countries().get(zone)
    place = f"{city}, {country_name(country, language)}" if country else city
    return f"{place} ({offset_label(zone, now)})"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


@lru_cache(maxsize=16)
def _grouped(language: str, hour: datetime) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for zone in canonical_zones():
        groups[zone.split("/")[0]].append((zone, zone_label(zone, language, hour)))
    ordered = sorted(groups, key=lambda key: (key != "UTC", _fold(str(REGIONS.get(key, key)))))
    return tuple((key, tuple(sorted(groups[key], key=lambda item: _fold(item[1])))) for key in ordered)


def zone_choices(language: str, now: datetime, current: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """Canonical zones grouped by region (WTForms optgroups); ``current`` kept when it is a stored alias."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    out = {str(REGIONS.get(key, key)): list(items) for key, items in _grouped(language, hour)}
    if current and current in known_timezones() and current not in canonical_zones():
        out.setdefault(str(REGIONS["UTC"]), []).append((current, current.replace("_", " ")))
    return out
