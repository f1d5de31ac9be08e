"""Input rules shared by every form and API endpoint (each raises a localized InvalidInput)."""

from __future__ import annotations

import unicodedata
import zoneinfo
from functools import cache

import idna
import pytz
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from meetings.core.errors import REQUIRED, TOO_LONG, InvalidInput
from meetings.core.vocabulary import CATEGORY_CODES, LANGUAGE_CODES, REGION_CODES

MAX_NAME = 200
MAX_FUNCTION = 200
MAX_NOTE = 2000


@cache
def known_timezones() -> frozenset[str]:
    """Every IANA zone name of the tz database."""
    return frozenset(zoneinfo.available_timezones())


@cache
def known_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes."""
    return frozenset(pytz.country_names)


def require_text(value: str | None, field_name: str, max_length: int) -> str:
    """Stripped non-empty text of at most ``max_length`` characters."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput("required", REQUIRED, field=field_name)
    return limit_text(text, field_name, max_length)


def limit_text(value: str | None, field_name: str, max_length: int) -> str:
    """Stripped optional text of at most ``max_length`` characters."""
    text = (value or "").strip()
    if len(text) > max_length:
        raise InvalidInput("too_long", TOO_LONG, field=field_name, max=max_length)
    return text


def check_email(value: str | None, field_name: str = "email") -> str:
    """A syntactically valid e-mail address we can deliver to, normalized (no DNS lookup).

    Our mail goes out without SMTPUTF8, so letters beyond ASCII before the @ are refused at once.
    """
    text = (value or "").strip()
    if not text:
        raise InvalidInput("required", REQUIRED, field=field_name)
    if len(text) > 254:
        raise InvalidInput("too_long", TOO_LONG, field=field_name, max=254)
    if not text.rpartition("@")[0].isascii():
        raise InvalidInput(
            "unsupported_email",
            _l("We cannot send e-mails yet to addresses with letters beyond A-Z before the @. "
               "Please use another address."),
            field=field_name,
        )
    try:
        return validate_email(text, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError:
        raise InvalidInput(
            "invalid_email", _l("Enter a valid e-mail address, such as name@example.org."), field=field_name
        ) from None


def email_key(address: str | None) -> str:
    """The one comparison key of an e-mail address: local part NFC and lower(), domain as IDNA in lower case.

    ``lower()`` and never ``casefold()``, which merges distinct mailboxes (straße@ and strasse@);
    stored in ``email_key`` columns and compared in Python or by equality, never with SQL ``lower()``.
    """
    text = (address or "").strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return unicodedata.normalize("NFC", text).lower()
    domain = domain.rstrip(".")
    try:
        ascii_domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        ascii_domain = domain
    return f"{unicodedata.normalize('NFC', local).lower()}@{ascii_domain.lower()}"


def check_timezone(value: str | None, field_name: str = "timezone") -> str:
    """A zone name that exists in the tz database."""
    text = (value or "").strip()
    if text not in known_timezones():
        raise InvalidInput(
            "unknown_timezone",
            _l("“%(zone)s” is not a time zone we know. Choose one from the list, such as Europe/Zurich."),
            field=field_name,
            zone=text[:64],
        )
    return text


def check_language(value: str | None, field_name: str = "language", optional: bool = False) -> str | None:
    """One of en, fr, es (or nothing, when optional)."""
    if optional and not value:
        return None
    if value not in LANGUAGE_CODES:
        raise InvalidInput(
            "unsupported_language", _l("Choose English, French or Spanish."), field=field_name
        )
    return value


def check_category(value: str | None) -> str:
    """A stakeholder category code."""
    if value not in CATEGORY_CODES:
        raise InvalidInput("unknown_category", _l("Choose a stakeholder category from the list."),
                           field="category")
    return value


def check_country(value: str | None) -> str:
    """An ISO 3166-1 alpha-2 country code."""
    code = (value or "").strip().upper()
    if code not in known_countries():
        raise InvalidInput("unknown_country", _l("Choose a country from the list."), field="country")
    return code


def check_region(value: str | None) -> str | None:
    """A UNHCR regional bureau code, or nothing."""
    if not value:
        return None
    if value not in REGION_CODES:
        raise InvalidInput("unknown_region", _l("Choose a region from the list."), field="region")
    return value


def check_consent(value: bool) -> None:
    """Registration needs consent to the privacy notice."""
    if value is not True:
        raise InvalidInput("consent_required", _l("Please accept the privacy notice to register."),
                           field="consent")
