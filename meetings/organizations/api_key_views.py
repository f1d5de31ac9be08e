"""The secretariat's page of organization API keys: create (the key is shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from meetings.core import rules
from meetings.core.actor import current_actor, require_role
from meetings.core.db import get_db, utcnow
from meetings.core.fields import category_choices, country_choices
from meetings.core.forms import ConfirmForm, submit
from meetings.core.i18n import current_language
from meetings.organizations import api_keys as ops
from meetings.organizations.operations import find_or_create_organization

bp = Blueprint("api_keys", __name__, url_prefix="/secretariat")


class ApiKeyForm(FlaskForm):
    """A new key: its name and the organization it registers people for."""

    name = StringField(_l("Name of the key (e.g. the system that uses it)"),
                       validators=[DataRequired(), Length(max=200)])
    organization = StringField(_l("Organization"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Stakeholder category"), validators=[DataRequired()])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    submit = SubmitField(_l("Create the key"))


@bp.route("/api-keys", methods=["GET", "POST"])
@require_role("secretariat")
def api_keys():
    """Every key (organization, name, hint, last use, revoked) and the form creating one."""
    db = get_db()
    form = ApiKeyForm()
    form.category.choices = category_choices()
    form.country.choices = country_choices(current_language())

    def create():
        organization = find_or_create_organization(
            db, rules.require_text(form.organization.data, "organization", rules.MAX_NAME),
            rules.check_category(form.category.data), rules.check_country(form.country.data), None)
        return ops.create_api_key(db, current_actor(), organization, form.name.data, utcnow())

    submitted = submit(form, create)
    new_key = None
    if submitted.done:
        row, new_key = submitted.value
        flash(_("Copy the key now: it is shown only once."), "success")
    response = render_template("api_keys.html", form=ApiKeyForm(formdata=None) if new_key else form,
                               keys=ops.api_keys(db), new_key=new_key, action_form=ConfirmForm(formdata=None))
    return response, (201 if new_key else submitted.status), {"Cache-Control": "no-store"}


@bp.post("/api-keys/<int:key_id>/revoke")
@require_role("secretariat")
def revoke(key_id: int):
    """Revoke a key: it stops working at once."""
    db = get_db()
    row = ops.api_key_or_404(db, key_id)
    if submit(ConfirmForm(meta={"csrf": False}), lambda: ops.revoke_api_key(db, current_actor(), row, utcnow())).done:
        flash(_("The key “%(name)s” is revoked.", name=row.name), "success")
    return redirect(url_for(".api_keys"), 303)


def init_app(app: Flask) -> None:
    """Register the page."""
    app.register_blueprint(bp)
