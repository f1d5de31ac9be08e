"""Helpers available in every template: localized times and labels of stored codes."""

from __future__ import annotations

from flask import Flask

from meetings.core.formmarkup import field_attributes
from meetings.core.labels import category_label, meeting_status_label, region_label, registration_status_label
from meetings.core.localtime import format_clock, format_local, format_utc, format_utc_span
from meetings.core.vocabulary import LANGUAGES
from meetings.core.zonepicker import zone_aliases
from scheduler.hours import REASONABLE_END, REASONABLE_START


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
        meeting_status_label=meeting_status_label,
        registration_status_label=registration_status_label,
        category_label=category_label,
        region_label=region_label,
        language_name=lambda code: str(LANGUAGES.get(code, code)),
    )
