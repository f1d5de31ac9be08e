"""Translated labels of the support vocabularies, match states, actions and score reasons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from meetings.support.vocabulary import AREAS, ENTRY_STATUSES, KINDS, PLEDGE_STATUSES, SIDES

STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "agreed": _l("Agreed"),
    "under_way": _l("Under way"),
    "completed": _l("Completed"),
    "closed": _l("Closed"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}
RESPONSE_LABELS = {"pending": _l("No answer yet"), "accepted": _l("Accepted"), "declined": _l("Declined")}
ACTION_LABELS = {
    "accept": _l("Accept the match"),
    "decline": _l("Decline the match"),
    "withdraw": _l("Withdraw the proposal"),
    "start": _l("Mark under way"),
    "complete": _l("Mark completed"),
    "close": _l("Close"),
}
REASON_LABELS = {
    "same_area": _l("Same area of the asylum system"),
    "other_area": _l("Different area of the asylum system"),
    "same_kind": _l("Same kind of support"),
    "other_kind": _l("Different kind of support"),
    "common_language": _l("Common working language: %(languages)s"),
    "no_common_language": _l("No common working language"),
    "same_region": _l("Same region"),
    "any_region": _l("Offered in every region"),
    "other_region": _l("Different region"),
    "period_overlap": _l("Periods overlap"),
    "period_open": _l("No period given on one side"),
    "period_apart": _l("Periods do not overlap"),
    "similar_text": _l("Similar descriptions (similarity %(similarity)s)"),
    "different_text": _l("Descriptions not alike"),
}


def _label(table: dict, code: str) -> str:
    return str(table.get(code, code))


def area_label(code: str) -> str:
    """The area's name in the current language."""
    return _label(AREAS, code)


def kind_label(code: str) -> str:
    """The kind of support in the current language."""
    return _label(KINDS, code)


def side_label(code: str) -> str:
    """'Support request' or 'Support offer'."""
    return _label(SIDES, code)


def entry_status_label(code: str) -> str:
    """The status of a request or offer."""
    return _label(ENTRY_STATUSES, code)


def match_status_label(code: str) -> str:
    """The status of a match."""
    return _label(STATUS_LABELS, code)


def pledge_status_label(code: str) -> str:
    """The follow-up status of a pledge."""
    return _label(PLEDGE_STATUSES, code)


def response_label(code: str) -> str:
    """A party's answer to a proposed match."""
    return _label(RESPONSE_LABELS, code)


def reason_label(reason) -> str:
    """One reason of a score (a scoring.Reason or its stored dict), as a sentence in the current language."""
    if hasattr(reason, "to_document"):
        reason = reason.to_document()
    text = str(REASON_LABELS.get(reason.get("code"), reason.get("code")))
    params = reason.get("params") or {}
    return text % params if params else text
