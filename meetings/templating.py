"""Helpers available in every template: localized times and labels of stored codes."""

from __future__ import annotations

from flask import Flask

from meetings.core.labels import category_label, meeting_status_label, region_label, registration_status_label
from meetings.core.localtime import format_clock, format_local, format_utc


def init_app(app: Flask) -> None:
    """Register the template globals."""
    app.jinja_env.globals.update(
        format_local=format_local,
        format_utc=format_utc,
        format_clock=format_clock,
        meeting_status_label=meeting_status_label,
        registration_status_label=registration_status_label,
        category_label=category_label,
        region_label=region_label,
    )
