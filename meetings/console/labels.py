"""The dimensions the console counts registrations by, each with the label of its codes."""

from __future__ import annotations

from meetings.core.labels import (
    category_label,
    country_label,
    language_label,
    region_label,
    registration_status_label,
    session_label,
)

DIMENSIONS = {
    "session": session_label,
    "status": registration_status_label,
    "category": category_label,
    "region": region_label,
    "country": country_label,
    "language": language_label,
    "spoken": language_label,
    "listening": language_label,
    "timezone": lambda zone: zone,
}


def labelled(dimension: str, items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """(code, count) pairs of one dimension as (label, count)."""
    name = DIMENSIONS[dimension]
    return [(name(code), count) for code, count in items]
