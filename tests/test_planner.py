"""Fast planner behaviour: default member States, DST, odd offsets, date line, edge cases, rotation."""

import json
import time as clock
from datetime import UTC, date, datetime, time
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from scheduler.participants import Participant
from scheduler.planner import FIXED_PAIRS, PlanRequest, plan
from scheduler.reference import plan_exhaustive
from scheduler.timeline import build_timeline, session_fit, to_minute

MARCH, OCTOBER = date(2027, 3, 17), date(2027, 10, 20)
ZURICH = ZoneInfo("Europe/Zurich")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def march():
    return plan(PlanRequest(date=MARCH))


@pytest.fixture(scope="module")
def october():
    return plan(PlanRequest(date=OCTOBER))


def _row(result, country):
    return next(r for r in result.rows if r.participant.country == country)


def test_default_march_pair_and_coverage(march):
    a, b = march.sessions
    assert (a.label, a.start, a.end) == ("A", utc(2027, 3, 17, 6), utc(2027, 3, 17, 9))
    assert (b.label, b.start, b.end) == ("B", utc(2027, 3, 17, 14), utc(2027, 3, 17, 17))
    assert (march.score.covered, march.score.total) == (185, 193)
    assert {r.participant.country for r in march.uncovered} == {"FJ", "TV", "MH", "NR", "KI", "WS", "NZ", "TO"}


def test_dst_on_the_actual_date_changes_the_plan(march, october):
    # 17 March 2027: US already on summer time, Europe not yet; 20 October: both on summer time.
    assert [s.start for s in october.sessions] == [utc(2027, 10, 20, 5), utc(2027, 10, 20, 14)]
    assert [s.start for s in march.sessions] != [s.start for s in october.sessions]
    us_march, us_october = _row(march, "US"), _row(october, "US")
    assert us_march.b.start.utcoffset() == us_october.b.start.utcoffset()  # EDT both times
    assert _row(march, "CH").a.start.strftime("%H:%M%z") == "07:00+0100"
    assert _row(october, "CH").a.start.strftime("%H:%M%z") == "07:00+0200"
    assert _row(march, "AU").a.start.strftime("%H:%M%z") == "17:00+1100"
    assert october.score.covered == 190


def test_planner_beats_or_equals_every_feasible_fixed_pair(march, october):
    for result in (march, october):
        names = [pair.name for pair in result.comparison]
        assert names == [f"{x:%H:%M}+{y:%H:%M}" for x, y in FIXED_PAIRS]
        for pair in result.comparison:
            assert pair.feasible
            assert pair.score.covered <= result.score.covered
        assert result.score.covered > max(p.score.covered for p in result.comparison) - 1
    assert [float(p.score.covered) for p in march.comparison] == [180, 181, 143]


def test_member_states_match_the_exhaustive_reference_on_an_hourly_grid():
    request = PlanRequest(date=OCTOBER, step_minutes=60)
    fast, slow = plan(request), plan_exhaustive(request)
    assert (fast.sessions[0].start, fast.sessions[1].start) == (slow.a, slow.b)
    assert fast.score == slow.score


def test_five_minute_grid_for_all_member_states_is_fast():
    started = clock.perf_counter()
    result = plan(PlanRequest(date=MARCH, step_minutes=5))
    elapsed = clock.perf_counter() - started
    assert elapsed < 1.0
    assert result.pairs_considered > 4000
    assert result.score.covered >= 185


def test_empty_participants_get_the_widest_pair_and_vacuous_full_share():
    result = plan(PlanRequest(date=MARCH, participants=()))
    assert [s.start.astimezone(ZURICH).time() for s in result.sessions] == [time(7), time(19)]
    assert (result.score.covered, result.score.total, result.score.share) == (0, 0, 1.0)
    document = result.to_document()
    assert document["coverage"] == {"share": 1.0, "count": 0, "total": 0}
    assert document["uncovered"] == [] and document["participants"] == []


def test_single_zone_like_the_reference_gets_two_core_hour_sessions():
    result = plan(PlanRequest(date=MARCH, participants=(Participant("Europe/Zurich", 3),)))
    assert [s.start.astimezone(ZURICH).time() for s in result.sessions] == [time(9), time(14)]
    assert (result.score.covered, result.score.discomfort, result.score.imbalance) == (3, 0, 0)
    assert result.rows[0].suits == "A"


