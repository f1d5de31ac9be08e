"""What the public planner (``/api/v1/plans`` and its chart) accepts: inputs whose work is bounded.

The planner's work grows with the grid (``1440 / step`` starts per day), the pairs of starts it
compares (at most 96 x 192 = 18,432 at a 15-minute step when session B may fall on the next day;
a session's duration is bounded by the windows it must fit in) and the participants (at most
``operations.MAX_PARTICIPANTS``, grouped by zone). Within these bounds the largest request takes
well under 2 s (``bench/planner_bounds.py`` prints it); beyond, a localized 422 before any work.
The secretariat's own planning page and the ``plan`` command keep the finer steps.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from meetings.core.errors import InvalidInput
from meetings.planning.operations import PlanInputs

PUBLIC_STEPS = (15, 20, 30, 60)
MAX_WEIGHT = 1_000_000
MAX_GAP = 1440
MAX_PREVIOUS = 20


def check_public_bounds(inputs: PlanInputs) -> PlanInputs:
    """``inputs`` if the public planner accepts them, else a localized InvalidInput (422)."""
    step = inputs.step_minutes
    if isinstance(step, int) and step > 0 and 60 % step == 0 and step not in PUBLIC_STEPS:  # others: bad_step
        raise InvalidInput("step_out_of_bounds", _l("The grid step must be 15, 20, 30 or 60 minutes."),
                           field="step")
    if not 0 <= inputs.min_gap_minutes <= MAX_GAP:
        raise InvalidInput("gap_out_of_bounds", _l("The minimum gap must be between 0 and %(max)d minutes."),
                           field="min_gap", max=MAX_GAP)
    participants = inputs.participants or ()  # their number: at most MAX_PARTICIPANTS (operations)
    if any(not 0 <= p.weight <= MAX_WEIGHT for p in participants) or any(
            not 0 <= value <= MAX_WEIGHT for value in (inputs.previous_burden or {}).values()):
        raise InvalidInput("weight_out_of_bounds", _l("Weights must be between 0 and %(max)d."),
                           field="participants", max=MAX_WEIGHT)
    if len(inputs.previous_burden or {}) > MAX_PREVIOUS:
        raise InvalidInput("too_many_regions", _l("Give the previous burden of at most %(max)d regions."),
                           field="previous", max=MAX_PREVIOUS)
    return inputs
