"""The match state machine: who may move a match from which state to which."""

from __future__ import annotations

import pytest

from meetings.support import states

ROLES = (states.SECRETARIAT, states.REQUESTER, states.OFFERER, "co_convener", "anonymous")

# (action, source, role) -> allowed; everything not listed is refused.
ALLOWED = {
    ("accept", "proposed", states.REQUESTER), ("accept", "proposed", states.OFFERER),
    ("decline", "proposed", states.REQUESTER), ("decline", "proposed", states.OFFERER),
    ("withdraw", "proposed", states.SECRETARIAT), ("withdraw", "agreed", states.SECRETARIAT),
    ("start", "agreed", states.SECRETARIAT), ("start", "agreed", states.REQUESTER),
    ("start", "agreed", states.OFFERER),
    ("complete", "under_way", states.SECRETARIAT), ("complete", "under_way", states.REQUESTER),
    ("complete", "under_way", states.OFFERER),
    ("close", "completed", states.SECRETARIAT),
}


@pytest.mark.parametrize("action", list(states.TRANSITIONS))
def test_the_table_allows_exactly_the_listed_moves(action):
    for status in states.STATES:
        for role in ROLES:
            assert states.permitted(action, status, role) == ((action, status, role) in ALLOWED), \
                (action, status, role)


def test_unknown_actions_are_refused():
    assert not states.permitted("delete", "proposed", states.SECRETARIAT)
    assert not states.allowed_somewhere("delete", states.SECRETARIAT)


def test_the_secretariat_never_answers_for_a_party():
    assert states.available_actions("proposed", states.SECRETARIAT) == ["withdraw"]
    assert states.available_actions("proposed", states.REQUESTER) == ["accept", "decline"]


def test_agreed_only_once_both_parties_accept():
    assert states.next_status("accept", "proposed", {"requester": "accepted", "offerer": "pending"},
                              states.REQUESTER) == "proposed"
    assert states.next_status("accept", "proposed", {"requester": "accepted", "offerer": "accepted"},
                              states.OFFERER) == "agreed"
    assert states.next_status("decline", "proposed", {"requester": "accepted", "offerer": "declined"},
                              states.OFFERER) == "declined"


def test_terminal_states_allow_nothing():
    for status in ("closed", "declined", "withdrawn"):
        assert all(states.available_actions(status, role) == [] for role in ROLES)


def test_the_life_of_a_match_is_a_path_through_the_table():
    status = "proposed"
    for action, role in (("start", states.REQUESTER), ("close", states.SECRETARIAT)):
        assert not states.permitted(action, status, role)
    path = [("accept", states.OFFERER), ("start", states.OFFERER), ("complete", states.REQUESTER),
            ("close", states.SECRETARIAT)]
    status = "agreed"  # after both accepted
    for action, role in path[1:]:
        assert states.permitted(action, status, role)
        status = states.TRANSITIONS[action].target
    assert status == "closed"
