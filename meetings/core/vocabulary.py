"""Fixed vocabularies of the domain: codes stored in the database and their translated labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}  # each in its own language
LANGUAGE_CODES = tuple(LANGUAGES)

CATEGORIES = {
    "national_asylum_authority": _l("National asylum authority or refugee-management body"),
    "permanent_mission": _l("Permanent mission in Geneva"),
    "regional_organization": _l("Regional organization"),
    "civil_society": _l("Civil society"),
    "academia": _l("Academia"),
    "professional_organization": _l("Professional organization"),
    "private_sector": _l("Private sector"),
    "asylum_system_users": _l("Users of asylum systems / refugee-led organization"),
    "unhcr": _l("UNHCR"),
    "other": _l("Other"),
}
CATEGORY_CODES = tuple(CATEGORIES)

REGIONS = {
    "americas": _l("Americas"),
    "asia_pacific": _l("Asia and the Pacific"),
    "europe": _l("Europe"),
    "mena": _l("Middle East and North Africa"),
    "east_horn_great_lakes": _l("East and Horn of Africa and the Great Lakes"),
    "southern_africa": _l("Southern Africa"),
    "west_central_africa": _l("West and Central Africa"),
}
REGION_CODES = tuple(REGIONS)

MEETING_STATUSES = {
    "draft": _l("Draft"),
    "open": _l("Open for registration"),
    "closed": _l("Registration closed"),
    "held": _l("Held"),
    "cancelled": _l("Cancelled"),
}
MEETING_STATUS_CODES = tuple(MEETING_STATUSES)

SESSION_STATUSES = {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled")}
SESSION_STATUS_CODES = tuple(SESSION_STATUSES)

REGISTRATION_STATUSES = {
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "cancelled": _l("Cancelled"),
}
REGISTRATION_STATUS_CODES = tuple(REGISTRATION_STATUSES)

SESSION_LABELS = ("A", "B")


def sql_in(column: str, codes: tuple[str, ...]) -> str:
    """A CHECK constraint expression limiting ``column`` to ``codes``."""
    return f"{column} IN ({', '.join(repr(c) for c in codes)})"
