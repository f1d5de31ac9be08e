"""SVG chart, text table and yearly series built from plans."""

import xml.etree.ElementTree as ET
from datetime import date, time

import pytest

from scheduler.chart import LABEL_KEYS, chart_rows, render_plan_svg
from scheduler.errors import PlanInputError
from scheduler.participants import Participant
from scheduler.planner import PlanRequest, plan
from scheduler.series import suggest_series, third_wednesday
from scheduler.table import format_plan_table

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {key: f"«{key}» <&>" for key in LABEL_KEYS} | {"title": "Séances jumelles <A&B>", "utc": "UTC"}


@pytest.fixture(scope="module")
def march():
    return plan(PlanRequest(date=date(2027, 3, 17)))


def test_svg_parses_and_draws_both_sessions_and_escaped_labels(march):
    svg = render_plan_svg(march, LABELS)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    rects = root.iter(f"{SVG}rect")
    classes = [r.get("class", "") for r in rects]
    assert classes.count("session session-A") == 1 and classes.count("session session-B") == 1
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Séances jumelles <A&B>" in texts
    assert "«session_a» <&>" in texts and "«night» <&>" in texts
    assert any(t.startswith("«region.europe» <&> · UTC+01:00 (") for t in texts)
    # Session A starts 06:00 UTC: x = left margin (where hour 00 is drawn) + 6 hours.
    left = float(next(t for t in root.iter(f"{SVG}text") if t.text == "00").get("x"))
    bar = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "session session-A")
    assert float(bar.get("x")) == left + 6 * 30 and float(bar.get("width")) == 3 * 30
    # The label column fits its longest label (no label cut at the left edge).
    longest = max(len(t) for t in texts if " · UTC" in t)
    assert left >= longest * 6.6


def test_svg_legend_items_never_overlap_in_any_language(march):
    long_labels = {**LABELS, **{key: f"Une étiquette de légende vraiment très longue ({key})"
                                for key in ("business", "shoulder", "night", "session_a", "session_b")}}
    root = ET.fromstring(render_plan_svg(march, long_labels))
    width = float(root.get("width"))
    legend = [t for t in root.iter(f"{SVG}text") if "légende" in "".join(t.itertext()) and not t.get("fill")]
    assert len(legend) == 5
    boxes = sorted((float(t.get("y")), float(t.get("x")), len("".join(t.itertext())) * 6.6) for t in legend)
    for (y1, x1, w1), (y2, x2, _w2) in zip(boxes, boxes[1:], strict=False):
        assert y2 > y1 or x2 >= x1 + w1  # a new line, or after the previous label
    assert all(x + w <= width for _y, x, w in boxes)


def test_svg_rows_are_region_and_offset_with_shading_in_local_time(march):
    rows = chart_rows(march)
    assert len(rows) == len({(r.participant.region, r.a.start.utcoffset()) for r in march.rows})
    assert sum(count for _, _, count in rows) == 193
    assert ("asia_pacific", 345, 1) in rows  # Kathmandu, UTC+05:45
    root = ET.fromstring(render_plan_svg(march, LABELS))
    kinds = {r.get("class") for r in root.iter(f"{SVG}rect")}
    assert {"business", "shoulder", "night"} <= kinds


def test_svg_marks_a_session_on_the_next_day():
    result = plan(PlanRequest(date=date(2027, 3, 17), participants=(Participant("Europe/Zurich"),),
                              same_day=False, interpreters=(time(7), time(12))))
    texts = ["".join(t.itertext()) for t in ET.fromstring(render_plan_svg(result, LABELS)).iter(f"{SVG}text")]
    assert "«session_b» <&> («next_day» <&>)" in texts


def test_text_table_uses_labels_and_day_marks(march):
    table = format_plan_table(march, {"title": "Plan", "session_a": "A", "session_b": "B", "coverage": "Coverage",
                                      "none": "-", "utc": "UTC", "region.asia_pacific": "Asia-Pacific"})
    lines = table.splitlines()
    assert lines[0] == "Plan: 2027-03-17 (Europe/Zurich)"
    assert lines[1] == "A: 2027-03-17 06:00-09:00 UTC | 2027-03-17 07:00 Europe/Zurich"
    assert lines[3] == "Coverage: 185/193 (95.9%)"
    tarawa = next(line for line in lines if "Pacific/Tarawa" in line).split()
    assert tarawa == ["Asia-Pacific", "Pacific/Tarawa", "18:00", "02:00", "+1", "-"]
    kathmandu = next(line for line in lines if "Asia/Kathmandu" in line).split()
    assert kathmandu[2:] == ["11:45*", "19:45", "A"]
    assert "  09:00+15:00 Europe/Zurich: 180/193 (93.3%)" in lines


def test_third_wednesdays():
    assert third_wednesday(2027, 3) == date(2027, 3, 17)
    assert third_wednesday(2027, 10) == date(2027, 10, 20)
    assert third_wednesday(2026, 4) == date(2026, 4, 15)


def test_series_avoids_blackouts_and_weekends_and_rotates():
    base = PlanRequest(date=date(2027, 1, 1), participants=(Participant("Asia/Tokyo", region="asia_pacific"),
                                                              Participant("America/Lima", region="americas")))
    first, second = suggest_series(2027, [date(2027, 3, 17), date(2027, 3, 18), date(2027, 10, 20)], request=base)
    assert (first.half, first.date) == (1, date(2027, 3, 16))   # Thursday blocked too: Tuesday is nearest
    assert (second.half, second.date) == (2, date(2027, 10, 21))  # later day first on ties
    assert first.plan.meeting_date == first.date and first.plan.rotation is None
    assert second.plan.rotation == first.plan.region_burden()
    assert first.plan.score.covered == 2


def test_series_skips_weekend_targets_and_needs_a_free_day():
    first, _ = suggest_series(2027, targets=(date(2027, 3, 20), date(2027, 9, 15)),
                              request=PlanRequest(date=date(2027, 1, 1), participants=()))
    assert first.date == date(2027, 3, 19)  # Saturday target: Sunday is weekend, Friday is free
    every_day = [date(2027, 1, 1) + (date(2027, 1, 2) - date(2027, 1, 1)) * i for i in range(181)]
    with pytest.raises(PlanInputError) as excinfo:
        suggest_series(2027, every_day, request=PlanRequest(date=date(2027, 1, 1), participants=()))
    assert (excinfo.value.code, excinfo.value.params) == ("no_free_date", {"year": 2027, "half": 1})
