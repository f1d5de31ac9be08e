"""Server-rendered SVG charts (pure functions of plain data; labels escaped; no ``style`` attribute).

Our Content-Security-Policy forbids inline styles, so every colour and size is an SVG presentation
attribute, and pages only add classes whose rules live in ``static/console.css``.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from scheduler.hours import reasonable_minutes

BAR = "#0072bc"
MUTED = "#5b6775"
GRID = "#dde3ea"
BUSINESS = "#e3f0d8"
SESSION_COLOURS = {"A": "#0072bc", "B": "#d9822b"}
DAY = 24 * 60


def _text(value: object, limit: int = 42) -> str:
    """Escaped text, shortened with an ellipsis beyond ``limit`` characters."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return str(escape(text))


def bar_chart_svg(items: list[tuple[str, int]], *, title: str, chart_id: str, width: int = 720,
                  label_width: int = 320, row_height: int = 22) -> str:
    """A horizontal bar chart: one row per (label, count), longest bar = largest count."""
    top = 28
    height = top + max(1, len(items)) * row_height + 8
    bar_space = width - label_width - 60
    largest = max((count for _, count in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" id="{_text(chart_id)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_text(title, 200)}">',
        f"<title>{_text(title, 200)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="#1d2733">{_text(title, 80)}</text>',
    ]
    for index, (label, count) in enumerate(items):
        y = top + index * row_height
        length = round(bar_space * count / largest)
        parts.append(
            f'<g class="bar"><text x="{label_width - 6}" y="{y + 15}" font-size="12" text-anchor="end" '
            f'fill="#1d2733">{_text(label, label_width // 7)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{max(length, 1 if count else 0)}" height="{row_height - 6}" '
            f'fill="{BAR}"><title>{_text(label, 200)}: {count}</title></rect>'
            f'<text x="{label_width + length + 6}" y="{y + 15}" font-size="12" fill="{MUTED}">{count}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class ZoneRow:
    """Participants sharing one UTC offset at the meeting's date."""

    offset_minutes: int
    zones: tuple[str, ...]
    count: int

    @property
    def label(self) -> str:
        """'UTC+05:30'."""
        sign = "+" if self.offset_minutes >= 0 else "-"
        hours, minutes = divmod(abs(self.offset_minutes), 60)
        return f"UTC{sign}{hours:02d}:{minutes:02d}"


@dataclass(frozen=True)
class SessionBand:
    """A session drawn across the chart: label (A/B), shown name, start (minutes after 00:00 UTC), duration."""

    label: str
    name: str
    start_minute: int
    duration_minutes: int


def day_segments(start: int, length: int) -> list[tuple[int, int]]:
    """The [start, end) pieces of a span of ``length`` minutes from ``start``, wrapped on a 24-hour axis."""
    start %= DAY
    length = min(length, DAY)
    end = start + length
    if end <= DAY:
        return [(start, end)]
    return [(start, DAY), (0, end - DAY)]


def business_hours_utc(offset_minutes: int) -> list[tuple[int, int]]:
    """Reasonable local hours (scheduler.hours) of a zone at ``offset_minutes``, on the UTC axis."""
    begin, end = reasonable_minutes()
    return day_segments(begin - offset_minutes, end - begin)


def world_time_svg(rows: list[ZoneRow], sessions: list[SessionBand], *, title: str, business_label: str,
                   width: int = 900, label_width: int = 260, row_height: int = 20) -> str:
    """A 24-hour UTC axis; one row per offset with its count; local business hours shaded; sessions across."""
    top, bottom = 40, 40
    plot = width - label_width - 20
    height = top + max(1, len(rows)) * row_height + bottom

    def x(minute: int) -> float:
        return round(label_width + plot * minute / DAY, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart world-time" id="world-time" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{_text(title, 200)}">',
        f"<title>{_text(title, 200)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="#1d2733">{_text(title, 90)}</text>',
    ]
    for hour in range(0, 25, 3):
        parts.append(f'<line x1="{x(hour * 60)}" y1="{top - 6}" x2="{x(hour * 60)}" y2="{height - bottom}" '
                     f'stroke="{GRID}" stroke-width="1"/>'
                     f'<text x="{x(hour * 60)}" y="{top - 10}" font-size="11" text-anchor="middle" '
                     f'fill="{MUTED}">{hour:02d}:00</text>')
    for index, row in enumerate(rows):
        y = top + index * row_height
        zones = ", ".join(row.zones)
        parts.append(f'<g class="zone-row" data-offset="{row.offset_minutes}">'
                     f'<text x="{label_width - 6}" y="{y + 14}" font-size="11" text-anchor="end" fill="#1d2733">'
                     f'{_text(row.label)} · {row.count}<title>{_text(zones, 300)}</title></text>')
        for start, end in business_hours_utc(row.offset_minutes):
            parts.append(f'<rect class="business" x="{x(start)}" y="{y + 2}" width="{round(x(end) - x(start), 1)}" '
                         f'height="{row_height - 4}" fill="{BUSINESS}"/>')
        parts.append("</g>")
    for band in sessions:
        colour = SESSION_COLOURS.get(band.label, BAR)
        for start, end in day_segments(band.start_minute, band.duration_minutes):
            parts.append(f'<rect class="session session-{_text(band.label)}" x="{x(start)}" y="{top - 4}" '
                         f'width="{round(x(end) - x(start), 1)}" height="{len(rows) * row_height + 8}" '
                         f'fill="{colour}" fill-opacity="0.25" stroke="{colour}" stroke-width="1.5">'
                         f'<title>{_text(band.name)}</title></rect>')
        parts.append(f'<text x="{x(band.start_minute % DAY) + 3}" y="{height - bottom + 16}" font-size="12" '
                     f'font-weight="bold" fill="{colour}">{_text(band.name)}</text>')
    legend_y = height - 8
    parts.append(f'<rect x="{label_width}" y="{legend_y - 10}" width="14" height="10" fill="{BUSINESS}"/>'
                 f'<text x="{label_width + 20}" y="{legend_y}" font-size="11" fill="{MUTED}">'
                 f'{_text(business_label, 120)}</text>')
    parts.append("</svg>")
    return "".join(parts)
