"""Add-to-calendar links for Google Calendar, Outlook.com and Microsoft 365."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from notifications.calendar_links import MAX_DETAILS, google_calendar_url, outlook_calendar_url
from notifications.ics import CalendarEvent

START = datetime(2025, 3, 12, 13, 0, tzinfo=UTC)
LINK = "https://meet.example.org/j/8812?pwd=s3cr3t&lang=es"


def make_event(**changes: object) -> CalendarEvent:
    """Return a Spanish session with a join link whose query has its own & and =."""
    values: dict[str, object] = {
        "uid": "uid-1",
        "sequence": 0,
        "start": START,
        "end": START + timedelta(hours=3),
        "summary": "Reunión mundial & sesión B + diálogo #1 / 50% 🌍",
        "description": "Su hora local: miércoles 12 de marzo, 8:00 (America/Bogota)\nInterpretación: EN, FR",
        "location": "Plataforma virtual",
        "url": LINK,
        "language": "es",
    }
    values.update(changes)
    return CalendarEvent(**values)  # type: ignore[arg-type]


def query(url: str) -> dict[str, str]:
    """Return the decoded query of url, asserting each parameter appears once."""
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in parsed.values())
    return {k: v[0] for k, v in parsed.items()}


def test_google_url() -> None:
    """Google's TEMPLATE link carries title, UTC dates, details with the link, and the link as location."""
    url = google_calendar_url(make_event())
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert " " not in url and "+" not in url.split("?", 1)[1], "spaces are %20, never +"
    q = query(url)
    assert q["action"] == "TEMPLATE"
    assert q["text"] == "Reunión mundial & sesión B + diálogo #1 / 50% 🌍"
    assert q["dates"] == "20250312T130000Z/20250312T160000Z"
    assert q["details"].startswith("Su hora local: miércoles") and q["details"].endswith("\n\n" + LINK)
    assert q["location"] == LINK


@pytest.mark.parametrize(
    ("service", "base"),
    [
        ("outlook", "https://outlook.live.com/calendar/0/action/compose?"),
        ("office365", "https://outlook.office.com/calendar/0/action/compose?"),
    ],
)
def test_outlook_urls(service: str, base: str) -> None:
    """Outlook.com and Microsoft 365 compose links carry ISO UTC times and every field intact."""
    bogota = ZoneInfo("America/Bogota")
    event = make_event(start=START.astimezone(bogota), end=(START + timedelta(hours=3)).astimezone(bogota))
    url = outlook_calendar_url(event, service)  # type: ignore[arg-type]
    assert url.startswith(base)
    q = query(url)
    assert q["path"] == "/calendar/action/compose" and q["rru"] == "addevent"
    assert q["startdt"] == "2025-03-12T13:00:00Z" and q["enddt"] == "2025-03-12T16:00:00Z"
    assert q["subject"] == "Reunión mundial & sesión B + diálogo #1 / 50% 🌍"
    assert q["body"].endswith("\n\n" + LINK) and q["location"] == LINK


def test_unknown_outlook_service_is_refused() -> None:
    """Only the two known Outlook services are accepted."""
    with pytest.raises(ValueError):
        outlook_calendar_url(make_event(), "hotmail")  # type: ignore[arg-type]


def test_links_neutralize_text_and_can_leave_out_the_join_link() -> None:
    """Control characters are gone; include_join_link=False removes the link from every field."""
    event = make_event(summary="Evil\r\nX\x00Y", description=f"Ver {LINK}\x07", location="Sala\nvirtual")
    for url in (
        google_calendar_url(event, include_join_link=False),
        outlook_calendar_url(event, "office365", include_join_link=False),
    ):
        values = query(url)
        assert "s3cr3t" not in url and "meet.example.org" not in url
        assert not any(ord(ch) < 0x20 and ch != "\n" for v in values.values() for ch in v)
        assert values.get("text", values.get("subject")) == "Evil XY"
        assert values["location"] == "Sala virtual"


def test_long_descriptions_are_shortened_but_keep_the_link() -> None:
    """A long abstract is cut to MAX_DETAILS characters; the join link stays whole at the end."""
    event = make_event(description="Intercambio de conocimientos técnicos. " * 200)
    details = query(google_calendar_url(event))["details"]
    assert details.endswith("…\n\n" + LINK)
    assert len(details) == MAX_DETAILS + 2 + len(LINK)


def test_event_without_link_uses_location_text() -> None:
    """Without a join link, location is the event's own location text and details have no link."""
    q = query(outlook_calendar_url(make_event(url=None)))
    assert q["location"] == "Plataforma virtual" and "http" not in q["body"]
