"""Pages for participants: thin views that parse, call one operation, commit and render."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from meetings.core import rules
from meetings.core.db import get_db, utcnow
from meetings.core.forms import submit
from meetings.core.i18n import current_language
from meetings.core.limits import limited
from meetings.core.localtime import in_zone, suggest_session, viewer_zone
from meetings.models.queries import meeting_or_404, registration_by_token
from meetings.organizations.models import WorkstreamInterest
from meetings.organizations.operations import list_workstreams
from meetings.registrations import identity
from meetings.registrations import operations as ops
from meetings.registrations.forms import CancelForm, ManageForm, RegistrationForm, SignInForm
from meetings.registrations.operations import RegistrationInput

bp = Blueprint("registrations", __name__)
TZ_COOKIE = "tz"
YEAR = 365 * 24 * 3600


def _zone() -> str | None:
    return viewer_zone(request.args.get("tz")) or viewer_zone(request.cookies.get(TZ_COOKIE))


def _remember_zone(response, zone: str | None):
    if zone and request.args.get("tz") == zone:
        response.set_cookie(TZ_COOKIE, zone, max_age=YEAR, samesite="Lax", httponly=True)
    return response



@bp.get("/meetings/<int:meeting_id>")
def meeting_page(meeting_id: int):
    """A meeting with sessions A and B in the viewer's zone and UTC, and a suggestion."""
    db = get_db()
    meeting = meeting_or_404(db, meeting_id)
    zone = _zone()
    times = {s.id: (in_zone(s.starts_at, zone or "UTC"), in_zone(s.ends_at, zone or "UTC"))
             for s in meeting.sessions}
    response = render_template(
        "meeting.html", meeting=meeting, zone=zone, times=times, suggested=suggest_session(meeting.sessions, zone),
        seats=ops.seats_left_by_session(db, meeting.sessions), zones=rules.known_timezones(),
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
    if request.method == "GET":
        zone = _zone()
        suggested = suggest_session(meeting.sessions, zone)
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
    return render_template("register.html", meeting=meeting, form=form), submitted.status


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
        "manage.html", registration=registration, form=form, cancel_form=CancelForm(),
        times={s.id: in_zone(s.starts_at, registration.timezone) for s in meeting.sessions},
        position=ops.waitlist_position(db, registration),
    ), status


@bp.post("/manage/<token>/cancel")
def cancel(token: str):
    """Cancel the registration (frees the seat for the waiting list)."""
    db = get_db()
    registration = registration_by_token(db, token)
    if not CancelForm().validate_on_submit():
        raise CSRFError()
    ops.cancel_registration(db, registration, utcnow())
    db.commit()
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
