"""The single input-error type of the planning core, identified by a stable code."""

from __future__ import annotations

from typing import Any


class PlanInputError(ValueError):
    """Bad planner input; `code` and `params` are stable, the web layer maps them to translated text.

    Codes and their params:
      unknown_zone(zone[, line])            the name is not in the IANA tz database
      bad_window_format(value)              not "HH:MM-HH:MM"
      empty_window(window, start, end)      start is not before end ("participants" | "interpreters")
      duration_exceeds_window(window, duration, window_minutes)
      bad_duration(duration)                not a positive whole number of minutes
      bad_step(step)                        does not divide 60
      bad_gap(gap)                          negative or not whole minutes
      bad_weight(value[, line])             negative, not finite or not a number
      bad_tolerance(value)                  outside 0..100 points
      bad_comfort(reason)                   comfort policy is not 24 non-negative integers
      bad_date(date)                        outside the supported years 1980..2200
      bad_csv(reason[, line])               reason: "empty", "missing_columns", "bad_row"
      no_feasible_pair(duration, gap)       no two sessions fit the interpreters' window(s)
    """

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        details = ", ".join(f"{key}={value!r}" for key, value in sorted(params.items()))
        super().__init__(f"{code}({details})")
