"""Pages for participants: thin views that parse, call one operation, commit and render."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from meetings.core.db import get_db, utcnow
from meetings.core.forms import submit
from meetings.core.i18n import current_language
from meetings.core.limits import limited
from meetings.core.localtime import TZ_COOKIE, in_zone, request_zone, session_times, viewer_zone
from meetings.core.session_advice import advise
from meetings.core.transactions import commit_with_retry
from meetings.core.zonepicker import canonical_zone, zone_choices
from meetings.models.queries import meeting_or_404, registration_by_token
from meetings.organizations.models import WorkstreamInterest
from meetings.organizations.operations import list_workstreams
from meetings.registrations import identity
from meetings.registrations import operations as ops
from meetings.registrations.forms import CancelForm, ManageForm, RegistrationForm, SignInForm
from meetings.registrations.operations import RegistrationInput

bp = Blueprint("registrations", __name__)
YEAR = 365 * 24 * 3600


def _remember_zone(response, zone: str | None):
    if zone and request.args.get("tz") == zone:
        response.set_cookie(TZ_COOKIE, zone, max_age=YEAR, samesite="Lax", httponly=True)
    return response



@bp.get("/meetings/<int:meeting_id>")
def meeting_page(meeting_id: int):
    """A meeting with sessions A and B in the viewer's zone and UTC, and a suggestion."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id)
    zone = request_zone()
    advice = advise(meeting.sessions, zone)
    response = render_template(
        "meeting.html", meeting=meeting, zone=zone, times=session_times(meeting.sessions, zone), advice=advice,
        suggested=advice.suggested, seats=ops.seats_left_by_session(db, meeting.sessions),
        zone_groups=zone_choices(current_language(), utcnow()),
    )
    return _remember_zone(make_response(response), zone)


@bp.route("/meetings/<int:meeting_id>/register", methods=["GET", "POST"])
@limited("RATELIMIT_REGISTRATION")
def register(meeting_id: int):
    """The registration form."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id)
    language = current_language()
    form = RegistrationForm()
    form.fill_choices(meeting.sessions, list_workstreams(get_db()), language)
    zone = request_zone() if request.method == "GET" else canonical_zone(viewer_zone(form.timezone.data))
    advice = advise(meeting.sessions, zone)
    if request.method == "GET":
        suggested = advice.suggested
        form.timezone.data = zone or "UTC"
        form.language.data = language
        if request.args.get("session", type=int) in {s.id for s in meeting.sessions}:
            form.session_id.data = request.args.get("session", type=int)
        elif suggested is not None:
            form.session_id.data = suggested.id
    submitted = submit(form, lambda: ops.register_for_meeting(db, meeting, _registration_input(form), utcnow()))
    if submitted.done:
        if not submitted.value.created:  # a known address: nothing changed, a sign-in link went to it
            return redirect(url_for(".updated", meeting_id=meeting.id), 303)
        return redirect(url_for(".confirmation", token=submitted.value.registration.manage_token), 303)
    return render_template("register.html", meeting=meeting, form=form, zone=zone, advice=advice,
                           detect="no" if zone else "preselect",
                           times=session_times(meeting.sessions, zone)), submitted.status


@bp.get("/meetings/<int:meeting_id>/registration-updated")
def updated(meeting_id: int):
    """After typing an address already registered: nothing changed, a one-time link went to that address."""
    return render_template("registration_updated.html", meeting=meeting_or_404(get_db(), meeting_id))


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
@limited("RATELIMIT_SIGN_IN")
def sign_in(token: str):
    """A one-time link from an e-mail: the page asks for a POST, which verifies and renews the private links."""
    db = get_db()
    link = identity.sign_in_link(db, token, utcnow())
    form = SignInForm()
    submitted = submit(form, lambda: identity.use_sign_in_link(db, token, utcnow()))
    if submitted.done:
        flash(_("Your e-mail address is confirmed. This is your new private link; earlier links no longer work."),
              "success")
        return redirect(url_for(".manage", token=submitted.value.manage_token), 303)
    response = make_response(render_template("sign_in.html", registration=link.registration, form=form),
                             submitted.status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/registrations/<token>/confirmation")
def confirmation(token: str):
    """What the person just registered for, with their private manage link."""
    db = get_db()
    registration = registration_by_token(db, token)
    return render_template("confirmation.html", registration=registration,
                           start=in_zone(registration.session.starts_at, registration.timezone),
                           end=in_zone(registration.session.ends_at, registration.timezone),
                           workstream_numbers=_interest_numbers(registration.organization_id),
                           workstreams=list_workstreams(db),
                           position=ops.waitlist_position(db, registration))


@bp.route("/manage/<token>", methods=["GET", "POST"])
def manage(token: str):
    """Change session, language needs, time zone, workstreams; or cancel."""
    db = get_db()
    registration = registration_by_token(db, token)
    meeting = registration.meeting
    form = ManageForm(obj=registration if request.method == "GET" else None)
    form.fill_choices(meeting.sessions, list_workstreams(get_db()), current_language())
    if request.method == "GET":
        form.workstreams.data = _interest_numbers(registration.organization_id)
    status = 200
    if registration.status == "cancelled":
        status = 422 if request.method == "POST" else 200
    else:
        submitted = submit(form, lambda: ops.change_registration(db, registration, _changes(form), utcnow()))
        if submitted.done:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".manage", token=token), 303)
        status = submitted.status
    return render_template(
        "manage.html", registration=registration, form=form,
        times=session_times(meeting.sessions, registration.timezone),
        advice=advise(meeting.sessions, registration.timezone),
        position=ops.waitlist_position(db, registration),
    ), status


@bp.route("/manage/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    """Confirm (GET), then cancel the registration (POST; frees the seat for the waiting list)."""
    db = get_db()
    registration = registration_by_token(db, token)
    if request.method == "GET" or registration.status == "cancelled":
        if registration.status == "cancelled":
            return redirect(url_for(".manage", token=token), 303)
        return render_template("cancel_registration.html", registration=registration, form=CancelForm(),
                               start=in_zone(registration.session.starts_at, registration.timezone))
    if not CancelForm().validate_on_submit():
        raise CSRFError()
    commit_with_retry(lambda: ops.cancel_registration(db, registration, utcnow()))
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for(".manage", token=token), 303)


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
