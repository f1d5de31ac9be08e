"""Helpers available in every template: localized times and labels of stored codes."""

from __future__ import annotations

from flask import Flask

from meetings.core.localtime import format_clock, format_local, format_utc
from meetings.core.vocabulary import CATEGORIES, MEETING_STATUSES, REGIONS, REGISTRATION_STATUSES


def _label(table: dict):
    return lambda code: str(table.get(code, code))


def init_app(app: Flask) -> None:
    """Register the template globals."""
    app.jinja_env.globals.update(
        format_local=format_local,
        format_utc=format_utc,
        format_clock=format_clock,
        meeting_status_label=_label(MEETING_STATUSES),
        registration_status_label=_label(REGISTRATION_STATUSES),
        category_label=_label(CATEGORIES),
        region_label=_label(REGIONS),
    )
