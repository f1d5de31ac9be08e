"""The workstreams page: the four workstreams and the form organizations sign up with."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from meetings.core.db import get_db, utcnow
from meetings.core.forms import submit
from meetings.core.i18n import current_language
from meetings.core.limits import limited
from meetings.organizations import operations as ops
from meetings.organizations.forms import InterestForm

bp = Blueprint("organizations", __name__)


@bp.route("/workstreams", methods=["GET", "POST"])
@limited("RATELIMIT_SIGN_UP")
def workstreams():
    """The four workstreams and a sign-up form for organizations."""
    db = get_db()
    items = ops.list_workstreams(db)
    form = InterestForm()
    form.fill_choices(items, current_language())
    submitted = submit(form, lambda: ops.sign_up_organization(
        db, organization=form.organization.data, category=form.category.data, country=form.country.data,
        region=form.region.data, contact_name=form.contact_name.data, contact_email=form.contact_email.data,
        workstreams=tuple(form.workstreams.data), note=form.note.data, now=utcnow()))
    if submitted.done:
        flash(_("Thank you. Your organization is signed up to the workstreams you chose."), "success")
        return redirect(url_for(".workstreams"), 303)
    return render_template("workstreams.html", workstreams=items, form=form), submitted.status


def init_app(app: Flask) -> None:
    """Register the workstreams page and its API."""
    from meetings.organizations import api, api_key_views

    app.register_blueprint(bp)
    api.init_app(app)
    api_key_views.init_app(app)
