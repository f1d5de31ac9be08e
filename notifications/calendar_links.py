"""Add-to-calendar links for Google Calendar, Outlook.com and Microsoft 365.

Built from the same :class:`notifications.ics.CalendarEvent` as the .ics files, with the same
text neutralizing. Values are percent-encoded with ``%20`` for spaces (never ``+``, which
Outlook shows literally). Long descriptions are shortened so the URL stays well under the
length browsers and mail clients keep; the join link is always kept whole at the end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote, urlencode

from notifications.ics import CalendarEvent
from notifications.textsafety import multi_line, single_line

GOOGLE_BASE = "https://calendar.google.com/calendar/render"
OUTLOOK_BASES = {
    "outlook": "https://outlook.live.com/calendar/0/action/compose",
    "office365": "https://outlook.office.com/calendar/0/action/compose",
}
MAX_DETAILS = 1000


def google_calendar_url(event: CalendarEvent, *, include_join_link: bool = True) -> str:
    """Return a Google Calendar "create event" URL for the event."""
    summary, details, location = _texts(event, include_join_link)
    dates = f"{_compact(event.start)}/{_compact(event.end)}"
    params = {"action": "TEMPLATE", "text": summary, "dates": dates, "details": details, "location": location}
    return f"{GOOGLE_BASE}?{_encode(params)}"


def outlook_calendar_url(
    event: CalendarEvent,
    service: Literal["outlook", "office365"] = "outlook",
    *,
    include_join_link: bool = True,
) -> str:
    """Return an Outlook.com ("outlook") or Microsoft 365 ("office365") compose-event URL."""
    if service not in OUTLOOK_BASES:
        raise ValueError(f"service must be one of {sorted(OUTLOOK_BASES)}")
    summary, body, location = _texts(event, include_join_link)
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "startdt": _iso(event.start),
        "enddt": _iso(event.end),
        "subject": summary,
        "body": body,
        "location": location,
    }
    return f"{OUTLOOK_BASES[service]}?{_encode(params)}"


def _texts(event: CalendarEvent, include_join_link: bool) -> tuple[str, str, str]:
    """Return neutralized summary, details (shortened, join link last) and location."""
    summary = single_line(event.summary)
    details = multi_line(event.description)
    location = single_line(event.location)
    if len(details) > MAX_DETAILS:
        details = details[: MAX_DETAILS - 1].rstrip() + "…"
    link = event.url if include_join_link else None
    if event.url and not link:
        summary, details, location = (t.replace(event.url, "").strip() for t in (summary, details, location))
    if link:
        details = f"{details}\n\n{link}" if details else link
        location = link
    return summary, details, location


def _encode(params: dict[str, str]) -> str:
    """Percent-encode query parameters, dropping empty ones."""
    return urlencode({k: v for k, v in params.items() if v}, quote_via=quote)


def _compact(value: datetime) -> str:
    """Return the UTC basic format Google expects: 20250101T090000Z."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso(value: datetime) -> str:
    """Return ISO 8601 in UTC with a Z: 2025-01-01T09:00:00Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
