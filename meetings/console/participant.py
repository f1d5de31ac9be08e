"""The participant's own data through the manage link: download it (JSON) or delete it (POST + CSRF)."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from meetings.console import privacy
from meetings.console.forms import IrreversibleActionForm
from meetings.core.db import get_db, utcnow
from meetings.core.transactions import commit_with_retry
from meetings.models.queries import registration_by_token

bp = Blueprint("mydata", __name__, url_prefix="/manage/<token>")


@bp.get("/data.json")
def download(token: str):
    """Everything held about the person, as a JSON file."""
    db = get_db()
    registration = registration_by_token(db, token)
    body = json.dumps(privacy.participant_data(db, registration), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="my-registration-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
def delete(token: str):
    """Confirm, then cancel the registration and erase the person's data; the link stops working."""
    db = get_db()
    registration = registration_by_token(db, token)
    form = IrreversibleActionForm()
    status = 200
    if form.validate_on_submit():
        commit_with_retry(lambda: privacy.erase_participant(db, registration, utcnow()))
        flash(_("Your data has been deleted. Your registration is cancelled and this link no longer works."),
              "success")
        return redirect(url_for("home.privacy"), 303)
    if request.method == "POST":
        status = 400 if form.csrf_token.errors else 422
    return render_template("console/delete_my_data.html", registration=registration, form=form), status


def init_app(app: Flask) -> None:
    """Register the participant's data pages."""
    app.register_blueprint(bp)
