"""Secretariat console pages under /secretariat/console (thin views: parse, authorize, one operation, render)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from meetings.console import dashboards, lists, privacy, registrants
from meetings.console import operations as ops
from meetings.console.audit_sentences import audit_sentence
from meetings.console.forms import AttendanceForm, AuditFilterForm, BookingForm, FilterForm, IrreversibleActionForm
from meetings.console.labels import labelled
from meetings.core import charts, exports
from meetings.core.actor import current_actor, require_role
from meetings.core.audit import AuditEntry, record_action
from meetings.core.db import get_db, utcnow
from meetings.core.forms import run_operation, submit
from meetings.core.i18n import current_language
from meetings.core.labels import channel_label, language_label, region_label, session_label
from meetings.models.queries import all_meetings, meeting_or_404
from meetings.organizations.models import Workstream
from meetings.sessions import operations as session_ops
from meetings.sessions.impact import people_to_notify
from scheduler.hours import REASONABLE_END, REASONABLE_START

bp = Blueprint("console", __name__, url_prefix="/secretariat/console")
SECRETARIAT = "secretariat"
AUDIT_PAGE = 200
CHART_TITLES = {
    "session": lambda: _("Registrations by session"),
    "status": lambda: _("Registrations by status"),
    "category": lambda: _("Registrations by stakeholder category"),
    "region": lambda: _("Registrations by region"),
    "country": lambda: _("Registrations by country"),
    "language": lambda: _("Registrations by language"),
    "spoken": lambda: _("Language spoken"),
    "listening": lambda: _("Language listened to"),
    "timezone": lambda: _("Registrations by time zone"),
}


@bp.app_template_filter("language_name")
def _language_name(code: str) -> str:
    """Template filter: a language code's name in the viewer's language."""
    return language_label(code)


@bp.app_template_filter("channel_name")
def _channel_name(key: str) -> str:
    """Template filter: 'French → English' for 'fr-en'."""
    return channel_label(key)


def _settings() -> dict:
    return current_app.config


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _export(headers: list[str], rows: list[list[object]], fmt: str, name: str, sheet: str) -> Response:
    if fmt == "csv":
        return _download(exports.to_csv(headers, rows), exports.CSV_TYPE, f"{name}.csv")
    if fmt == "xlsx":
        return _download(exports.to_xlsx(headers, rows, sheet), exports.XLSX_TYPE, f"{name}.xlsx")
    abort(404)


@bp.get("/")
@require_role(SECRETARIAT)
def index():
    """Every meeting with links to its dashboard, interpretation plan and lists."""
    return render_template("console/index.html", meetings=all_meetings(get_db(), newest_first=True))


def _chart(key: str, title: str, items: list[tuple[str, int]]) -> dict:
    chart_id = f"chart-{key}"
    return {"id": chart_id, "title": title, "svg": charts.bar_chart_svg(items, title=title, chart_id=chart_id)}


def _dashboard_charts(counts: dict, interest: dict, titles: dict[int, str]) -> list[dict]:
    """One bar chart per registration dimension, then the three workstream-interest charts."""
    out = [_chart(key, CHART_TITLES[key](), labelled(key, items)) for key, items in counts.items()]
    out.append(_chart("interest-workstream", _("Workstream interest by workstream"),
                      [(f"{n}. {titles.get(int(n), '')}", c) for n, c in interest["workstream"]]))
    out.append(_chart("interest-category", _("Workstream interest by stakeholder category"),
                      labelled("category", interest["category"])))
    out.append(_chart("interest-region", _("Workstream interest by region"),
                      [(region_label(r), c) for r, c in interest["region"]]))
    return out


def _world_time(meeting, facts) -> str:
    """Participants' UTC offsets (at session A's date) against the scheduled sessions."""
    reference = meeting.sessions[0].starts_at if meeting.sessions else utcnow()
    bands = [charts.SessionBand(s.label, session_label(s.label), s.starts_at.hour * 60 + s.starts_at.minute,
                                s.duration_minutes) for s in meeting.sessions if s.status == "scheduled"]
    return charts.world_time_svg(
        dashboards.zone_rows(facts, reference), bands,
        title=_("Where participants are: UTC offsets against sessions A and B (UTC, 24 hours)"),
        business_label=_("Reasonable local hours (%(start)s–%(end)s)", start=f"{REASONABLE_START:%H:%M}",
                         end=f"{REASONABLE_END:%H:%M}"))


@bp.get("/meetings/<int:meeting_id>")
@require_role(SECRETARIAT)
def dashboard(meeting_id: int):
    """Counts and charts of a meeting's registrations, waiting list, workstream interest and world time."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id, drafts=True)
    facts = dashboards.registration_facts(db, meeting)
    titles = {w.number: w.title(current_language()) for w in db.scalars(sa.select(Workstream))}
    retention = _settings()["RETENTION_DAYS"]
    return render_template(
        "console/dashboard.html", meeting=meeting, world=_world_time(meeting, facts),
        charts=_dashboard_charts(dashboards.meeting_counts(facts), dashboards.interest_counts(db), titles),
        sessions=dashboards.session_table(facts, meeting.sessions), waitlist=dashboards.waitlist(db, meeting),
        total=len(facts), retention_days=retention, tasks=dashboards.task_progress(db, meeting),
        anonymizable=privacy.retention_due(meeting, utcnow(), retention) and privacy.holds_personal_data(db, meeting),
        now=utcnow())


