"""Pure SVG charts: well-formed, escaped, no style attribute; world-time arithmetic on the 24-hour axis."""

from __future__ import annotations

from xml.etree import ElementTree

from meetings.core.charts import (
    SessionBand,
    ZoneRow,
    bar_chart_svg,
    business_hours_utc,
    day_segments,
    world_time_svg,
)

NS = "{http://www.w3.org/2000/svg}"


def test_day_segments_wrap_around_midnight():
    assert day_segments(60, 120) == [(60, 180)]
    assert day_segments(23 * 60, 180) == [(1380, 1440), (0, 120)]
    assert day_segments(-60, 120) == [(1380, 1440), (0, 60)]
    assert day_segments(0, 2000) == [(0, 1440)]


def test_business_hours_on_the_utc_axis():
    # The one definition of reasonable local hours (scheduler.hours): 08:00-20:00.
    assert business_hours_utc(0) == [(480, 1200)]  # London in winter: 08:00-20:00 UTC
    assert business_hours_utc(9 * 60) == [(1380, 1440), (0, 660)]  # Tokyo: 23:00-11:00 UTC
    assert business_hours_utc(13 * 60) == [(1140, 1440), (0, 420)]  # Auckland in March: 19:00-07:00 UTC
    assert business_hours_utc(-6 * 60) == [(840, 1440), (0, 120)]  # Mexico City: 14:00-02:00 UTC
    assert ZoneRow(330, ("Asia/Kolkata",), 2).label == "UTC+05:30"
    assert ZoneRow(-210, ("America/St_Johns",), 1).label == "UTC-03:30"


def test_world_time_draws_rows_shading_and_sessions():
    rows = [ZoneRow(780, ("Pacific/Auckland",), 1), ZoneRow(-360, ("America/Mexico_City",), 4)]
    bands = [SessionBand("A", "Session A", 7 * 60, 180), SessionBand("B", "Session <B>", 23 * 60, 120)]
    svg = world_time_svg(rows, bands, title="World & time", business_label="Business hours")
    root = ElementTree.fromstring(svg)
    assert 'style="' not in svg and "Session &lt;B&gt;" in svg
    groups = root.findall(f"{NS}g[@class='zone-row']")
    assert [g.get("data-offset") for g in groups] == ["780", "-360"]
    assert len(groups[0].findall(f"{NS}rect[@class='business']")) == 2  # Auckland's day wraps midnight UTC
    assert len(root.findall(f"{NS}rect[@class='session session-B']")) == 2  # B crosses midnight UTC
    assert "UTC-06:00 · 4" in svg


def test_bar_chart_scales_and_escapes():
    svg = bar_chart_svg([("Big", 10), ("Small", 5), ("<i>&</i>", 0)], title="Counts", chart_id="c")
    root = ElementTree.fromstring(svg)
    bars = [float(r.get("width")) for r in root.iter(f"{NS}rect")]
    assert bars[0] == 2 * bars[1] and bars[2] == 0
    assert "&lt;i&gt;&amp;&lt;/i&gt;" in svg and 'style="' not in svg
    assert ElementTree.fromstring(bar_chart_svg([], title="Empty", chart_id="e")) is not None