def test_single_half_hour_zone():
    result = plan(PlanRequest(date=MARCH, participants=(Participant("Asia/Kolkata"),)))
    row = result.rows[0]
    assert row.a.start.strftime("%H:%M") == "11:30" and row.a.fits and row.a.discomfort == 0
    assert result.sessions[1].start == utc(2027, 3, 17, 18)  # nobody gains from B: latest B
    assert result.score.imbalance == 1


def test_quarter_hour_and_date_line_zones_show_local_times_and_day_marks(march):
    people = tuple(Participant(z) for z in
                   ("Asia/Kathmandu", "Pacific/Chatham", "Pacific/Kiritimati", "Pacific/Apia", "Pacific/Honolulu"))
    result = plan(PlanRequest(date=MARCH, participants=people, step_minutes=5))
    fixed = [(z.participant.zone, z.a.start.strftime("%H:%M"), z.a.day_offset) for z in result.rows]
    a = result.sessions[0].start
    for zone, local, day in fixed:
        expected = a.astimezone(ZoneInfo(zone))
        assert local == expected.strftime("%H:%M")
        assert day == (expected.date() - MARCH).days
    local = {r.participant.zone: r for r in _fixed_pair_rows(people)}
    assert local["Pacific/Kiritimati"].b.start.strftime("%H:%M") == "04:00"
    assert local["Pacific/Kiritimati"].b.day_offset == 1
    assert local["Pacific/Chatham"].a.start.strftime("%H:%M%z") == "21:45+1345"
    assert local["Pacific/Chatham"].a.day_offset == 0
    honolulu = local["Pacific/Honolulu"].a
    assert (honolulu.start.strftime("%H:%M"), honolulu.day_offset) == ("22:00", -1)
    assert local["Asia/Kathmandu"].a.start.strftime("%H:%M") == "13:45"
    row = _row(march, "NP")
    assert (row.a.start.strftime("%H:%M"), row.b.start.strftime("%H:%M"), row.suits) == ("11:45", "19:45", "A")


def _fixed_pair_rows(people):
    """Rows for the 09:00+15:00 Zurich pair, forced by an interpreters' window that admits only it."""
    request = PlanRequest(date=MARCH, participants=people, interpreters=(time(9), time(18)),
                          min_gap_minutes=180, duration_minutes=180)
    result = plan(request)
    assert [s.start.astimezone(ZURICH).time() for s in result.sessions] == [time(9), time(15)]
    return result.rows


def test_dst_change_inside_a_session_is_integrated_minute_by_minute():
    zone = ZoneInfo("America/New_York")  # 2027-03-14 07:00 UTC: 02:00 EST becomes 03:00 EDT
    start = to_minute(utc(2027, 3, 14, 6))
    timeline = build_timeline(zone, start - 600, start + 600)
    assert timeline == ((start - 600, -300), (to_minute(utc(2027, 3, 14, 7)), -240))
    prefix = PlanRequest(date=MARCH).comfort.prefix()
    fit = session_fit(timeline, start, 180, (8 * 60, 20 * 60), prefix)
    # 01:00-02:00 EST, then 03:00-05:00 EDT: three night hours.
    assert (fit.fits, fit.discomfort) == (False, 3 * 60 * 10)


def test_document_shape_is_json_ready(march):
    document = json.loads(json.dumps(march.to_document()))
    assert [s["label"] for s in document["sessions"]] == ["A", "B"]
    assert document["sessions"][0]["start_utc"] == "2027-03-17T06:00:00Z"
    assert document["sessions"][1]["end_utc"] == "2027-03-17T17:00:00Z"
    assert document["sessions"][0]["start_reference"] == "2027-03-17T07:00:00+01:00"
    assert document["coverage"] == {"share": 185 / 193, "count": 185, "total": 193}
    assert len(document["uncovered"]) == 8 and len(document["participants"]) == 193
    assert [r["region"] for r in document["regions"]] == sorted(r["region"] for r in document["regions"])
    assert sum(r["total"] for r in document["regions"]) == 193
    kiribati = next(p for p in document["participants"] if p["country"] == "KI")
    assert kiribati["A"]["time"] == "18:00" and kiribati["A"]["day"] == 0
    assert kiribati["B"]["time"] == "02:00" and kiribati["B"]["day"] == 1
    assert kiribati["B"]["local"] == "2027-03-18T02:00:00+12:00"
    assert kiribati["suits"] == "none"
    assert {c["name"] for c in document["comparison"]} == {"09:00+15:00", "08:00+16:00", "07:00+18:00"}
    assert document["rotation"] is None
    europe = next(r for r in document["regions"] if r["region"] == "europe")
    assert europe["covered"] == europe["total"] == 48 and europe["suits"]["none"] == 0
    assert {z["zone"]: z["A"]["time"] for z in europe["zones"]}["Europe/London"] == "06:00"


