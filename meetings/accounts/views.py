"""Login, logout and setting a password from a one-time link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from meetings.accounts import loader
from meetings.accounts import operations as ops
from meetings.accounts.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from meetings.core.actor import current_actor
from meetings.core.db import get_db, utcnow
from meetings.core.errors import DomainError
from meetings.core.forms import show_error, submit
from meetings.core.limits import limited
from meetings.outbox.composing import register_composer

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limited("RATELIMIT_LOGIN")
def login():
    """The login form (failures are counted per account and per address)."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = get_db()
        try:
            user = ops.authenticate(db, form.email.data, form.password.data, request.remote_addr or "", utcnow())
            db.commit()
            login_user(user)
            if not request.args.get("next") and user.role == "secretariat":
                return redirect(url_for("console.index"), 303)  # the secretariat lands on its console
            return redirect(_safe_next(request.args.get("next")), 303)
        except DomainError as error:
            db.commit()  # unlike other forms: keep the failed attempt, it is what rate-limits guessing
            status = error.status
            show_error(form, error)
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """End the session on the server too: a copied session cookie stops working."""
    db = get_db()
    ops.end_sessions(db, current_actor())
    db.commit()
    logout_user()
    return redirect(url_for("home.index"), 303)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limited("RATELIMIT_PASSWORD_RESET")
def forgot_password():
    """Ask for a one-time link to set a new password (the answer is the same for every address)."""
    db = get_db()
    form = ForgotPasswordForm()
    submitted = submit(form, lambda: ops.request_password_reset(db, form.email.data, utcnow()))
    if submitted.done:
        flash(_("If an account uses this address, a link to set a new password is on its way. It works once, "
                "for one hour."), "success")
        return redirect(url_for(".login"), 303)
    return render_template("accounts/forgot_password.html", form=form), submitted.status


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password from an invitation or reset link (one use)."""
    db = get_db()
    user = ops.account_by_invitation(db, token, utcnow())
    form = SetPasswordForm()
    submitted = submit(form, lambda: ops.set_password_with_invitation(db, token, form.password.data, utcnow()))
    if submitted.done:
        flash(_("Your password is saved. You can log in now."), "success")
        return redirect(url_for(".login"), 303)
    return render_template("accounts/set_password.html", form=form, user=user), submitted.status


def init_app(app: Flask) -> None:
    """Flask-Login and the account pages."""
    from meetings.accounts import admin_views

    loader.init_app(app)
    app.register_blueprint(bp)
    register_composer(app, ops.ACCOUNT_INVITATION, ops.compose_account_link)
    register_composer(app, ops.PASSWORD_RESET, ops.compose_account_link)
    admin_views.init_app(app)
