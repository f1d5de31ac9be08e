"""Helpers available in every template: localized times and labels of stored codes."""

from __future__ import annotations

from flask import Flask

from meetings.formmarkup import field_attributes
from meetings.localtime import format_clock, format_local, format_utc, format_utc_span
from meetings.vocabulary import CATEGORIES, LANGUAGES, MEETING_STATUSES, REGIONS, REGISTRATION_STATUSES
from meetings.zonepicker import zone_aliases
from scheduler.hours import REASONABLE_END, REASONABLE_START


def _label(table: dict):
    return lambda code: str(table.get(code, code))


def init_app(app: Flask) -> None:
    """Register the template globals."""
    app.jinja_env.globals.update(
        format_local=format_local,
        format_utc=format_utc,
        format_clock=format_clock,
        format_utc_span=format_utc_span,
        field_attributes=field_attributes,
        zone_aliases=zone_aliases,
        reasonable_start=f"{REASONABLE_START:%H:%M}",
        reasonable_end=f"{REASONABLE_END:%H:%M}",
        meeting_status_label=_label(MEETING_STATUSES),
        registration_status_label=_label(REGISTRATION_STATUSES),
        category_label=_label(CATEGORIES),
        region_label=_label(REGIONS),
        language_name=_label(LANGUAGES),
    )
