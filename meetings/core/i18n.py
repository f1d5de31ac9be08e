"""Locale choice (explicit switcher > Accept-Language > English) and localized formatting."""

from __future__ import annotations

from babel import Locale
from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale

from meetings.core.vocabulary import LANGUAGE_CODES

LOCALE_COOKIE = "lang"


def select_locale() -> str:
    """The locale of this request: ?lang=, then the remembered choice, then the browser's.

    Outside a request (CLI, jobs) it is English unless the caller uses ``force_locale``.
    """
    if not has_request_context():
        return "en"
    for candidate in (request.args.get("lang"), request.cookies.get(LOCALE_COOKIE)):
        if candidate in LANGUAGE_CODES:
            return candidate
    return request.accept_languages.best_match(LANGUAGE_CODES) or "en"


def current_language() -> str:
    """The language code (en, fr, es) of the current locale."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGE_CODES else "en"


def country_name(code: str, language: str | None = None) -> str:
    """The country name for an ISO 3166-1 alpha-2 code in the viewer's language."""
    locale = Locale.parse(language or current_language())
    return locale.territories.get(code.upper(), code.upper())


def init_app(app: Flask) -> None:
    """Install Flask-Babel with our locale selector."""
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["country_name"] = country_name
