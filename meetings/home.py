"""Site-wide pages: the home page (global meetings and roundtables), the privacy notice, the language choice."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, render_template, request, url_for

from meetings.core.db import get_db
from meetings.core.i18n import LOCALE_COOKIE
from meetings.core.localtime import request_zone, session_times
from meetings.core.vocabulary import LANGUAGE_CODES
from meetings.models.queries import published_meetings
from meetings.registrations.operations import seats_left_by_session
from meetings.roundtables.queries import roundtable_meeting_ids

bp = Blueprint("home", __name__)
YEAR = 365 * 24 * 3600


@bp.get("/")
def index():
    """Upcoming and past global meetings."""
    db = get_db()
    meetings = published_meetings(db)
    roundtable_ids = roundtable_meeting_ids(db)
    zone = request_zone()
    return render_template("index.html", meetings=[m for m in meetings if m.id not in roundtable_ids],
                           roundtables=[m for m in meetings if m.id in roundtable_ids], zone=zone,
                           times=session_times([s for m in meetings for s in m.sessions], zone),
                           seats=seats_left_by_session(db, [s for m in meetings for s in m.sessions]))


@bp.get("/privacy")
def privacy():
    """The privacy notice."""
    return render_template("privacy.html")


@bp.get("/language/<code>")
def choose_language(code: str):
    """Remember the chosen language and go back to where the visitor was."""
    target = request.args.get("next") or url_for(".index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        target = url_for(".index")
    response = redirect(target, 303)
    if code in LANGUAGE_CODES:
        response.set_cookie(LOCALE_COOKIE, code, max_age=YEAR, samesite="Lax", httponly=True)
    return response




def init_app(app: Flask) -> None:
    """Register the site-wide pages."""
    app.register_blueprint(bp)
