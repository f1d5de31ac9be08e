"""The secretariat's page of staff accounts: invite, resend a link, deactivate (under /secretariat)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from meetings.accounts import operations as ops
from meetings.accounts.forms import InviteForm
from meetings.core.actor import current_actor, require_role
from meetings.core.db import get_db, utcnow
from meetings.core.fields import category_choices, country_choices, language_choices
from meetings.core.forms import ConfirmForm, submit
from meetings.core.i18n import current_language

bp = Blueprint("account_admin", __name__, url_prefix="/secretariat")


@bp.route("/accounts", methods=["GET", "POST"])
@require_role("secretariat")
def accounts():
    """Staff accounts (role, organization, status) and the form inviting a co-convener."""
    db = get_db()
    form = InviteForm()
    form.category.choices = category_choices()
    form.country.choices = country_choices(current_language())
    form.language.choices = language_choices(blank=False)
    submitted = submit(form, lambda: ops.invite_account(db, current_actor(), ops.AccountInput(
        name=form.name.data, email=form.email.data, role=form.role.data,
        organization=form.organization.data or "", category=form.category.data or "",
        country=form.country.data or "", language=form.language.data), utcnow()))
    if submitted.done:
        flash(_("Invitation sent to %(email)s.", email=submitted.value.email), "success")
        return redirect(url_for(".accounts"), 303)
    return render_template("accounts/staff.html", form=form, accounts=ops.staff_accounts(db),
                           account_status=ops.account_status, action_form=ConfirmForm(formdata=None)), submitted.status


def _account_action(user_id: int, action, success: str):
    """Run ``action`` on the account (the button's CSRF checked), flash the outcome, back to the list."""
    db = get_db()
    user = ops.account_or_404(db, user_id)
    if submit(ConfirmForm(meta={"csrf": False}), lambda: action(db, current_actor(), user, utcnow())).done:
        flash(success % {"email": user.email}, "success")
    return redirect(url_for(".accounts"), 303)


@bp.post("/accounts/<int:user_id>/deactivate")
@require_role("secretariat")
def deactivate(user_id: int):
    """Deactivate an account: it can no longer log in and its sessions end."""
    return _account_action(user_id, ops.deactivate_account, _("%(email)s is deactivated."))


@bp.post("/accounts/<int:user_id>/resend")
@require_role("secretariat")
def resend(user_id: int):
    """Send a new one-time link to an account still waiting for its password."""
    return _account_action(user_id, ops.resend_invitation, _("A new link was sent to %(email)s."))


def init_app(app) -> None:
    """Register the staff accounts page."""
    app.register_blueprint(bp)
