"""Interpretation plan arithmetic on hand-built sessions (pure: no database, no Flask)."""

from __future__ import annotations

import pytest

from meetings.console.interpretation import plan_interpretation, team_size


def _channels(plan):
    return {(c.source, c.target): c.listeners for c in plan.channels}


def test_everyone_speaks_and_listens_one_language_needs_no_interpretation():
    plan = plan_interpretation([("fr", "fr")] * 12, 180)
    assert plan.channels == () and plan.booths == () and plan.interpreters == 0
    assert not plan.needs_interpretation
    assert plan.spoken == {"en": 0, "fr": 12, "es": 0} and plan.listening == {"en": 0, "fr": 12, "es": 0}
    assert plan.no_demand == ("en", "es")


def test_a_channel_needs_someone_else_speaking_the_source():
    # One person speaks French and listens in English: nobody else speaks French, nobody needs it.
    assert plan_interpretation([("fr", "en")], 120).channels == ()
    # A second person speaking English and listening in English now needs French -> English.
    plan = plan_interpretation([("fr", "en"), ("en", "en")], 120)
    assert _channels(plan) == {("fr", "en"): 1}
    assert [(b.target, b.sources, b.team_size) for b in plan.booths] == [("en", ("fr",), 2)]
    assert plan.no_demand == ("es",)


def test_three_languages_full_matrix_and_listener_counts():
    people = [("en", "en")] * 3 + [("fr", "fr")] * 2 + [("es", "es"), ("es", "en")]
    plan = plan_interpretation(people, 180)
    assert _channels(plan) == {
        ("fr", "en"): 4, ("es", "en"): 4,  # 3 en-listeners + the Spanish speaker listening in English
        ("en", "fr"): 2, ("es", "fr"): 2,
        ("en", "es"): 1, ("fr", "es"): 1,
    }
    assert [b.target for b in plan.booths] == ["en", "fr", "es"]
    assert plan.team_size == 2 and plan.interpreters == 6 and plan.no_demand == ()


def test_a_lone_speaker_of_the_source_does_not_need_their_own_channel():
    # Only Ana speaks Spanish; she listens in Spanish; others speak and listen in English.
    plan = plan_interpretation([("es", "es"), ("en", "en"), ("en", "en")], 90)
    assert _channels(plan) == {("es", "en"): 2, ("en", "es"): 1}


def test_team_size_follows_session_length():
    assert team_size(180) == 2 and team_size(181) == 3 and team_size(60) == 2
    assert team_size(200, long_minutes=240, short_team=2, long_team=4) == 2
    assert team_size(241, long_minutes=240, short_team=2, long_team=4) == 4
    with pytest.raises(ValueError):
        team_size(0)
    plan = plan_interpretation([("en", "fr"), ("fr", "en"), ("en", "en")], 240)
    assert _channels(plan) == {("en", "fr"): 1, ("fr", "en"): 1}  # the French speaker needs no fr->en
    assert plan.team_size == 3 and plan.interpreters == 6  # two booths of three


def test_two_people_each_the_only_speaker_of_their_language_need_nothing():
    # Each listens in the other's language, but nobody *else* speaks it: no channel, by the rule.
    assert plan_interpretation([("en", "fr"), ("fr", "en")], 60).channels == ()


def test_unknown_languages_are_ignored_and_counted():
    plan = plan_interpretation([("ar", "en"), (None, "fr"), ("en", "en")], 60)
    assert plan.participants == 1 and plan.ignored == 2 and plan.channels == ()
