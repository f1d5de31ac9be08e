"""Who is acting: the logged-in staff account (Flask-Login), its role, and the ``require_role`` guard.

The account model belongs to ``meetings.accounts``, which installs the user loader; features only ask
"who is acting?" (:func:`current_actor`) and "may they?" (:func:`require_role`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.session_protection = "strong"


@login_manager.unauthorized_handler
def _unauthorized():
    """API calls get a 401 error document; pages redirect to the login form."""
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("accounts.login", next=request.full_path))


def current_actor():
    """The logged-in account (a ``User``), or None for a visitor."""
    return current_user._get_current_object() if current_user.is_authenticated else None


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
