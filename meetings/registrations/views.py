"""Pages for participants: thin views that parse, call one operation, commit and render."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Flask, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from meetings.db import get_db, utcnow
from meetings.errors import DomainError
from meetings.formerrors import show_error
from meetings.i18n import LOCALE_COOKIE, current_language
from meetings.localtime import in_zone, viewer_zone
from meetings.meetings_query import meeting_or_404, published_meetings, roundtable_meeting_ids
from meetings.models import Workstream, WorkstreamInterest
from meetings.registrations import operations as ops
from meetings.registrations.forms import CancelForm, InterestForm, ManageForm, RegistrationForm
from meetings.registrations.rules import RegistrationInput
from meetings.session_advice import advise
from meetings.vocabulary import LANGUAGE_CODES
from meetings.zonepicker import canonical_zone, zone_choices

bp = Blueprint("registrations", __name__)
TZ_COOKIE = "tz"
YEAR = 365 * 24 * 3600


def _zone() -> str | None:
    return canonical_zone(viewer_zone(request.args.get("tz")) or viewer_zone(request.cookies.get(TZ_COOKIE)))


def _times(sessions: list, zone: str | None) -> dict:
    return {s.id: (in_zone(s.starts_at, zone or "UTC"), in_zone(s.ends_at, zone or "UTC")) for s in sessions}


def _workstreams() -> list[Workstream]:
    return list(get_db().scalars(sa.select(Workstream).order_by(Workstream.number)))


def _remember_zone(response, zone: str | None):
    if zone and request.args.get("tz") == zone:
        response.set_cookie(TZ_COOKIE, zone, max_age=YEAR, samesite="Lax", httponly=True)
    return response



@bp.get("/")
def index():
    """Upcoming and past global meetings."""
    db = get_db()
    meetings = published_meetings(db)
    roundtable_ids = roundtable_meeting_ids(db)
    zone = _zone()
    return render_template("index.html", meetings=[m for m in meetings if m.id not in roundtable_ids],
                           roundtables=[m for m in meetings if m.id in roundtable_ids], zone=zone,
                           times=_times([s for m in meetings for s in m.sessions], zone),
                           seats=ops.seats_left_by_session(db, [s for m in meetings for s in m.sessions]))


@bp.get("/meetings/<int:meeting_id>")
def meeting_page(meeting_id: int):
    """A meeting with sessions A and B in the viewer's zone and UTC, and a suggestion."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id)
    zone = _zone()
    advice = advise(meeting.sessions, zone)
    response = render_template(
        "meeting.html", meeting=meeting, zone=zone, times=_times(meeting.sessions, zone), advice=advice,
        suggested=advice.suggested, seats=ops.seats_left_by_session(db, meeting.sessions),
        zone_groups=zone_choices(current_language(), utcnow()),
    )
    return _remember_zone(make_response(response), zone)


