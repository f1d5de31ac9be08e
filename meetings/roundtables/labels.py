"""Translated labels of roundtable statuses, actions and invitation standings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "changes_requested": _l("Changes requested"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "scheduled": _l("Scheduled"),
    "held": _l("Held"),
}
ACTION_LABELS = {
    "created": _l("Proposal created"),
    "edited": _l("Proposal edited"),
    "submit": _l("Submit for review"),
    "withdraw": _l("Withdraw the proposal"),
    "request_changes": _l("Request changes"),
    "accept": _l("Accept"),
    "reject": _l("Reject"),
    "schedule": _l("Schedule"),
    "mark_held": _l("Mark as held"),
}
INVITATION_LABELS = {
    "invited": _l("Invited"),
    "registered": _l("Registered"),
    "declined": _l("Declined"),
}


def roundtable_status_label(code: str) -> str:
    """The translated name of a roundtable status."""
    return str(STATUS_LABELS.get(code, code))


def action_label(code: str) -> str:
    """The translated name of a history action."""
    return str(ACTION_LABELS.get(code, code))
