"""Property: the fast planner picks exactly the exhaustive reference's pair and objective."""

from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.comfort import DEFAULT_PENALTIES, ComfortPolicy
from scheduler.errors import PlanInputError
from scheduler.participants import REGIONS, Participant
from scheduler.planner import PlanRequest, plan
from scheduler.reference import plan_exhaustive

ZONES = (
    "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "Pacific/Kiritimati", "Pacific/Apia",
    "America/St_Johns", "Europe/Zurich", "America/New_York", "America/Havana", "Australia/Lord_Howe",
    "Pacific/Auckland", "Asia/Tehran", "Africa/Casablanca", "America/Santiago", "Pacific/Honolulu", "UTC",
)
# DST change days in the zones above (both hemispheres), plus ordinary days.
DATES = (
    date(2027, 3, 14), date(2027, 3, 28), date(2027, 4, 4), date(2027, 9, 26), date(2027, 10, 31),
    date(2027, 11, 7), date(2027, 3, 17), date(2027, 10, 20), date(2026, 12, 31), date(2028, 2, 29),
)
WINDOWS = ((time(8), time(20)), (time(7, 30), time(19, 15)), (time(9), time(17)), (time(6), time(23, 45)))
INTERPRETERS = ((time(7), time(22)), (time(6, 30), time(21, 45)), (time(9), time(18)), (time(0), time(23, 55)))

weights = st.sampled_from([0, 1, 1, 2, 3, 0.5, 1.25, 7])
participants = st.lists(
    st.builds(Participant, zone=st.sampled_from(ZONES), weight=weights,
              region=st.sampled_from((None, *REGIONS[:3]))),
    max_size=6,
).map(tuple)
comforts = st.one_of(
    st.just(ComfortPolicy()),
    st.lists(st.integers(0, 10), min_size=24, max_size=24).map(lambda p: ComfortPolicy(tuple(p))),
)
burdens = st.one_of(
    st.just(()),
    st.lists(st.tuples(st.sampled_from(REGIONS[:3]), st.sampled_from([0, 0.5, 1, 2.25, 7])),
             max_size=3, unique_by=lambda t: t[0]).map(tuple),
)


@st.composite
def requests(draw):
    """Random requests; fine grids get at most a 15-hour window on one day to keep the reference quick."""
    step = draw(st.sampled_from([5, 10, 15, 20, 30, 60]))
    fine = step < 15
    return PlanRequest(
        date=draw(st.one_of(st.sampled_from(DATES), st.dates(date(2026, 1, 1), date(2028, 12, 31)))),
        duration_minutes=draw(st.sampled_from([30, 45, 60, 90, 120, 180])),
        participants=draw(participants),
        reference_zone=draw(st.sampled_from(("Europe/Zurich", "America/New_York", "Asia/Kolkata", "Pacific/Apia"))),
        window=draw(st.sampled_from(WINDOWS)),
        interpreters=draw(st.sampled_from(INTERPRETERS[:3] if fine else INTERPRETERS)),
        comfort=draw(comforts),
        min_gap_minutes=draw(st.sampled_from([0, 15, 45, 60, 120])),
        same_day=True if fine else draw(st.booleans()),
        step_minutes=step,
        previous_burden=draw(burdens),
        tolerance_points=draw(st.sampled_from([0, 1, 5, 12.5, 40])),
    )


def _outcome(function, request):
    try:
        return function(request), None
    except PlanInputError as error:
        return None, (error.code, error.params)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_fast_planner_equals_exhaustive_reference(request):
    fast, fast_error = _outcome(plan, request)
    slow, slow_error = _outcome(plan_exhaustive, request)
    assert fast_error == slow_error
    if fast is None:
        return
    assert fast.score == slow.score
    assert (fast.sessions[0].start, fast.sessions[1].start) == (slow.a, slow.b)
    assert fast.sessions[1].end - fast.sessions[0].start >= timedelta(
        minutes=2 * request.duration_minutes + request.min_gap_minutes)
    assert 0.0 <= fast.score.share <= 1.0


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(ZONES), min_size=1, max_size=8), st.sampled_from(DATES))
def test_uniform_weights_and_default_policy_match(zones, day):
    request = PlanRequest(date=day, participants=tuple(Participant(z) for z in zones), step_minutes=10,
                          comfort=ComfortPolicy(DEFAULT_PENALTIES))
    fast, slow = plan(request), plan_exhaustive(request)
    assert (fast.sessions[0].start, fast.sessions[1].start, fast.score) == (slow.a, slow.b, slow.score)
