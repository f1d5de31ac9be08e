"""Secretariat planning pages: plan a meeting's twin sessions, apply them, suggest a year's series.

Thin views: parse the form, call one operation, commit, render. The chart is inline SVG (presentation
attributes only, no ``style``: allowed by our CSP) and downloadable from its own URL as image/svg+xml.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from meetings.core.actor import current_actor, require_role
from meetings.core.db import get_db, utcnow
from meetings.core.errors import DomainError, InvalidInput
from meetings.core.forms import run_operation, show_error
from meetings.core.i18n import country_name
from meetings.core.labels import region_label
from meetings.core.localtime import in_zone
from meetings.models.queries import all_meetings, meeting_or_404
from meetings.planning import operations as ops
from meetings.planning.api import svg_response
from meetings.planning.forms import ApplyForm, CreateSeriesForm, PlanForm, SeriesForm
from meetings.planning.labels import chart_labels, plan_error
from meetings.sessions.impact import people_to_notify
from scheduler.chart import render_plan_svg
from scheduler.errors import PlanInputError
from scheduler.participants import read_participants_csv
from scheduler.result import PlanResult

bp = Blueprint("planning", __name__, url_prefix="/secretariat")
PLAN_FIELDS = ("date", "duration", "window", "interpreters", "step", "min_gap", "same_day", "tolerance",
               "rotate", "source", "csv_text")



def _csv_participants(form: PlanForm):
    """The uploaded (or carried-over) CSV as participants; the text is kept for the apply form."""
    upload = form.csv_file.data
    if upload is not None and getattr(upload, "filename", ""):
        try:
            form.csv_text.data = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("bad_csv", _l("The participants file must be UTF-8 text (CSV)."),
                               field="csv_file") from None
    try:
        return read_participants_csv(form.csv_text.data or "")
    except PlanInputError as error:
        raise plan_error(error, fields={"participants": "csv_file"}) from None


def _inputs(form: PlanForm, meeting) -> ops.PlanInputs:
    """The planner inputs a (validated) form asks for."""
    db = get_db()
    if form.source.data == "registrations":
        participants = ops.meeting_participants(db, meeting)
    elif form.source.data == "csv":
        participants = _csv_participants(form)
    else:
        participants = None
    burden = ops.previous_burden(db, meeting.edition, exclude_id=meeting.id) if form.rotate.data else None
    return ops.PlanInputs(
        date=form.date.data, duration_minutes=form.duration.data, participants=participants,
        window=form.window.data, interpreters=form.interpreters.data, step_minutes=form.step.data,
        min_gap_minutes=form.min_gap.data, same_day=bool(form.same_day.data),
        tolerance_points=float(form.tolerance.data or 0), previous_burden=burden,
        reference_zone=meeting.reference_timezone,
    )


def _day_mark(days: int) -> str:
    """+1 day / -1 day (or ±N days) relative to the meeting date."""
    if days == 1:
        return _("+1 day")
    if days == -1:
        return _("-1 day")
    return _("%(days)s days", days=f"{days:+d}") if days else ""


def _who(item: dict) -> str:
    """A participant's name for the tables: the country in the viewer's language, else label or zone."""
    if item.get("country"):
        return country_name(item["country"])
    return item.get("label") or item["zone"]


def present_plan(result: PlanResult, meeting) -> dict:
    """What the page shows of a plan, from its document (the same one the API returns)."""
    document = result.to_document()
    reference = meeting.reference_timezone
    sessions = [{"label": s.label, "utc": s.start, "end_utc": s.end,
                 "reference": in_zone(s.start, reference), "reference_end": s.end.astimezone(ZoneInfo(reference))}
                for s in result.sessions]
    rows = [{"name": _who(p), "zone": p["zone"], "weight": p["weight"], "region": region_label(p["region"]),
             "A": {**p["A"], "mark": _day_mark(p["A"]["day"])}, "B": {**p["B"], "mark": _day_mark(p["B"]["day"])},
             "suits": p["suits"]} for p in document["participants"]]
    rows.sort(key=lambda r: (r["region"], r["name"]))
    return {
        "document": document,
        "sessions": sessions,
        "coverage": document["coverage"],
        "uncovered": sorted(_who(p) for p in document["uncovered"]),
        "regions": [{**r, "name": region_label(r["region"])} for r in document["regions"]],
        "rows": rows,
        "comparison": document["comparison"],
        "svg": render_plan_svg(result, chart_labels()),
    }


def _plan_form(meeting, formdata=None) -> PlanForm:
    """The plan form, with defaults from the meeting on a first visit."""
    form = PlanForm(formdata=formdata) if formdata is not None else PlanForm()
    form.fill_choices()
    if request.method == "GET" and formdata is None:
        form.date.data = ops.session_a_date(meeting) or utcnow().date()
        form.duration.data = meeting.duration_minutes
    return form


@bp.route("/meetings/<int:meeting_id>/plan", methods=["GET", "POST"])
@require_role("secretariat")
def plan_meeting(meeting_id: int):
    """The planning form and, once sent, the plan with its chart, tables and the apply button."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id, drafts=True)
    form = _plan_form(meeting)
    status, shown = 200, None
    if form.validate_on_submit():
        try:
            shown = present_plan(ops.plan_twin_sessions(_inputs(form, meeting)), meeting)
        except DomainError as error:
            status = error.status
            show_error(form, error)
    elif request.method == "POST":
        status = 422
    current = {s.id: in_zone(s.starts_at, meeting.reference_timezone) for s in meeting.sessions}
    return render_template("planning/plan.html", meeting=meeting, form=form, plan=shown, current=current,
                           hidden_fields=PLAN_FIELDS, chart_query=_chart_query(form)), status


