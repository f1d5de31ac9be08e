"""Input parsing and validation: every bad input is a PlanInputError with a stable code."""

from datetime import date, time

import pytest

from scheduler.comfort import ComfortPolicy, format_window, parse_window
from scheduler.errors import PlanInputError
from scheduler.participants import Participant, read_participants_csv
from scheduler.planner import PlanRequest, plan

DAY = date(2027, 3, 17)


def _code(excinfo) -> str:
    return excinfo.value.code


def test_parse_window_round_trip():
    assert parse_window("08:00-20:00") == (time(8), time(20))
    assert parse_window(" 7:30 - 21:45 ") == (time(7, 30), time(21, 45))
    assert format_window(parse_window("07:00-22:00")) == "07:00-22:00"


@pytest.mark.parametrize("text", ["", "8-20", "08:00", "08:00-24:00", "08:60-20:00", "ab:cd-ef:gh", "08:00–20:00"])
def test_parse_window_bad_format(text):
    with pytest.raises(PlanInputError) as excinfo:
        parse_window(text)
    assert _code(excinfo) == "bad_window_format"
    assert excinfo.value.params == {"value": text}


@pytest.mark.parametrize("text", ["20:00-08:00", "08:00-08:00"])
def test_parse_window_empty(text):
    with pytest.raises(PlanInputError) as excinfo:
        parse_window(text)
    assert _code(excinfo) == "empty_window"


def test_read_participants_csv():
    text = "\ufefftimezone,weight,label\nAsia/Kolkata,2,Delhi office\n\nPacific/Apia,0.5,\n"
    people = read_participants_csv(text)
    assert [p.zone for p in people] == ["Asia/Kolkata", "Pacific/Apia"]
    assert [float(p.weight) for p in people] == [2.0, 0.5]
    assert people[0].label == "Delhi office" and people[1].label is None


def test_read_participants_csv_unknown_zone_reports_line():
    with pytest.raises(PlanInputError) as excinfo:
        read_participants_csv("timezone,weight\nEurope/Zurich,1\nMars/Olympus,1\n")
    assert _code(excinfo) == "unknown_zone"
    assert excinfo.value.params == {"zone": "Mars/Olympus", "line": 3}


@pytest.mark.parametrize(
    ("text", "code", "reason"),
    [
        ("", "bad_csv", "empty"),
        ("timezone,weight\n", "bad_csv", "empty"),
        ("zone,count\nEurope/Zurich,1\n", "bad_csv", "missing_columns"),
        ("timezone,weight\nEurope/Zurich,1,extra\n", "bad_csv", "bad_row"),
        ("timezone,weight\nEurope/Zurich,-1\n", "bad_weight", None),
        ("timezone,weight\nEurope/Zurich,lots\n", "bad_weight", None),
        ("timezone,weight\nEurope/Zurich,nan\n", "bad_weight", None),
    ],
)
def test_read_participants_csv_errors(text, code, reason):
    with pytest.raises(PlanInputError) as excinfo:
        read_participants_csv(text)
    assert _code(excinfo) == code
    if reason:
        assert excinfo.value.params["reason"] == reason


@pytest.mark.parametrize(
    ("changes", "code", "params"),
    [
        ({"participants": (Participant("Europe/Atlantis"),)}, "unknown_zone", {"zone": "Europe/Atlantis"}),
        ({"reference_zone": "Zurich"}, "unknown_zone", {"zone": "Zurich"}),
        ({"duration_minutes": 13 * 60}, "duration_exceeds_window",
         {"window": "participants", "duration": 780, "window_minutes": 720}),
        ({"interpreters": (time(9), time(11))}, "duration_exceeds_window",
         {"window": "interpreters", "duration": 180, "window_minutes": 120}),
        ({"window": (time(20), time(8))}, "empty_window",
         {"window": "participants", "start": "20:00", "end": "08:00"}),
        ({"step_minutes": 7}, "bad_step", {"step": 7}),
        ({"step_minutes": 0}, "bad_step", {"step": 0}),
        ({"step_minutes": 90}, "bad_step", {"step": 90}),
        ({"duration_minutes": 0}, "bad_duration", {"duration": 0}),
        ({"min_gap_minutes": -5}, "bad_gap", {"gap": -5}),
        ({"tolerance_points": 101}, "bad_tolerance", {"value": 101}),
        ({"comfort": ComfortPolicy(penalties=(1,) * 23)}, "bad_comfort", {"reason": "length"}),
        ({"participants": (Participant("UTC", weight=-2),)}, "bad_weight", {"value": -2}),
        ({"date": date(1850, 1, 1)}, "bad_date", {"date": "1850-01-01"}),
        ({"duration_minutes": 450, "window": (time(0), time(23))}, "no_feasible_pair",
         {"duration": 450, "gap": 60}),
    ],
)
def test_plan_rejects_bad_input_with_stable_codes(changes, code, params):
    request = PlanRequest(date=DAY, participants=(Participant("Europe/Zurich"),))
    request = PlanRequest(**{**request.__dict__, **changes})
    with pytest.raises(PlanInputError) as excinfo:
        plan(request)
    assert excinfo.value.code == code
    assert excinfo.value.params == params
    assert str(excinfo.value).startswith(code + "(")


def test_error_is_a_value_error_with_developer_text_only():
    error = PlanInputError("bad_step", step=7)
    assert isinstance(error, ValueError)
    assert str(error) == "bad_step(step=7)"
