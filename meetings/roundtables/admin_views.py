"""The secretariat's pages for co-convener accounts and regional-forum topics (under /secretariat)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from meetings.accounts.forms import InviteForm
from meetings.accounts.roles import require_role
from meetings.core.db import get_db, utcnow
from meetings.core.errors import DomainError
from meetings.core.forms import show_error
from meetings.core.i18n import current_language
from meetings.core.vocabulary import CATEGORIES, LANGUAGE_CODES
from meetings.registrations.forms import country_choices, language_choices
from meetings.roundtables import staff
from meetings.roundtables.forms import ConfirmForm, ForumTopicForm

bp = Blueprint("roundtable_admin", __name__, url_prefix="/secretariat")


def _user():
    return current_user._get_current_object()


@bp.route("/accounts", methods=["GET", "POST"])
@require_role("secretariat")
def accounts():
    """Staff accounts (role, organization, status) and the form inviting a co-convener."""
    db = get_db()
    form = InviteForm()
    form.category.choices = [("", "—")] + [(code, str(label)) for code, label in CATEGORIES.items()]
    form.country.choices = country_choices(current_language())
    form.language.choices = language_choices(blank=False)
    status = 200
    if form.validate_on_submit():
        try:
            user = staff.invite_account(db, _user(), staff.AccountInput(
                name=form.name.data, email=form.email.data, role=form.role.data,
                organization=form.organization.data or "", category=form.category.data or "",
                country=form.country.data or "", language=form.language.data), utcnow())
            db.commit()
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for(".accounts"), 303)
        except DomainError as error:
            db.rollback()
            status = error.status
            show_error(form, error)
    elif request.method == "POST":
        status = 422
    return render_template("roundtables/accounts.html", form=form, accounts=staff.staff_accounts(db),
                           account_status=staff.account_status, action_form=ConfirmForm(formdata=None)), status


def _account_action(user_id: int, action) -> object:
    db = get_db()
    user = staff.account_or_404(db, user_id)
    try:
        action(db, _user(), user, utcnow())
        db.commit()
        return user, None
    except DomainError as error:
        db.rollback()
        return user, error


@bp.post("/accounts/<int:user_id>/deactivate")
@require_role("secretariat")
def deactivate(user_id: int):
    """Deactivate an account: it can no longer log in and its sessions end."""
    user, error = _account_action(user_id, staff.deactivate_account)
    flash(error.message if error else _("%(email)s is deactivated.", email=user.email),
          "error" if error else "success")
    return redirect(url_for(".accounts"), 303)


@bp.post("/accounts/<int:user_id>/resend")
@require_role("secretariat")
def resend(user_id: int):
    """Send a new one-time link to an account still waiting for its password."""
    user, error = _account_action(user_id, staff.resend_invitation)
    flash(error.message if error else _("A new link was sent to %(email)s.", email=user.email),
          "error" if error else "success")
    return redirect(url_for(".accounts"), 303)


@bp.route("/forum-topics", methods=["GET", "POST"])
@require_role("secretariat")
def forum_topics():
    """Topics regional forums already cover, compared with every roundtable proposal."""
    db = get_db()
    form = ForumTopicForm()
    form.fill_choices()
    status = 200
    if form.validate_on_submit():
        try:
            staff.add_forum_topic(db, _user(), form.forum.data, {c: form[f"title_{c}"].data for c in LANGUAGE_CODES},
                                  tuple(form.regions.data or ()), utcnow())
            db.commit()
            flash(_("The topic is registered."), "success")
            return redirect(url_for(".forum_topics"), 303)
        except DomainError as error:
            db.rollback()
            status = error.status
            show_error(form, error)
    elif request.method == "POST":
        status = 422
    return render_template("roundtables/forum_topics.html", form=form, topics=staff.forum_topics(db),
                           action_form=ConfirmForm(formdata=None)), status


@bp.post("/forum-topics/<int:topic_id>/delete")
@require_role("secretariat")
def delete_forum_topic(topic_id: int):
    """Remove a regional-forum topic."""
    db = get_db()
    staff.remove_forum_topic(db, _user(), topic_id, utcnow())
    db.commit()
    flash(_("The topic is removed."), "success")
    return redirect(url_for(".forum_topics"), 303)
