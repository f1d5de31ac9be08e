"""The one table of a roundtable's status changes and who may make each (pure, no Flask).

A co-convener acts only on proposals of their own organization; the secretariat decides. Editing is
not a status change but is allowed here too, so every permission lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

STATES = ("draft", "submitted", "changes_requested", "accepted", "rejected", "withdrawn", "scheduled", "held")
EDITABLE = ("draft", "changes_requested")
CO_CONVENER = "co_convener"
SECRETARIAT = "secretariat"


@dataclass(frozen=True)
class Transition:
    """An action that moves a roundtable from one of ``sources`` to ``target``."""

    action: str
    sources: tuple[str, ...]
    target: str
    role: str
    comment_required: bool = False
    notify_proposer: bool = False
    webhook: str | None = None


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("submit", ("draft", "changes_requested"), "submitted", CO_CONVENER, webhook="roundtable.proposed"),
    Transition("withdraw", ("draft", "submitted", "changes_requested", "accepted"), "withdrawn", CO_CONVENER),
    Transition("request_changes", ("submitted",), "changes_requested", SECRETARIAT, comment_required=True,
               notify_proposer=True, webhook="roundtable.decided"),
    Transition("accept", ("submitted",), "accepted", SECRETARIAT, notify_proposer=True,
               webhook="roundtable.decided"),
    Transition("reject", ("submitted",), "rejected", SECRETARIAT, comment_required=True, notify_proposer=True,
               webhook="roundtable.decided"),
    Transition("schedule", ("accepted",), "scheduled", SECRETARIAT, notify_proposer=True),
    Transition("mark_held", ("scheduled",), "held", SECRETARIAT),
)}
# Actions offered on the page through the generic form (scheduling has its own page).
FORM_ACTIONS = ("submit", "withdraw", "request_changes", "accept", "reject", "mark_held")


def may_act(role: str, own_organization: bool, *, acting_role: str) -> bool:
    """Whether an account of ``role`` may act as ``acting_role`` on a roundtable."""
    if acting_role == CO_CONVENER:
        return role == CO_CONVENER and own_organization
    return role == SECRETARIAT


def permitted(action: str, status: str, role: str, own_organization: bool) -> bool:
    """Whether ``role`` may do ``action`` now (``own_organization``: the roundtable is their organization's)."""
    if action == "edit":
        return status in EDITABLE and may_act(role, own_organization, acting_role=CO_CONVENER)
    transition = TRANSITIONS.get(action)
    return (transition is not None and status in transition.sources
            and may_act(role, own_organization, acting_role=transition.role))


def available_actions(status: str, role: str, own_organization: bool) -> list[str]:
    """The page's actions this account may take on a roundtable in ``status``."""
    return [a for a in FORM_ACTIONS if permitted(a, status, role, own_organization)]
