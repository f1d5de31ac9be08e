"""SVG 24-hour chart of a plan: one row per region and UTC offset, comfort shading, the two sessions.

Every visible word comes from the `labels` mapping (the web layer passes translated strings); a
missing key shows the key itself. Keys: title, utc, session_a, session_b, business, shoulder, night,
next_day, region.<code> (and region.none for participants without a region).
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from scheduler.comfort import MINUTES_PER_DAY, ComfortPolicy
from scheduler.participants import REGIONS
from scheduler.result import PlanResult

LABEL_KEYS: tuple[str, ...] = (
    "title", "utc", "session_a", "session_b", "business", "shoulder", "night", "next_day",
    *(f"region.{code}" for code in REGIONS), "region.none",
)
COLORS = {"business": "#cfe8cf", "shoulder": "#fbe3a6", "night": "#44506b", "A": "#1f6fd1", "B": "#d1521f"}
LEFT, TOP, HOUR_WIDTH, ROW_HEIGHT, WIDTH = 230, 60, 30, 20, 980
MAX_LEFT, CHAR_WIDTH = 520, 6.6  # label column grows with its longest label (font-size 11)


def _label(labels: Mapping[str, str], key: str) -> str:
    """The caller's text for a key, escaped for XML."""
    return escape(str(labels.get(key, key)))


def _offset_text(minutes: int) -> str:
    """+HH:MM for an offset in minutes."""
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def chart_rows(plan: PlanResult) -> list[tuple[str | None, int, int]]:
    """(region, offset in minutes at session A, participant count) per row, by region then offset."""
    counts: dict[tuple[str | None, int], int] = {}
    for row in plan.rows:
        offset = row.a.start.utcoffset()
        assert offset is not None
        key = (row.participant.region, int(offset.total_seconds()) // 60)
        counts[key] = counts.get(key, 0) + 1
    order = {code: i for i, code in enumerate(REGIONS)}
    keys = sorted(counts, key=lambda k: (order.get(k[0] or "", len(order)), k[0] or "", k[1]))
    return [(region, offset, counts[region, offset]) for region, offset in keys]


def _spans(start: int, length: int) -> list[tuple[int, int]]:
    """A span of minutes on a 24-hour circle as one or two (start, length) pieces in [0, 1440)."""
    start %= MINUTES_PER_DAY
    if start + length <= MINUTES_PER_DAY:
        return [(start, length)]
    return [(start, MINUTES_PER_DAY - start), (0, start + length - MINUTES_PER_DAY)]


def comfort_runs(policy: ComfortPolicy) -> list[tuple[str, int, int]]:
    """(category, local start minute, length) runs of equal shading over a local day."""
    runs: list[tuple[str, int, int]] = []
    for hour in range(24):
        category = policy.category(hour)
        if runs and runs[-1][0] == category:
            runs[-1] = (category, runs[-1][1], runs[-1][2] + 60)
        else:
            runs.append((category, hour * 60, 60))
    return runs


def _text_width(text: str) -> float:
    """Estimated width of ``text`` at font-size 11 (no font metrics in pure code)."""
    return len(text) * CHAR_WIDTH


def _legend_rows(items: list[tuple[str, str]], left: int, width: int) -> list[tuple[str, str, float, int]]:
    """(color, text, x, row) for each legend item, wrapped so that no label overlaps the next."""
    out, x, row = [], float(left), 0
    for color, text in items:
        needed = 20 + _text_width(text) + 24
        if x + needed > width - 10 and x > left:
            x, row = float(left), row + 1
        out.append((color, text, x, row))
        x += needed
    return out


def render_plan_svg(plan: PlanResult, labels: Mapping[str, str], comfort: ComfortPolicy | None = None) -> str:
    """The plan as a standalone SVG document (a string)."""
    policy = comfort or ComfortPolicy()
    rows = chart_rows(plan)
    names = [f"{labels.get('region.' + (region or 'none'), 'region.' + (region or 'none'))} · "
             f"{labels.get('utc', 'utc')}{_offset_text(offset)} ({count})" for region, offset, count in rows]
    left = int(min(MAX_LEFT, max([LEFT - 16, *(_text_width(n) for n in names)]) + 16))
    width = left + 24 * HOUR_WIDTH + 20

    def _x(minute: int) -> float:
        return left + minute * HOUR_WIDTH / 60

    legend = _legend_rows([(color, str(labels.get(key, key))) for color, key in (
        ("business", "business"), ("shoulder", "shoulder"), ("night", "night"), ("A", "session_a"),
        ("B", "session_b"))], left, width)
    legend_lines = 1 + max(row for *_rest, row in legend)
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + 50 + 22 * legend_lines
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<title>{_label(labels, "title")}</title>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">{_label(labels, "title")}</text>',
        f'<text x="{left - 8}" y="{TOP - 8}" text-anchor="end">{_label(labels, "utc")}</text>',
    ]
    for hour in range(25):
        x = _x(hour * 60)
        parts.append(f'<text x="{x:.1f}" y="{TOP - 8}" text-anchor="middle">{hour:02d}</text>')
    for index, (_region, offset, _count) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        parts.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(names[index])}</text>')
        for category, local_start, length in comfort_runs(policy):
            for start, piece in _spans(local_start - offset, length):
                parts.append(f'<rect class="{category}" x="{_x(start):.2f}" y="{y}" '
                             f'width="{piece * HOUR_WIDTH / 60:.2f}" height="{ROW_HEIGHT - 2}" '
                             f'fill="{COLORS[category]}" shape-rendering="crispEdges"/>')
    bottom = TOP + ROW_HEIGHT * max(len(rows), 1)
    day_zero = plan.sessions[0].start.date()
    for session in plan.sessions:
        minute = session.start.hour * 60 + session.start.minute
        key = "session_a" if session.label == "A" else "session_b"
        for start, length in _spans(minute, plan.duration_minutes):
            parts.append(f'<rect id="session-{session.label}-{start}" '
                         f'class="session session-{session.label}" x="{_x(start):.2f}" y="{TOP - 4}" '
                         f'width="{length * HOUR_WIDTH / 60:.2f}" '
                         f'height="{bottom - TOP + 6}" fill="{COLORS[session.label]}" fill-opacity="0.35" '
                         f'stroke="{COLORS[session.label]}" stroke-width="2"/>')
        text = _label(labels, key)
        if session.start.date() != day_zero:
            text += f" ({_label(labels, 'next_day')})"
        parts.append(f'<text x="{_x(minute) + 3:.2f}" y="{bottom + 16}" fill="{COLORS[session.label]}" '
                     f'font-weight="bold">{text}</text>')
    for color, text, x, row in legend:
        legend_y = bottom + 34 + row * 22
        parts.append(f'<rect x="{x:.1f}" y="{legend_y}" width="14" height="14" fill={quoteattr(COLORS[color])}/>')
        parts.append(f'<text x="{x + 20:.1f}" y="{legend_y + 11}">{escape(text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
