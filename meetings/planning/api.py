"""Public planning API: ``POST /api/v1/plans`` and ``GET /api/v1/plans/chart.svg``.

Pure computation on time zones and weights (no personal data, nothing stored), so it needs no
account; its work is bounded (``bounds``: step, durations, participants, weights; the request body by
MAX_CONTENT_LENGTH) and its calls are limited per client address (``core.limits``).
The plan document is the one the CLI prints with ``--json`` (``PlanResult.to_document()``).
"""

from __future__ import annotations

import marshmallow as ma
from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from meetings.api.schemas import StrictBoolean, choice_rule, timezone_rule
from meetings.core.limits import limited
from meetings.core.vocabulary import REGION_CODES
from meetings.planning import operations as ops
from meetings.planning.bounds import MAX_GAP, MAX_PREVIOUS, PUBLIC_STEPS, check_public_bounds
from meetings.planning.labels import chart_labels
from scheduler.chart import render_plan_svg
from scheduler.hours import REASONABLE_WINDOW
from scheduler.participants import Participant
from scheduler.planner import DEFAULT_REFERENCE_ZONE, MAX_YEAR, MIN_YEAR

MAX_WEIGHT = 1_000_000
# Matched by meetings.errorpages (SCHEMA_MESSAGES), which answers it translated.
WEIGHT_RANGE = "Enter a number from 0 to 1,000,000 with at most 6 decimals."


def _bounded_weight(value: float) -> None:
    """A weight the planner counts exactly and prints readably (no 1e308, no 1e-300)."""
    if not 0 <= value <= MAX_WEIGHT or round(value, 6) != value:
        raise ma.ValidationError(WEIGHT_RANGE)


# What the document states of the planner's inputs (``bounds`` and ``scheduler.planner.validate_request``).
WEIGHT = {"minimum": 0, "maximum": MAX_WEIGHT, "description": "At most 6 decimals"}
DURATION = {"description": "Minutes per session", "minimum": 1, "maximum": 1440}
STEP = {"description": "Grid step in minutes: 15, 20, 30 or 60", "enum": list(PUBLIC_STEPS)}
GAP = {"description": "Minutes between A and B", "minimum": 0, "maximum": MAX_GAP}
WINDOW = r"^\s*([01]?[0-9]|2[0-3]):[0-5][0-9]\s*-\s*([01]?[0-9]|2[0-3]):[0-5][0-9]\s*$"

blp = Blueprint("plans", __name__, url_prefix="/api/v1",
                description="Twin-session planning: the two UTC start times that cover every time zone")


class ParticipantInSchema(ma.Schema):
    """A participant: an IANA zone and a weight (States: 1; organizations: their number of people)."""

    timezone = fields.String(required=True, metadata={"description": "IANA zone, e.g. Africa/Nairobi",
                                                      **timezone_rule()})
    weight = fields.Float(load_default=1, validate=_bounded_weight, metadata=WEIGHT)
    region = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REGION_CODES),
                           metadata=choice_rule(REGION_CODES, nullable=True))
    country = fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=2))
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class PlanQuerySchema(ma.Schema):
    """Inputs shared by the plan and its chart."""

    date = fields.Date(required=True, metadata={"description": "Meeting day in the reference zone, years "
                                                               f"{MIN_YEAR} to {MAX_YEAR}"})
    duration = fields.Integer(required=True, metadata=DURATION)
    window = fields.String(load_default=REASONABLE_WINDOW, metadata={
        "description": "Participants' local hours, HH:MM-HH:MM; must hold the duration", "pattern": WINDOW})
    interpreters = fields.String(load_default="07:00-22:00", metadata={
        "description": "Interpreters' hours in the reference zone, HH:MM-HH:MM; must hold the duration",
        "pattern": WINDOW})
    step = fields.Integer(load_default=15, metadata=STEP)
    min_gap = fields.Integer(load_default=60, metadata=GAP)
    same_day = fields.Boolean(load_default=True)
    tolerance = fields.Float(load_default=0, metadata={"description": "Rotation tolerance, coverage points",
                                                       "minimum": 0, "maximum": 100})
    reference_zone = fields.String(load_default=DEFAULT_REFERENCE_ZONE, metadata=timezone_rule())


class PlanInSchema(PlanQuerySchema):
    """A planning request; participants omitted or null means the 193 UN member States."""

    participants = fields.List(fields.Nested(ParticipantInSchema), load_default=None, allow_none=True,
                               metadata={"description": f"At most {ops.MAX_PARTICIPANTS}",
                                         "maxItems": ops.MAX_PARTICIPANTS})
    duration = fields.Integer(required=True, strict=True, metadata=DURATION)
    step = fields.Integer(load_default=15, strict=True, metadata=STEP)
    min_gap = fields.Integer(load_default=60, strict=True, metadata=GAP)
    same_day = StrictBoolean(load_default=True)
    previous = fields.Dict(keys=fields.String(), values=fields.Float(validate=_bounded_weight, metadata=WEIGHT),
                           load_default=None, allow_none=True,
                           metadata={"description": "Previous edition's burden per region (rotation)",
                                     "maxProperties": MAX_PREVIOUS})


def _inputs(data: dict) -> ops.PlanInputs:
    participants = data.get("participants")
    if participants is not None:
        participants = tuple(Participant(zone=p["timezone"], weight=p["weight"], region=p.get("region"),
                                         country=(p.get("country") or "").upper() or None, label=p.get("label"))
                             for p in participants)
    return check_public_bounds(ops.PlanInputs(
        date=data["date"], duration_minutes=data["duration"], participants=participants,
        window=data["window"], interpreters=data["interpreters"], step_minutes=data["step"],
        min_gap_minutes=data["min_gap"], same_day=data["same_day"], tolerance_points=data["tolerance"],
        previous_burden=data.get("previous"), reference_zone=data["reference_zone"],
    ))


@blp.route("/plans")
class Plans(MethodView):
    @limited("RATELIMIT_PLANNER")
    @blp.arguments(PlanInSchema)
    @blp.response(200, description="The plan document: sessions (start_utc, end_utc), coverage "
                                   "(share, count, total), uncovered, regions, participants, comparison")
    def post(self, data: dict):
        """Plan the twin sessions for the given inputs (nothing is stored)."""
        return jsonify(ops.plan_twin_sessions(_inputs(data)).to_document())


@blp.route("/plans/chart.svg")
class PlanChart(MethodView):
    @limited("RATELIMIT_PLANNER", ("GET",))
    @blp.arguments(PlanQuerySchema, location="query")
    @blp.response(200, description="SVG 24-hour chart of the plan for the 193 member States")
    def get(self, data: dict):
        """The plan's 24-hour chart (image/svg+xml, labels in the request's language)."""
        plan = ops.plan_twin_sessions(_inputs(data))
        return svg_response(render_plan_svg(plan, chart_labels()), f"plan-{data['date'].isoformat()}.svg")


def svg_response(svg: str, filename: str, *, download: bool = True) -> Response:
    """An SVG document as its own resource (never inline in HTML pages: CSP)."""
    response = Response(svg, mimetype="image/svg+xml")
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