@bp.get("/meetings/<int:meeting_id>/interpretation")
@require_role(SECRETARIAT)
def interpretation(meeting_id: int):
    """Per session: language needs, channels, booths and interpreters to book, with booking buttons."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id, drafts=True)
    plans = dashboards.session_plans(db, meeting, _settings())
    return render_template("console/interpretation.html", meeting=meeting, plans=plans, form=BookingForm(),
                           languages=("en", "fr", "es"))


@bp.get("/meetings/<int:meeting_id>/interpretation.<fmt>")
@require_role(SECRETARIAT)
def interpretation_export(meeting_id: int, fmt: str):
    """The interpretation plan as CSV or XLSX: one row per needed (or booked) channel."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id, drafts=True)
    headers = [_("Session"), _("Start (UTC)"), _("Duration (minutes)"), _("Channel"), _("From"), _("Into"),
               _("Listeners"), _("Needed"), _("Booked"), _("Interpreters in the booth")]
    rows = []
    for item in dashboards.session_plans(db, meeting, _settings()):
        needed = {c.key: c for c in item.plan.channels}
        for key in sorted(set(needed) | item.booked):
            source, _sep, target = key.partition("-")
            channel = needed.get(key)
            rows.append([session_label(item.session.label), item.session.starts_at, item.session.duration_minutes,
                         key, language_label(source), language_label(target), channel.listeners if channel else 0,
                         _("Yes") if channel else _("No"), _("Yes") if key in item.booked else _("No"),
                         item.plan.team_size if channel else 0])
    _audit_export("interpretation", fmt, {"meeting_id": meeting.id})
    return _export(headers, rows, fmt, f"interpretation-{meeting.edition}", _("Interpretation"))


@bp.post("/sessions/<int:session_id>/interpretation/<channel>")
@require_role(SECRETARIAT)
def book(session_id: int, channel: str):
    """Mark a channel as booked (or withdraw the booking)."""
    db = get_db()
    session = dashboards.console_session(db, session_id)
    form = BookingForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            raise CSRFError()
        abort(400)
    change = ops.book_channel if form.action.data == "book" else ops.unbook_channel
    if change(db, session, channel, current_actor(), utcnow()):
        db.commit()
        flash(_("Saved: %(channel)s, session %(label)s.", channel=channel_label(channel), label=session.label),
              "success")
    return redirect(url_for(".interpretation", meeting_id=session.meeting_id) + f"#session-{session.label}", 303)


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def attendance(session_id: int):
    """A checkbox per confirmed registrant; saving records present and absent people."""
    db = get_db()
    session = dashboards.console_session(db, session_id)
    form = AttendanceForm()
    if request.method == "POST" and not form.validate_on_submit():
        raise CSRFError()
    present = {int(value) for value in request.form.getlist("present") if value.isdigit()}
    submitted = submit(form, lambda: ops.mark_attendance(db, session, present, current_actor(), utcnow()))
    if submitted.done:
        flash(_("Attendance saved (%(count)s changes).", count=submitted.value), "success")
        return redirect(url_for(".attendance", session_id=session.id), 303)
    status = submitted.status
    return render_template("console/attendance.html", session=session, meeting=session.meeting, form=form,
                           sheet=ops.attendance_sheet(db, session), started=session.starts_at <= utcnow()), status


