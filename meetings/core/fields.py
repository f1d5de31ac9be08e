"""Form fields and choice lists that every feature's forms share, in the viewer's language."""

from __future__ import annotations

import unicodedata

from wtforms import SelectMultipleField, widgets

from meetings.core.i18n import country_name
from meetings.core.rules import known_countries
from meetings.core.vocabulary import CATEGORIES, LANGUAGES, REGIONS


class CheckboxesField(SelectMultipleField):
    """Several checkboxes for one multi-valued field."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _sort_key(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def country_choices(language: str) -> list[tuple[str, str]]:
    """Countries sorted by their name in ``language``."""
    names = [(code, country_name(code, language)) for code in known_countries()]
    return [("", "—")] + sorted(names, key=lambda item: _sort_key(item[1]))


def language_choices(blank: bool) -> list[tuple[str, str]]:
    """en/fr/es, each named in its own language."""
    return ([("", "—")] if blank else []) + list(LANGUAGES.items())


def category_choices() -> list[tuple[str, str]]:
    """Stakeholder categories, after a blank choice."""
    return [("", "—")] + [(code, str(label)) for code, label in CATEGORIES.items()]


def region_choices() -> list[tuple[str, str]]:
    """UNHCR regional bureaus, after a blank choice."""
    return [("", "—")] + [(code, str(label)) for code, label in REGIONS.items()]


def workstream_choices(workstreams: list, language: str) -> list[tuple[int, str]]:
    """"1. Promote engagement..." for each workstream, in ``language``."""
    return [(w.number, f"{w.number}. {w.title(language)}") for w in workstreams]
