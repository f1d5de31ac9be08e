"""Text written by people, stored once per language, read with a fallback."""

from __future__ import annotations

from meetings.core.vocabulary import LANGUAGE_CODES


def pick_language(obj: object, field: str, locale: str) -> str:
    """``obj.<field>_<locale>``, falling back to English, then to any language that has text."""
    order = [locale, "en", *LANGUAGE_CODES]
    for code in order:
        value = getattr(obj, f"{field}_{code}", None)
        if value:
            return value
    return ""