def _confirmed(form: IrreversibleActionForm) -> bool:
    """True when a confirmation form was posted and ticked; CSRF failures are 400."""
    if request.method != "POST":
        return False
    if form.validate_on_submit():
        return True
    if form.csrf_token.errors:
        raise CSRFError()
    return False


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def cancel_session(session_id: int):
    """Confirm, then cancel one session (its registrants get a calendar cancellation)."""
    db = get_db()
    session = dashboards.console_session(db, session_id)
    form = IrreversibleActionForm()
    if _confirmed(form):
        session_ops.cancel_session(db, session, current_actor(), utcnow())
        db.commit()
        flash(_("Session %(label)s is cancelled; its registrants are being notified.", label=session.label),
              "success")
        return redirect(url_for(".dashboard", meeting_id=session.meeting_id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("console/confirm.html", form=form, meeting=session.meeting,
                           title=_("Cancel session %(label)s", label=session.label),
                           consequence=_("Every registrant of this session receives a cancellation and the "
                                         "event disappears from their calendar."),
                           done=session.status == "cancelled", notified=people_to_notify(db, [session.id])), status


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def cancel_meeting(meeting_id: int):
    """Confirm, then cancel the whole meeting and both sessions."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id, drafts=True)
    form = IrreversibleActionForm()
    if _confirmed(form):
        session_ops.cancel_meeting(db, meeting, current_actor(), utcnow())
        db.commit()
        flash(_("The meeting is cancelled; its registrants are being notified."), "success")
        return redirect(url_for(".dashboard", meeting_id=meeting.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("console/confirm.html", form=form, meeting=meeting,
                           title=_("Cancel the meeting %(edition)s", edition=meeting.edition),
                           consequence=_("Both sessions are cancelled and every registrant receives a "
                                         "cancellation."), done=meeting.status == "cancelled",
                           notified=people_to_notify(db, [s.id for s in meeting.sessions
                                                          if s.status != "cancelled"])), status


@bp.route("/meetings/<int:meeting_id>/anonymize", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def anonymize(meeting_id: int):
    """Confirm, then erase personal data from the registrations of a meeting past the retention period."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id, drafts=True)
    form = IrreversibleActionForm()
    days = _settings()["RETENTION_DAYS"]
    status = 422 if request.method == "POST" else 200
    if _confirmed(form):
        submitted = run_operation(
            form, lambda: privacy.request_anonymization(db, meeting, current_actor(), utcnow(), days))
        if submitted.done:
            flash(_("%(count)s registrations are being anonymized; the dashboard shows the progress.",
                    count=submitted.value.total), "success")
            return redirect(url_for(".dashboard", meeting_id=meeting.id), 303)
        status = submitted.status
    return render_template("console/confirm.html", form=form, meeting=meeting,
                           title=_("Anonymize the registrations of %(edition)s", edition=meeting.edition),
                           consequence=_("Names, e-mail addresses, functions, liaison addresses and e-mails "
                                         "are erased; only anonymous counts remain."),
                           done=not privacy.holds_personal_data(db, meeting)), status


def _filters(form: FilterForm) -> lists.Filters:
    def number(value: str | None) -> int | None:
        return int(value) if value and value.isdigit() else None

    return lists.Filters(meeting_id=number(form.meeting_id.data), session_id=number(form.session_id.data),
                         status=form.status.data or None, category=form.category.data or None,
                         region=form.region.data or None, country=form.country.data or None,
                         language=form.language.data or None, workstream=number(form.workstream.data),
                         q=(form.q.data or "").strip() or None)


def _list_inputs(kind: str):
    if kind not in lists.KINDS:
        abort(404)
    db = get_db()
    form = FilterForm(formdata=request.args)
    form.fill_choices(all_meetings(db, newest_first=True), list(db.scalars(sa.select(Workstream)
                                                                        .order_by(Workstream.number))),
                      current_language())
    if not form.validate():
        abort(422)
    filters = _filters(form)
    return form, filters, lists.build_table(db, kind, filters, current_language())


LIST_TITLES = {"registrations": lambda: _("Registrations"), "organizations": lambda: _("Organizations"),
               "interests": lambda: _("Workstream interest")}


@bp.get("/lists/<kind>")
@require_role(SECRETARIAT)
def list_page(kind: str):
    """A filterable list with its CSV and XLSX export links."""
    form, filters, table = _list_inputs(kind)
    return render_template("console/list.html", kind=kind, title=LIST_TITLES[kind](), form=form, table=table,
                           query=filters.as_query(), kinds=LIST_TITLES)


@bp.get("/lists/<kind>.<fmt>")
@require_role(SECRETARIAT)
def list_export(kind: str, fmt: str):
    """The same list as CSV or XLSX (the export is audited: it holds personal data)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _form, filters, table = _list_inputs(kind)
    _audit_export(kind, fmt, filters.as_query())
    return _export(table.headers, table.rows, fmt, f"{kind}-{utcnow():%Y%m%d}", LIST_TITLES[kind]())


def _audit_export(kind: str, fmt: str, filters: dict) -> None:
    db = get_db()
    record_action(db, current_actor(), "export.downloaded", "export", None, utcnow(), kind=kind, format=fmt,
                  filters=filters)
    db.commit()


@bp.get("/registrations/<int:registration_id>")
@require_role(SECRETARIAT)
def registrant(registration_id: int):
    """One registrant: details, workstreams, history (messages, cancellation, attendance) and actions."""
    db = get_db()
    registration = registrants.registrant_or_404(db, registration_id)
    return render_template("console/registrant.html", registration=registration, meeting=registration.meeting,
                           history=registrants.registrant_history(db, registration),
                           workstreams=lists.workstream_numbers(db, [registration.organization_id]).get(
                               registration.organization_id, []))


@bp.route("/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def cancel_registrant(registration_id: int):
    """Confirm, then cancel one registration on the person's behalf (they receive a cancellation)."""
    db = get_db()
    registration = registrants.registrant_or_404(db, registration_id)
    form = IrreversibleActionForm()
    status = 422 if request.method == "POST" else 200
    if _confirmed(form) and registration.status != "cancelled":
        cancelled = run_operation(form, lambda: ops.cancel_on_behalf(db, registration, current_actor(), utcnow()))
        if cancelled.done:
            flash(_("The registration is cancelled; the person receives a cancellation."), "success")
            return redirect(url_for(".registrant", registration_id=registration.id), 303)
        status = cancelled.status
    return render_template("console/confirm.html", form=form, meeting=registration.meeting,
                           title=_("Cancel the registration of %(name)s", name=registration.name or "—"),
                           consequence=_("The seat is freed for the waiting list and the person receives a "
                                         "cancellation that removes the session from their calendar."),
                           done=registration.status == "cancelled",
                           notified=0 if registration.status == "cancelled" or not registration.email else 1), status


@bp.get("/audit")
@require_role(SECRETARIAT)
def audit():
    """The audit log, newest first, filterable by action, who, subject and dates."""
    db = get_db()
    form = AuditFilterForm(formdata=request.args)
    actions = sorted(db.scalars(sa.select(AuditEntry.action).distinct()))
    subjects = sorted(db.scalars(sa.select(AuditEntry.subject_type).distinct()))
    form.action.choices = [("", _("Any")), *[(a, a) for a in actions]]
    form.subject_type.choices = [("", _("Any")), *[(s, s) for s in subjects]]
    if not form.validate():
        abort(422)
    query = sa.select(AuditEntry)
    if form.action.data:
        query = query.where(AuditEntry.action == form.action.data)
    if form.subject_type.data:
        query = query.where(AuditEntry.subject_type == form.subject_type.data)
    if form.actor.data:
        query = query.where(sa.func.lower(AuditEntry.actor_label).contains(form.actor.data.strip().lower(),
                                                                             autoescape=True))
    if form.since.data:
        query = query.where(AuditEntry.at >= datetime.combine(form.since.data, time(), UTC))
    if form.until.data:
        query = query.where(AuditEntry.at < datetime.combine(form.until.data + timedelta(days=1), time(), UTC))
    entries = list(db.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(AUDIT_PAGE)))
    return render_template("console/audit.html", form=form, entries=entries, limit=AUDIT_PAGE,
                           audit_sentence=audit_sentence)


def init_app(app: Flask) -> None:
    """Register the console pages and the participant's data pages."""
    from meetings.console import participant

    app.register_blueprint(bp)
    participant.init_app(app)
