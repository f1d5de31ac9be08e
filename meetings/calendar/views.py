"""The .ics routes: a registration's invite, the private participant feed, the public feeds."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, Response, request
from flask_babel import lazy_gettext as _l

from meetings.calendar import events
from meetings.core.db import get_db, utcnow
from meetings.core.errors import NotFound
from meetings.core.i18n import current_language
from meetings.core.vocabulary import LANGUAGE_CODES
from meetings.models import Registration
from meetings.models.queries import meeting_or_404, published_meetings, registration_by_token

bp = Blueprint("calendar", __name__)

PUBLIC_MAX_AGE = 15 * 60
PRIVATE_MAX_AGE = 5 * 60
UNKNOWN_FEED = _l("This calendar link is not valid. Use the link from your confirmation page or e-mail.")


@bp.get("/registrations/<token>/invite.ics")
def invite(token: str):
    """Download the current invite (REQUEST) or cancellation (CANCEL) of a registration."""
    registration = registration_by_token(get_db(), token)
    method, data = events.invite_for(registration, utcnow())
    name = f"acsg-{registration.meeting.edition}-session-{registration.session.label}"
    response = _calendar(data, method, name, attachment=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/feeds/participant/<feed_token>.ics")
def participant_feed(feed_token: str):
    """A participant's private feed (secret token in the URL)."""
    registration = None
    if feed_token and len(feed_token) <= 64:
        registration = get_db().scalar(sa.select(Registration).where(Registration.feed_token == feed_token))
    if registration is None:
        raise NotFound("unknown_feed", UNKNOWN_FEED)
    response = _calendar(events.participant_feed(registration, utcnow()), "PUBLISH", "acsg-my-sessions")
    response.headers["Cache-Control"] = f"private, max-age={PRIVATE_MAX_AGE}"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/feeds/meetings/<int:meeting_id>.ics")
def meeting_feed(meeting_id: int):
    """The public feed of one meeting (not drafts), in ?lang= or the visitor's language."""
    meeting = meeting_or_404(get_db(), meeting_id)
    data = events.meeting_feed(meeting, _feed_language(), utcnow())
    return _public(_calendar(data, "PUBLISH", f"acsg-{meeting.edition}"))


@bp.get("/feeds/meetings.ics")
def all_meetings_feed():
    """The public feed of every published meeting."""
    data = events.all_meetings_feed(published_meetings(get_db()), _feed_language(), utcnow())
    return _public(_calendar(data, "PUBLISH", "acsg-global-meetings"))


def _feed_language() -> str:
    language = request.args.get("lang")
    return language if language in LANGUAGE_CODES else current_language()


def _calendar(data: bytes, method: str, name: str, *, attachment: bool = False) -> Response:
    """A text/calendar response whose ``method`` parameter equals the file's METHOD."""
    response = Response(data, status=200)
    response.headers["Content-Type"] = f"text/calendar; charset=utf-8; method={method}"
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "calendar"
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{safe}.ics"'
    return response


def _public(response: Response) -> Response:
    """Shared caches may keep public feeds; without ?lang= the language follows the visitor."""
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    if request.args.get("lang") not in LANGUAGE_CODES:
        response.headers["Vary"] = "Accept-Language, Cookie"
    return response
