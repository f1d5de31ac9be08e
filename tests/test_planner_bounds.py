"""The public planner accepts only bounded work: the requests that took a worker for minutes are 422 now."""

from __future__ import annotations

import pytest

MARCH = {"date": "2027-03-17", "duration": 180}


@pytest.mark.parametrize("body, code, field", [
    ({**MARCH, "step": 1, "window": "00:00-23:59", "interpreters": "00:00-23:59", "same_day": False},
     "step_out_of_bounds", "step"),
    ({**MARCH, "step": 5}, "step_out_of_bounds", "step"),
    ({**MARCH, "participants": [{"timezone": "Europe/Paris"}] * 1001}, "too_many_participants", "participants"),
    # Refused by the request schema already (0 to 1,000,000), before the planner's own bounds.
    ({**MARCH, "participants": [{"timezone": "Europe/Paris", "weight": 1e300}]}, "invalid_input", "participants"),
    ({**MARCH, "min_gap": 10**9}, "gap_out_of_bounds", "min_gap"),
])
def test_unbounded_plans_are_a_localized_422(client, body, code, field):
    messages = set()
    for language in ("en", "fr", "es"):
        response = client.post("/api/v1/plans", json=body, headers={"Accept-Language": language})
        error = response.get_json()["error"]
        assert response.status_code == 422 and error["code"] == code and field in error["fields"]
        messages.add(error["message"])
    assert len(messages) == 3  # English, French and Spanish


def test_the_chart_refuses_a_one_minute_grid(client):
    response = client.get("/api/v1/plans/chart.svg?date=2027-03-17&duration=180&step=1&same_day=false",
                          headers={"Accept-Language": "es"})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "step_out_of_bounds"
    assert "minutos" in response.get_json()["error"]["message"]


def test_the_largest_accepted_request_is_answered(client):
    zones = ["Pacific/Kiritimati", "Asia/Kathmandu", "America/St_Johns", "Europe/Zurich", "Pacific/Pago_Pago"]
    body = {**MARCH, "step": 15, "window": "00:00-23:59", "interpreters": "00:00-23:59", "same_day": False,
            "min_gap": 0, "participants": [{"timezone": zones[i % 5], "weight": 1000000} for i in range(1000)]}
    response = client.post("/api/v1/plans", json=body)
    assert response.status_code == 200 and len(response.get_json()["sessions"]) == 2
