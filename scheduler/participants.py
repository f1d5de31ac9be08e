"""Participants (zone + weight), the shipped UN member States table, zone validation and CSV input."""

from __future__ import annotations

import csv
import io
import math
import zoneinfo
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from importlib import resources

from scheduler.errors import PlanInputError

REGIONS: tuple[str, ...] = (
    "americas",
    "asia_pacific",
    "europe",
    "mena",
    "east_horn_great_lakes",
    "southern_africa",
    "west_central_africa",
)


@dataclass(frozen=True)
class Participant:
    """Someone to cover: an IANA zone and a weight (States: 1; organizations: their number of people)."""

    zone: str
    weight: int | float | Fraction = 1
    label: str | None = None
    region: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class MemberState:
    """One row of scheduler/data/member_states.csv."""

    iso2: str
    name: str
    capital_zone: str
    region: str


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """The zone names of the installed tz database (tzdata)."""
    return frozenset(zoneinfo.available_timezones())


def validate_zone(zone: str, **context: object) -> str:
    """Return the zone name if the tz database knows it, else raise unknown_zone."""
    if not isinstance(zone, str) or zone not in known_zones():
        raise PlanInputError("unknown_zone", zone=zone, **context)
    return zone


def exact_weight(value: object, **context: object) -> Fraction:
    """A weight as an exact non-negative Fraction (floats read by their shortest decimal form)."""
    if isinstance(value, bool):
        raise PlanInputError("bad_weight", value=value, **context)
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError(value)
            weight = Fraction(repr(value))
        elif isinstance(value, (int, Fraction)):
            weight = Fraction(value)
        elif isinstance(value, str):
            weight = Fraction(value.strip())
        else:
            raise TypeError(value)
    except (ValueError, TypeError, ZeroDivisionError):
        raise PlanInputError("bad_weight", value=value, **context) from None
    if weight < 0:
        raise PlanInputError("bad_weight", value=value, **context)
    return weight


@lru_cache(maxsize=1)
def member_states() -> tuple[MemberState, ...]:
    """The 193 UN member States with the IANA zone of their capital and UNHCR regional bureau."""
    text = resources.files("scheduler").joinpath("data/member_states.csv").read_text(encoding="utf-8")
    return tuple(MemberState(**row) for row in csv.DictReader(io.StringIO(text)))


def member_state_participants() -> tuple[Participant, ...]:
    """Default participants: every member State at its capital's zone, weight 1."""
    return tuple(
        Participant(zone=s.capital_zone, weight=1, label=s.name, region=s.region, country=s.iso2)
        for s in member_states()
    )


def read_participants_csv(text: str) -> tuple[Participant, ...]:
    """Parse CSV text with columns timezone,weight (optional label,region,country) into participants."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or ()}
    if not reader.fieldnames:
        raise PlanInputError("bad_csv", reason="empty")
    if "timezone" not in columns or "weight" not in columns:
        raise PlanInputError("bad_csv", reason="missing_columns", columns=sorted(columns))
    out = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise PlanInputError("bad_csv", reason="bad_row", line=line)
        values = {key: (row.get(name) or "").strip() for key, name in columns.items()}
        if not any(values.values()):
            continue
        zone = validate_zone(values["timezone"], line=line)
        weight = exact_weight(values["weight"], line=line)
        out.append(Participant(
            zone=zone,
            weight=weight,
            label=values.get("label") or None,
            region=values.get("region") or None,
            country=(values.get("country") or "").upper() or None,
        ))
    if not out:
        raise PlanInputError("bad_csv", reason="empty")
    return tuple(out)
