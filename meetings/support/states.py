"""The one table of a match's status changes and who may make each (pure, no Flask).

A match is proposed by the secretariat; each party (the requesting State, the offering stakeholder)
answers through its own private link. It becomes agreed only when both have accepted; either party
declining ends it. Once agreed, the parties or the secretariat report it under way and completed;
the secretariat closes it (or withdraws a proposal that is going nowhere).
"""

from __future__ import annotations

from dataclasses import dataclass

STATES = ("proposed", "agreed", "under_way", "completed", "closed", "declined", "withdrawn")
ACTIVE = ("proposed", "agreed", "under_way", "completed")
RESPONSES = ("pending", "accepted", "declined")
SECRETARIAT = "secretariat"
REQUESTER = "requester"
OFFERER = "offerer"
PARTIES = (REQUESTER, OFFERER)


@dataclass(frozen=True)
class Transition:
    """An action that moves a match from one of ``sources`` to ``target``, for ``roles``."""

    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    outcome_required: bool = False
    both_parties: bool = False  # the target is reached only once both parties have done it


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("accept", ("proposed",), "agreed", PARTIES, both_parties=True),
    Transition("decline", ("proposed",), "declined", PARTIES),
    Transition("withdraw", ("proposed", "agreed"), "withdrawn", (SECRETARIAT,)),
    Transition("start", ("agreed",), "under_way", (SECRETARIAT, *PARTIES)),
    Transition("complete", ("under_way",), "completed", (SECRETARIAT, *PARTIES), outcome_required=True),
    Transition("close", ("completed",), "closed", (SECRETARIAT,)),
)}
# The column that records when a match reached each state.
DATE_COLUMNS = {"agreed": "agreed_at", "under_way": "started_at", "completed": "completed_at",
                "closed": "ended_at", "declined": "ended_at", "withdrawn": "ended_at"}


def permitted(action: str, status: str, role: str) -> bool:
    """Whether ``role`` may do ``action`` on a match in ``status``."""
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources and role in transition.roles


def allowed_somewhere(action: str, role: str) -> bool:
    """Whether ``role`` may ever do ``action`` (so a refusal now is about the status: 409, not 403)."""
    transition = TRANSITIONS.get(action)
    return transition is not None and role in transition.roles


def available_actions(status: str, role: str) -> list[str]:
    """The actions ``role`` may take on a match in ``status``, in table order."""
    return [action for action in TRANSITIONS if permitted(action, status, role)]


def next_status(action: str, status: str, responses: dict[str, str], role: str) -> str:
    """The status after ``role`` does ``action`` (``responses``: each party's answer after this one)."""
    transition = TRANSITIONS[action]
    if transition.both_parties and not all(responses.get(p) == "accepted" for p in PARTIES):
        return status
    return transition.target
