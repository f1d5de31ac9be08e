"""Stored codes as the viewer reads them (current locale): one label per code, one phrase for "not stated"."""

from __future__ import annotations

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from meetings.core.i18n import country_name, current_language
from meetings.core.vocabulary import CATEGORIES, MEETING_STATUSES, REGIONS, REGISTRATION_STATUSES

NOT_STATED = _l("Not stated")


def category_label(code: str) -> str:
    """A stakeholder category's name."""
    return str(CATEGORIES.get(code, code)) if code else str(NOT_STATED)


def region_label(code: str | None) -> str:
    """A UNHCR region's name ('Not stated' when empty)."""
    return str(REGIONS.get(code, code)) if code else str(NOT_STATED)


def registration_status_label(code: str) -> str:
    """A registration status: confirmed, on the waiting list, cancelled."""
    return str(REGISTRATION_STATUSES.get(code, code))


def meeting_status_label(code: str) -> str:
    """A meeting status: draft, open for registration..."""
    return str(MEETING_STATUSES.get(code, code))


def language_label(code: str | None) -> str:
    """'French' / 'français' / 'francés': a language's name in the viewer's language."""
    if not code:
        return str(NOT_STATED)
    return Locale.parse(current_language()).languages.get(code, code)


def country_label(code: str | None) -> str:
    """A country's name in the viewer's language."""
    return country_name(code) if code else str(NOT_STATED)


def session_label(label: str) -> str:
    """'Session A' in the viewer's language."""
    return _("Session %(label)s", label=label)


def channel_label(key: str) -> str:
    """'French → English' for a channel key such as 'fr-en'."""
    source, _sep, target = key.partition("-")
    return f"{language_label(source)} → {language_label(target)}"