def test_consecutive_days_allow_b_on_the_next_day():
    request = PlanRequest(date=MARCH, participants=(Participant("Europe/Zurich"),), same_day=False,
                          interpreters=(time(7), time(12)))
    result = plan(request)
    assert result.sessions[0].start.astimezone(ZURICH).date() == MARCH
    assert result.sessions[1].start.astimezone(ZURICH).date() == date(2027, 3, 18)


def test_fractional_weights_are_exact():
    people = (Participant("Asia/Tokyo", 0.1), Participant("America/New_York", 0.2), Participant("UTC", 0.3))
    result = plan(PlanRequest(date=MARCH, participants=people))
    assert result.score.total == Fraction(6, 10)
    assert result.score == plan_exhaustive(PlanRequest(date=MARCH, participants=people)).score


def _rotation_cost(result, previous):
    """Sum over regions of last time's burden x this time's weighted penalty-minutes."""
    weight = {}
    for row in result.rows:
        weight[row.participant.region] = weight.get(row.participant.region, 0) + 1
    return sum(previous[r] * weight[r] * b for r, b in result.region_burden().items())


def test_rotation_moves_the_burden_within_the_tolerance(march):
    previous = march.region_burden()
    assert max(previous, key=previous.get) == "asia_pacific"
    assert min(previous, key=previous.get) == "americas"
    rotated = plan(PlanRequest(date=OCTOBER, previous_burden=tuple(previous.items()), tolerance_points=5))
    plain = plan(PlanRequest(date=OCTOBER))
    assert [s.start for s in rotated.sessions] == [utc(2027, 10, 20, 5), utc(2027, 10, 20, 13)]
    assert plain.score.covered - rotated.score.covered <= Fraction(5, 100) * 193
    assert _rotation_cost(rotated, previous) < _rotation_cost(plain, previous)
    # The region with the best hours last time carries more of the burden this time.
    assert rotated.region_burden()["americas"] > plain.region_burden()["americas"]
    assert rotated.region_burden()["europe"] < plain.region_burden()["europe"]
    assert rotated.to_document()["rotation"]["tolerance_points"] == 5
    with_zero_tolerance = plan(PlanRequest(date=OCTOBER, previous_burden=tuple(previous.items())))
    assert with_zero_tolerance.score.covered == plain.score.covered


def test_rotation_with_hourly_grid_matches_the_reference(march):
    request = PlanRequest(date=OCTOBER, previous_burden=tuple(march.region_burden().items()), tolerance_points=5,
                          step_minutes=60)
    fast, slow = plan(request), plan_exhaustive(request)
    assert (fast.sessions[0].start, fast.sessions[1].start, fast.score) == (slow.a, slow.b, slow.score)


def test_rotation_breaks_an_exact_tie_toward_the_burdened_region():
    # Session A serves both Sao Paulo and Dubai: starting it an hour later moves an hour of
    # discomfort from Sao Paulo to Dubai at equal total; last time's burden decides.
    people = (Participant("America/Sao_Paulo", region="americas"), Participant("Asia/Dubai", region="mena"),
              Participant("Pacific/Auckland", region="asia_pacific"))
    base = dict(date=MARCH, participants=people, duration_minutes=120, min_gap_minutes=0)
    plain = plan(PlanRequest(**base))
    favour_americas = plan(PlanRequest(**base, previous_burden=(("americas", 5), ("mena", 1))))
    favour_mena = plan(PlanRequest(**base, previous_burden=(("americas", 1), ("mena", 5))))
    assert plain.score.discomfort == favour_americas.score.discomfort == favour_mena.score.discomfort
    assert [s.start.astimezone(ZURICH).time() for s in favour_americas.sessions] == [time(13), time(20)]
    assert [s.start.astimezone(ZURICH).time() for s in favour_mena.sessions] == [time(12), time(20)]
    assert [r.better_discomfort for r in favour_americas.rows[:2]] == [0, 60]
    assert [r.better_discomfort for r in favour_mena.rows[:2]] == [60, 0]
