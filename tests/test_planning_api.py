"""POST /api/v1/plans and GET /api/v1/plans/chart.svg: the plan document, DST, localized errors, SVG."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

import pytest

MARCH = {"date": "2027-03-17", "duration": 180}
OCTOBER = {"date": "2027-10-20", "duration": 180}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_plan_document_has_the_documented_shape(client):
    response = client.post("/api/v1/plans", json=MARCH)
    assert response.status_code == 200
    document = response.get_json()
    assert [s["label"] for s in document["sessions"]] == ["A", "B"]
    for planned in document["sessions"]:
        start, end = _utc(planned["start_utc"]), _utc(planned["end_utc"])
        assert planned["start_utc"].endswith("Z") and (end - start).total_seconds() == 180 * 60
    coverage = document["coverage"]
    assert coverage["total"] == 193 and 0 <= coverage["share"] <= 1
    assert coverage["count"] == 193 - len(document["uncovered"])
    assert abs(coverage["share"] - coverage["count"] / 193) < 1e-12
    assert len(document["participants"]) == 193 and document["comparison"]


def test_march_and_october_differ_by_daylight_saving_time(client):
    march = client.post("/api/v1/plans", json=MARCH).get_json()
    october = client.post("/api/v1/plans", json=OCTOBER).get_json()
    assert march["sessions"][0]["start_reference"].endswith("+01:00")  # Zurich in winter time
    assert october["sessions"][0]["start_reference"].endswith("+02:00")  # Zurich in summer time
    march_pair = [_utc(s["start_utc"]).time() for s in march["sessions"]]
    october_pair = [_utc(s["start_utc"]).time() for s in october["sessions"]]
    assert march_pair != october_pair


def test_custom_participants_and_weights(client):
    body = {**MARCH, "participants": [{"timezone": "Asia/Tokyo", "weight": 3},
                                      {"timezone": "America/Los_Angeles", "weight": 1}]}
    document = client.post("/api/v1/plans", json=body).get_json()
    assert document["coverage"] == {"share": 1.0, "count": 4, "total": 4}
    assert document["uncovered"] == []


@pytest.mark.parametrize(("body", "code", "field", "language", "expected"), [
    ({**MARCH, "participants": [{"timezone": "Mars/Olympus_Mons", "weight": 1}]}, "unknown_zone",
     "participants", "fr", "fuseau horaire"),
    ({**MARCH, "participants": [{"timezone": "Mars/Olympus_Mons", "weight": 1}]}, "unknown_zone",
     "participants", "es", "zona horaria"),
    ({**MARCH, "duration": 800}, "duration_exceeds_window", "window", "fr", "800 minutes"),
    ({**MARCH, "duration": 800}, "duration_exceeds_window", "window", "es", "800 minutos"),
    ({**MARCH, "window": "20:00-08:00"}, "empty_window", "window", "fr", "20:00-08:00"),
    ({**MARCH, "interpreters": "22:00-07:00"}, "empty_window", "interpreters", "es", "22:00-07:00"),
    ({**MARCH, "step": 7}, "bad_step", "step", "fr", "heure"),
    ({**MARCH, "step": 7}, "bad_step", "step", "es", "hora"),
    ({**MARCH, "participants": [{"timezone": "UTC", "weight": 1}] * 1001}, "too_many_participants",
     "participants", "fr", "1000"),
    ({**MARCH, "participants": [{"timezone": "UTC", "weight": 1}] * 1001}, "too_many_participants",
     "participants", "es", "1001"),
])
def test_bad_input_is_a_localized_422(client, body, code, field, language, expected):
    response = client.post("/api/v1/plans", json=body, headers={"Accept-Language": language})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["status"] == 422 and error["code"] == code
    assert expected in error["message"] and error["fields"][field] == error["message"]
    english = client.post("/api/v1/plans", json=body).get_json()["error"]["message"]
    assert english != error["message"], "the message is not translated"


def test_schema_errors_keep_the_one_error_shape(client):
    response = client.post("/api/v1/plans", json={"date": "17/03/2027"}, headers={"Accept-Language": "es"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and {"date", "duration"} <= set(error["fields"])


def test_chart_is_downloadable_svg(client):
    response = client.get("/api/v1/plans/chart.svg?date=2027-03-17&duration=180",
                          headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    root = ElementTree.fromstring(response.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = response.get_data(as_text=True)
    assert "Amériques" in text and "style=" not in text


def test_chart_bad_input_is_a_localized_error(client):
    response = client.get("/api/v1/plans/chart.svg?date=2027-03-17&duration=180&step=7",
                          headers={"Accept-Language": "es"})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "bad_step"