def _chart_query(form: PlanForm) -> dict[str, str] | None:
    """The form's inputs as a query string for the chart's download link (None for a CSV: POST it)."""
    if form.source.data == "csv":
        return None
    query = {name: form[name]._value() for name in PLAN_FIELDS
             if name not in ("same_day", "rotate", "csv_text", "source")}
    query["source"] = form.source.data or "member_states"
    query.update({name: "y" for name in ("same_day", "rotate") if form[name].data})
    return query


@bp.post("/meetings/<int:meeting_id>/plan/apply")
@require_role("secretariat")
def apply_plan(meeting_id: int):
    """Plan again from the posted inputs (never trusting a posted result) and move sessions A and B."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id, drafts=True)
    form = ApplyForm()
    form.fill_choices()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            raise CSRFError()
        flash(_("This plan cannot be applied: plan the sessions again."), "error")
        return redirect(url_for(".plan_meeting", meeting_id=meeting.id), 303)
    if request.form.get("confirmed") != "yes":
        return _confirm_apply(meeting, form)
    applied = run_operation(None, lambda: ops.apply_plan_to_sessions(
        db, meeting, ops.plan_twin_sessions(_inputs(form, meeting)).to_document(), current_actor(), utcnow()))
    if not applied.done:
        return redirect(url_for(".plan_meeting", meeting_id=meeting.id), 303)
    if applied.value:
        flash(_("Sessions A and B now follow the plan."), "success")
    else:
        flash(_("Sessions A and B already follow this plan; nothing changed."), "success")
    return redirect(url_for(".plan_meeting", meeting_id=meeting.id), 303)


def _confirm_apply(meeting, form: ApplyForm):
    """What applying the plan would change (old -> new times) and how many people would be told."""
    try:
        shown = present_plan(ops.plan_twin_sessions(_inputs(form, meeting)), meeting)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".plan_meeting", meeting_id=meeting.id), 303)
    by_label = {s.label: s for s in meeting.sessions}
    moves = [(by_label[s["label"]], s) for s in shown["sessions"] if s["label"] in by_label
             and (by_label[s["label"]].starts_at != s["utc"] or by_label[s["label"]].ends_at != s["end_utc"])]
    notified = people_to_notify(get_db(), [old.id for old, _new in moves]) if meeting.status != "draft" else 0
    return render_template("planning/confirm_apply.html", meeting=meeting, form=form, moves=moves,
                           notified=notified, hidden_fields=PLAN_FIELDS,
                           current={s.id: in_zone(s.starts_at, meeting.reference_timezone) for s in meeting.sessions})


@bp.route("/meetings/<int:meeting_id>/plan/chart.svg", methods=["GET", "POST"])
@require_role("secretariat")
def plan_chart(meeting_id: int):
    """The plan's chart as a downloadable SVG (GET: inputs in the query; POST: the form, CSV included)."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id, drafts=True)
    if request.method == "GET":
        form = PlanForm(formdata=request.args, meta={"csrf": False})
    else:
        form = ApplyForm()
    form.fill_choices()
    if not form.validate():
        if request.method == "POST" and form.csrf_token.errors:
            raise CSRFError()
        abort(422)
    result = ops.plan_twin_sessions(_inputs(form, meeting))
    return svg_response(render_plan_svg(result, chart_labels()),
                        f"plan-{meeting.edition}-{result.meeting_date.isoformat()}.svg")