@bp.route("/meetings/<int:meeting_id>/register", methods=["GET", "POST"])
def register(meeting_id: int):
    """The registration form."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id)
    language = current_language()
    form = RegistrationForm()
    form.fill_choices(meeting.sessions, _workstreams(), language)
    zone = _zone() if request.method == "GET" else canonical_zone(viewer_zone(form.timezone.data))
    advice = advise(meeting.sessions, zone)
    if request.method == "GET":
        suggested = advice.suggested
        form.timezone.data = zone or "UTC"
        form.language.data = language
        if request.args.get("session", type=int) in {s.id for s in meeting.sessions}:
            form.session_id.data = request.args.get("session", type=int)
        elif suggested is not None:
            form.session_id.data = suggested.id
    status = 200
    if form.validate_on_submit():
        try:
            outcome = ops.register_for_meeting(db, meeting, _registration_input(form), utcnow())
            db.commit()
            if not outcome.created:  # an existing address: the private link is e-mailed, never shown
                return redirect(url_for(".updated", meeting_id=meeting.id), 303)
            return redirect(url_for(".confirmation", token=outcome.registration.manage_token), 303)
        except DomainError as error:
            db.rollback()
            status = error.status
            show_error(form, error)
    elif request.method == "POST":
        status = 422
    return render_template("register.html", meeting=meeting, form=form, zone=zone, advice=advice,
                           detect="no" if zone else "preselect", times=_times(meeting.sessions, zone)), status


@bp.get("/meetings/<int:meeting_id>/registration-updated")
def updated(meeting_id: int):
    """After registering again with an address already registered: the link went to that address."""
    return render_template("registration_updated.html", meeting=meeting_or_404(get_db(), meeting_id))


@bp.get("/registrations/<token>/confirmation")
def confirmation(token: str):
    """What the person just registered for, with their private manage link."""
    db = get_db()
    registration = ops.registration_by_token(db, token)
    return render_template("confirmation.html", registration=registration,
                           start=in_zone(registration.session.starts_at, registration.timezone),
                           end=in_zone(registration.session.ends_at, registration.timezone),
                           workstream_numbers=_interest_numbers(registration.organization_id),
                           workstreams=_workstreams(),
                           position=ops.waitlist_position(db, registration))


@bp.route("/manage/<token>", methods=["GET", "POST"])
def manage(token: str):
    """Change session, language needs, time zone, workstreams; or cancel."""
    db = get_db()
    registration = ops.registration_by_token(db, token)
    meeting = registration.meeting
    form = ManageForm(obj=registration if request.method == "GET" else None)
    form.fill_choices(meeting.sessions, _workstreams(), current_language())
    if request.method == "GET":
        form.workstreams.data = _interest_numbers(registration.organization_id)
    status = 200
    if registration.status != "cancelled" and form.validate_on_submit():
        try:
            ops.change_registration(db, registration, _changes(form), utcnow())
            db.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".manage", token=token), 303)
        except DomainError as error:
            db.rollback()
            status = error.status
            registration = ops.registration_by_token(db, token)
            show_error(form, error)
    elif request.method == "POST":
        status = 422
    return render_template(
        "manage.html", registration=registration, form=form,
        times=_times(meeting.sessions, registration.timezone),
        advice=advise(meeting.sessions, registration.timezone),
        position=ops.waitlist_position(db, registration),
    ), status


@bp.route("/manage/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    """Confirm (GET), then cancel the registration (POST; frees the seat for the waiting list)."""
    db = get_db()
    registration = ops.registration_by_token(db, token)
    if request.method == "GET" or registration.status == "cancelled":
        if registration.status == "cancelled":
            return redirect(url_for(".manage", token=token), 303)
        return render_template("cancel_registration.html", registration=registration, form=CancelForm(),
                               start=in_zone(registration.session.starts_at, registration.timezone))
    if not CancelForm().validate_on_submit():
        raise CSRFError()
    ops.cancel_registration(db, registration, utcnow())
    db.commit()
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for(".manage", token=token), 303)


@bp.route("/workstreams", methods=["GET", "POST"])
def workstreams():
    """The four workstreams and a sign-up form for organizations."""
    db = get_db()
    items = _workstreams()
    form = InterestForm()
    form.fill_choices(items, current_language())
    status = 200
    if form.validate_on_submit():
        try:
            ops.sign_up_organization(
                db, organization=form.organization.data, category=form.category.data, country=form.country.data,
                region=form.region.data, contact_name=form.contact_name.data,
                contact_email=form.contact_email.data, workstreams=tuple(form.workstreams.data),
                note=form.note.data, now=utcnow())
            db.commit()
            flash(_("Thank you. Your organization is signed up to the workstreams you chose."), "success")
            return redirect(url_for(".workstreams"), 303)
        except DomainError as error:
            db.rollback()
            status = error.status
            show_error(form, error)
    elif request.method == "POST":
        status = 422
    return render_template("workstreams.html", workstreams=items, form=form), status


@bp.get("/privacy")
def privacy():
    """The privacy notice."""
    return render_template("privacy.html")


@bp.get("/language/<code>")
def choose_language(code: str):
    """Remember the chosen language and go back to where the visitor was."""
    target = request.args.get("next") or url_for(".index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        target = url_for(".index")
    response = redirect(target, 303)
    if code in LANGUAGE_CODES:
        response.set_cookie(LOCALE_COOKIE, code, max_age=YEAR, samesite="Lax", httponly=True)
    return response


def _registration_input(form: RegistrationForm) -> RegistrationInput:
    return RegistrationInput(
        session_id=form.session_id.data, name=form.name.data, email=form.email.data,
        organization=form.organization.data, category=form.category.data, country=form.country.data,
        language=form.language.data, timezone=form.timezone.data, consent=bool(form.consent.data),
        function=form.function.data or "", spoken_language=form.spoken_language.data or None,
        listening_language=form.listening_language.data or None,
        liaison_email=form.liaison_email.data or None, region=form.region.data or None,
        workstreams=tuple(form.workstreams.data or ()),
    )


def _changes(form: ManageForm) -> ops.RegistrationChanges:
    return ops.RegistrationChanges(
        session_id=form.session_id.data, language=form.language.data,
        spoken_language=form.spoken_language.data or "",
        listening_language=form.listening_language.data or "",
        timezone=form.timezone.data, function=form.function.data or "",
        liaison_email=form.liaison_email.data or "", workstreams=tuple(form.workstreams.data or ()),
        accept_waitlist=bool(form.accept_waitlist.data),
    )


def _interest_numbers(organization_id: int) -> list[int]:
    return [i.workstream.number for i in get_db().scalars(
        sa.select(WorkstreamInterest).where(WorkstreamInterest.organization_id == organization_id))]


def init_app(app: Flask) -> None:
    """Register the participant pages."""
    app.register_blueprint(bp)
