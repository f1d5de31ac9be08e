"""Words of the planner in the viewer's language: input errors, chart and table labels, region names.

The planning core (``scheduler``) raises ``PlanInputError(code, **params)`` and takes every visible
word from a ``labels`` mapping; this module is the only place where those become translated text.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from meetings.core.errors import InvalidInput
from meetings.core.labels import region_label
from meetings.core.vocabulary import REGIONS
from scheduler.chart import LABEL_KEYS
from scheduler.errors import PlanInputError

ERROR_MESSAGES = {
    "unknown_zone": _l("“%(zone)s” is not a time zone of the tz database."),
    "bad_window_format": _l("“%(value)s” is not a time window: write it as HH:MM-HH:MM, e.g. 08:00-20:00."),
    "empty_window": _l("The window %(start)s-%(end)s is empty: its start must be before its end."),
    "duration_exceeds_window": _l(
        "A session of %(duration)s minutes does not fit in a window of %(window_minutes)s minutes."),
    "bad_duration": _l("The duration must be a positive whole number of minutes."),
    "bad_step": _l("The grid step must divide the hour (e.g. 5, 10, 15, 20, 30 or 60 minutes); "
                   "%(step)s does not."),
    "bad_gap": _l("The minimum gap between the sessions must be zero or a positive number of minutes."),
    "bad_weight": _l("“%(value)s” is not a valid weight: use a number zero or above."),
    "bad_tolerance": _l("The tolerance must be between 0 and 100 points of coverage."),
    "bad_comfort": _l("The comfort policy must give 24 non-negative whole numbers, one per hour."),
    "bad_date": _l("The date %(date)s is outside the years the planner supports (1980 to 2200)."),
    "no_feasible_pair": _l(
        "No two sessions of %(duration)s minutes, %(gap)s minutes apart, fit in the interpreters' hours."),
    "no_free_date": _l("No free weekday is left in half %(half)s of %(year)s: remove some blackout dates."),
    "too_many_participants": _l("Plan for at most %(max)s participants at a time (you sent %(count)s)."),
}
CSV_MESSAGES = {
    "empty": _l("The participants file is empty."),
    "missing_columns": _l("The participants file needs the columns timezone and weight."),
    "bad_row": _l("This line of the participants file has more cells than its header."),
}
AT_LINE = _l("Line %(line)s: %(message)s")

# Which input each code is about (for errors shown beside a field); windows carry their own name.
ERROR_FIELDS = {
    "unknown_zone": "participants",
    "bad_duration": "duration",
    "bad_step": "step",
    "bad_gap": "min_gap",
    "bad_weight": "participants",
    "bad_tolerance": "tolerance",
    "bad_comfort": "comfort",
    "bad_date": "date",
    "bad_csv": "participants",
    "no_feasible_pair": "interpreters",
    "no_free_date": "blackout_dates",
    "too_many_participants": "participants",
}
WINDOW_FIELDS = {"participants": "window", "window": "window", "interpreters": "interpreters"}


def _text(value: object) -> str | int:
    """A parameter as something %-formatting cannot trip on."""
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


def plan_error(error: PlanInputError, *, fields: dict[str, str] | None = None) -> InvalidInput:
    """The planner's error as a localized 422, attached to the form or API field it is about.

    ``fields`` renames the planner's field names to the caller's (e.g. ``{"participants": "csv_file"}``).
    """
    params = {key: _text(value) for key, value in error.params.items()}
    if error.code in ("empty_window", "duration_exceeds_window", "bad_window_format"):
        field = WINDOW_FIELDS.get(str(params.get("window", "window")), "window")
    else:
        field = ERROR_FIELDS.get(error.code)
    if error.code == "bad_csv":
        message = CSV_MESSAGES.get(str(params.get("reason")), CSV_MESSAGES["bad_row"])
    else:
        message = ERROR_MESSAGES.get(error.code, ERROR_MESSAGES["bad_duration"])
    text = str(message) % params
    if "line" in params:
        text = str(AT_LINE) % {"line": params["line"], "message": text}
    if fields and field in fields:
        field = fields[field]
    return InvalidInput(error.code, text, field=field)



def chart_labels() -> dict[str, str]:
    """Every word of the SVG chart (scheduler.chart.LABEL_KEYS) in the current language."""
    labels = {
        "title": str(_l("Twin sessions over 24 hours (UTC)")),
        "utc": "UTC",
        "session_a": str(_l("Session A")),
        "session_b": str(_l("Session B")),
        "business": str(_l("Business hours")),
        "shoulder": str(_l("Early morning or evening")),
        "night": str(_l("Night")),
        "next_day": str(_l("next day")),
        "region.none": region_label(None),
    }
    labels.update({f"region.{code}": region_label(code) for code in REGIONS})
    missing = set(LABEL_KEYS) - set(labels)
    assert not missing, missing
    return labels


def table_labels() -> dict[str, str]:
    """Every word of the text table (scheduler.table) in the current language."""
    return {
        **chart_labels(),
        "title": str(_l("Twin-session plan")),
        "coverage": str(_l("Coverage")),
        "region": str(_l("Region")),
        "zone": str(_l("Time zone")),
        "suits": str(_l("Suits")),
        "comparison": str(_l("Fixed pairs on the same inputs")),
        "none": str(_l("neither")),
    }
