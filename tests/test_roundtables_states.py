"""The table of status changes: who may do what from which status, and nothing else."""

from __future__ import annotations

import itertools

import pytest

from meetings.roundtables.states import EDITABLE, STATES, TRANSITIONS, available_actions, permitted

EXPECTED = {  # action -> (allowed sources, role that may act, target)
    "submit": ({"draft", "changes_requested"}, "co_convener", "submitted"),
    "withdraw": ({"draft", "submitted", "changes_requested", "accepted"}, "co_convener", "withdrawn"),
    "request_changes": ({"submitted"}, "secretariat", "changes_requested"),
    "accept": ({"submitted"}, "secretariat", "accepted"),
    "reject": ({"submitted"}, "secretariat", "rejected"),
    "schedule": ({"accepted"}, "secretariat", "scheduled"),
    "mark_held": ({"scheduled"}, "secretariat", "held"),
}


@pytest.mark.parametrize("action,status,role,own", list(itertools.product(
    [*EXPECTED, "edit"], STATES, ["co_convener", "secretariat"], [True, False])))
def test_every_combination(action, status, role, own):
    if action == "edit":
        expected = status in EDITABLE and role == "co_convener" and own
    else:
        sources, actor, _target = EXPECTED[action]
        expected = status in sources and role == actor and (own or role == "secretariat")
    assert permitted(action, status, role, own) is expected


def test_targets_and_terminal_states():
    assert {a: t.target for a, t in TRANSITIONS.items()} == {a: e[2] for a, e in EXPECTED.items()}
    for terminal in ("rejected", "withdrawn", "held"):
        assert all(not permitted(a, terminal, r, True) for a in TRANSITIONS for r in ("co_convener", "secretariat"))


def test_decisions_need_a_comment_and_reach_the_proposer():
    assert TRANSITIONS["reject"].comment_required and TRANSITIONS["request_changes"].comment_required
    assert not TRANSITIONS["accept"].comment_required
    assert all(TRANSITIONS[a].notify_proposer for a in ("request_changes", "accept", "reject", "schedule"))
    assert TRANSITIONS["submit"].webhook == "roundtable.proposed"
    assert {TRANSITIONS[a].webhook for a in ("request_changes", "accept", "reject")} == {"roundtable.decided"}


def test_page_actions():
    assert available_actions("draft", "co_convener", True) == ["submit", "withdraw"]
    assert available_actions("draft", "co_convener", False) == []
    assert available_actions("submitted", "secretariat", False) == ["request_changes", "accept", "reject"]
