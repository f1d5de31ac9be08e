"""Flask-Login set-up for staff accounts: the user loader (a changed session version logs out)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from meetings.accounts.models import User
from meetings.core.actor import login_manager
from meetings.core.db import get_db


@login_manager.user_loader
def _load_user(identifier: str) -> User | None:
    user_id, _, version = identifier.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = get_db().scalar(sa.select(User).where(User.id == int(user_id)))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def init_app(app: Flask) -> None:
    """Install Flask-Login."""
    login_manager.init_app(app)