@bp.get("/series")
@require_role("secretariat")
def series():
    """Every meeting (with a link to plan it) and the two suggested meetings of a year."""
    db = get_db()
    form = SeriesForm(formdata=request.args if "year" in request.args else None)
    if "year" not in request.args:
        form.year.data = utcnow().year + 1
    status, suggestion, create_form = 200, None, None
    if "year" in request.args:
        if form.validate():
            try:
                blackouts = ops.parse_blackout_dates(form.blackout_dates.data or "")
                suggestion = _present_series(ops.plan_series(
                    db, form.year.data, blackouts, ops.PlanInputs(date=date(form.year.data, 1, 1),
                                                                  duration_minutes=form.duration.data)))
                create_form = CreateSeriesForm(formdata=None, year=str(form.year.data),
                                               blackout_dates=" ".join(d.isoformat() for d in blackouts),
                                               duration=str(form.duration.data))
            except DomainError as error:
                status = error.status
                show_error(form, error)
        else:
            status = 422
    return render_template("planning/series.html", meetings=all_meetings(db), form=form,
                           suggestion=suggestion, create_form=create_form), status


def _present_series(items) -> list[dict]:
    """The suggested meetings for the page."""
    out = []
    for item in items:
        document = item.plan.to_document()
        sessions = [{"label": s.label, "utc": s.start, "reference": in_zone(s.start, item.plan.reference_zone)}
                    for s in item.plan.sessions]
        out.append({"half": item.half, "date": item.date, "coverage": document["coverage"], "sessions": sessions})
    return out


@bp.post("/series/create")
@require_role("secretariat")
def create_series():
    """Create the suggested meetings of a year as draft global meetings."""
    db = get_db()
    form = CreateSeriesForm()
    if not form.validate_on_submit():
        raise CSRFError()
    try:
        year, duration = int(form.year.data), int(form.duration.data)
    except (TypeError, ValueError):  # year or duration missing or not a number
        abort(422)
    def create():
        blackouts = ops.parse_blackout_dates(form.blackout_dates.data or "")
        items = ops.plan_series(db, year, blackouts, ops.PlanInputs(date=date(year, 1, 1), duration_minutes=duration))
        return ops.create_meetings_from_series(db, year, items, current_actor(), utcnow())

    created = run_operation(None, create)
    if not created.done:
        return redirect(url_for(".series"), 303)
    flash(_("Draft global meetings created: %(editions)s.", editions=", ".join(m.edition for m in created.value)),
          "success")
    return redirect(url_for(".series"), 303)


def init_app(app: Flask) -> None:
    """Register the secretariat planning pages."""
    app.register_blueprint(bp)

