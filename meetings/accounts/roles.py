"""Who may do what: Flask-Login set-up and the ``require_role`` decorator for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import sqlalchemy as sa
from flask import Flask, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from meetings.accounts.models import User
from meetings.core.db import get_db

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(identifier: str) -> User | None:
    user_id, _, version = identifier.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = get_db().scalar(sa.select(User).where(User.id == int(user_id)))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    """API calls get a 401 error document; pages redirect to the login form."""
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("accounts.login", next=request.full_path))


def require_role(*roles: str) -> Callable:
    """Views only for logged-in accounts with one of ``roles`` (401 -> login page, else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def init_app(app: Flask) -> None:
    """Install Flask-Login."""
    login_manager.init_app(app)
