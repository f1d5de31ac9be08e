"""Where an organization is in time: its country's capital zone and UNHCR region (for planners)."""

from __future__ import annotations

from functools import cache

import pytz

from scheduler.participants import member_states


@cache
def _capital_zones() -> dict[str, tuple[str, str]]:
    return {s.iso2: (s.capital_zone, s.region) for s in member_states()}


def organization_zone(country: str) -> tuple[str | None, str | None]:
    """The capital's zone and region of a country (the first zone of the tz database otherwise)."""
    known = _capital_zones().get(country)
    if known:
        return known
    zones = pytz.country_timezones.get(country.upper()) if country else None
    return (zones[0] if zones else None), None
