"""Plain-text table of a plan for the CLI; every word comes from the caller's `labels`.

Keys: title, session_a, session_b, coverage, region, zone, suits, comparison, none, utc,
region.<code>, region.none. A missing key shows the key itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from scheduler.result import LocalSession, PlanResult, Score


def _t(labels: Mapping[str, str], key: str) -> str:
    """The caller's text for a key."""
    return str(labels.get(key, key))


def _local(local: LocalSession) -> str:
    """HH:MM with a +1/-1 day mark and * when the session fits the local window."""
    mark = f" {local.day_offset:+d}" if local.day_offset else ""
    return f"{local.start:%H:%M}{mark}{'*' if local.fits else ''}"


def _coverage(score: Score) -> str:
    """count/total (percent)."""
    def number(value: object) -> str:
        return f"{float(value):g}"  # type: ignore[arg-type]
    return f"{number(score.covered)}/{number(score.total)} ({score.share:.1%})"


def format_plan_table(plan: PlanResult, labels: Mapping[str, str]) -> str:
    """The plan as aligned text: sessions, coverage, one line per region and zone, fixed pairs."""
    reference = ZoneInfo(plan.reference_zone)
    lines = [f"{_t(labels, 'title')}: {plan.meeting_date.isoformat()} ({plan.reference_zone})"]
    for session in plan.sessions:
        key = "session_a" if session.label == "A" else "session_b"
        local = session.start.astimezone(reference)
        lines.append(f"{_t(labels, key)}: {session.start:%Y-%m-%d %H:%M}-{session.end:%H:%M} "
                     f"{_t(labels, 'utc')} | {local:%Y-%m-%d %H:%M} {plan.reference_zone}")
    lines.append(f"{_t(labels, 'coverage')}: {_coverage(plan.score)}")
    lines.append("")
    header = (_t(labels, "region"), _t(labels, "zone"), _t(labels, "session_a"), _t(labels, "session_b"),
              _t(labels, "suits"))
    body = []
    seen = set()
    for row in sorted(plan.rows, key=lambda r: (r.participant.region or "~", r.a.start.utcoffset(),
                                                r.participant.zone)):
        key = (row.participant.region, row.participant.zone)
        if key in seen:
            continue
        seen.add(key)
        suits = _t(labels, "none") if row.suits == "none" else row.suits
        body.append((_t(labels, f"region.{row.participant.region or 'none'}"), row.participant.zone,
                     _local(row.a), _local(row.b), suits))
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    for cells in [header, *body]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip())
    lines.append("")
    lines.append(f"{_t(labels, 'comparison')}:")
    for pair in plan.comparison:
        lines.append(f"  {pair.name} {plan.reference_zone}: {_coverage(pair.score)}")
    return "\n".join(lines) + "\n"
