"""The shared vocabularies of support requests, offers and pledges: stored codes and translated labels.

Who counts as a State: an organization of category ``national_asylum_authority`` (the State's asylum
institution) or ``permanent_mission`` (its liaison in Geneva). Only these may request support; any
stakeholder category may offer it.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask_babel import lazy_gettext as _l

STATE_CATEGORIES = ("national_asylum_authority", "permanent_mission")

AREAS = {
    "registration": _l("Registration and identity management"),
    "reception": _l("Reception"),
    "status_determination": _l("Refugee status determination"),
    "appeals": _l("Appeals and review"),
    "country_information": _l("Country of origin information"),
    "quality_assurance": _l("Quality assurance"),
    "case_management": _l("Case management"),
    "training": _l("Training of asylum staff"),
    "data_digitalization": _l("Data and digitalization"),
    "detention_alternatives": _l("Alternatives to detention"),
    "statelessness": _l("Statelessness"),
    "children": _l("Children and unaccompanied minors"),
    "legal_framework": _l("Legal framework and policy"),
    "other": _l("Other area"),
}
AREA_CODES = tuple(AREAS)

KINDS = {
    "expertise": _l("Expertise or deployment"),
    "training": _l("Training"),
    "twinning": _l("Twinning or study visit"),
    "equipment": _l("Equipment or software"),
    "funding": _l("Funding"),
    "peer_exchange": _l("Peer exchange"),
}
KIND_CODES = tuple(KINDS)

SIDES = {"request": _l("Support request"), "offer": _l("Support offer")}
SIDE_CODES = tuple(SIDES)

ENTRY_STATUSES = {
    "unconfirmed": _l("Waiting for the contact's confirmation"),
    "open": _l("Open"),
    "matched": _l("Matched"),
    "closed": _l("Closed"),
}
ENTRY_STATUS_CODES = tuple(ENTRY_STATUSES)

PLEDGE_STATUSES = {
    "announced": _l("Announced"),
    "in_progress": _l("In progress"),
    "fulfilled": _l("Fulfilled"),
    "not_pursued": _l("Not pursued"),
}
PLEDGE_STATUS_CODES = tuple(PLEDGE_STATUSES)

GRF_EDITIONS = ("GRF 2019", "GRF 2023", "GRF 2027", "GRF 2031")

MAX_WORKING_LANGUAGES = 8


@cache
def language_names() -> dict[str, str]:
    """ISO 639-1 codes (two letters) with their English names, from the CLDR data."""
    return {code: name for code, name in Locale("en").languages.items() if len(code) == 2 and code.isalpha()}


def language_name(code: str, locale: str) -> str:
    """The name of a working language in ``locale`` (the code itself when unknown)."""
    return Locale.parse(locale).languages.get(code, code)
