"""iCalendar builders (RFC 5545, iTIP RFC 5546, RFC 7986): invites, cancellations and feeds.

Pure functions over plain values: no Flask, no database, no clock (``now`` is passed in).
Every visible string (summary, description with the recipient's local time, location text,
calendar name, the translated "[Cancelled]" prefix) arrives already translated; the builders
only tag it with the LANGUAGE parameter. Text written by people is neutralized by
:mod:`notifications.textsafety` and then escaped and folded (75 octets, CRLF) by icalendar.

Times are written in UTC (``...Z``), so no VTIMEZONE is needed for these one-off events.

The join link (``CalendarEvent.url``) goes into DESCRIPTION, LOCATION, URL and CONFERENCE
(clients ignore CONFERENCE, hence the copies); ``CalendarEvent.location`` is the text used
where there is no join link, or where it must not be shown (public feeds, cancellations).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration
from icalendar.parser import Contentline
from icalendar.prop.conference import Conference

from notifications.textsafety import multi_line, single_line

PRODID = "-//ACSG//Dialogue Platform//EN"
LANGUAGES = frozenset({"en", "fr", "es"})
STATUSES = frozenset({"CONFIRMED", "CANCELLED"})

_URL = re.compile(r"https?://[\x21-\x7e]+")
_EMAIL = re.compile(r"[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+")
_TOKEN = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class Person:
    """An organizer or attendee: e-mail address and display name (CN)."""

    email: str
    name: str = ""

    def __post_init__(self) -> None:
        """Reject addresses that could break a content line."""
        if not _EMAIL.fullmatch(self.email):
            raise ValueError(f"invalid e-mail address for a calendar: {self.email!r}")


@dataclass(frozen=True)
class CalendarEvent:
    """One session as calendars see it; all text is already in ``language``."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str | None = None
    language: str = "en"
    status: str = "CONFIRMED"
    alarm_minutes_before: int | None = 15

    def __post_init__(self) -> None:
        """Check the values a calendar client would choke on."""
        if not _TOKEN.fullmatch(self.uid):
            raise ValueError("uid must be non-empty printable ASCII without spaces")
        if self.sequence < 0:
            raise ValueError("sequence must be >= 0")
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.url is not None and not _URL.fullmatch(self.url):
            raise ValueError("url must be an http(s) URL of printable ASCII without spaces")
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {sorted(LANGUAGES)}")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}")
        if self.alarm_minutes_before is not None and self.alarm_minutes_before < 0:
            raise ValueError("alarm_minutes_before must be >= 0 or None")


def build_invite(event: CalendarEvent, organizer: Person, attendee: Person, now: datetime) -> bytes:
    """Return a METHOD:REQUEST invite (or update: same UID, higher SEQUENCE) for one attendee."""
    if event.status != "CONFIRMED":
        raise ValueError("an invite needs status CONFIRMED; use build_cancellation")
    return _personal("REQUEST", event, organizer, attendee, now, "")


def build_cancellation(
    event: CalendarEvent, organizer: Person, attendee: Person, now: datetime, *, cancelled_prefix: str = ""
) -> bytes:
    """Return a METHOD:CANCEL message with STATUS:CANCELLED for the attendee.

    ``event.sequence`` must be higher than the SEQUENCE of every message already sent for
    ``event.uid``: the caller bumps and stores it (clients ignore a cancel that is not newer).
    The join link is left out, and there is no VALARM.
    """
    return _personal("CANCEL", event, organizer, attendee, now, cancelled_prefix)


def build_personal_uncached(method: str, event: CalendarEvent, organizer: Person, attendee: Person, now: datetime,
                            cancelled_prefix: str = "") -> bytes:
    """What :func:`build_invite` (``REQUEST``) or :func:`build_cancellation` (``CANCEL``) return, built
    from scratch every time (they reuse what is the same for every attendee of an event)."""
    if method == "REQUEST":
        vevent = _vevent(event, now, with_link=True, status="CONFIRMED", prefix="")
    else:
        vevent = _vevent(event, now, with_link=False, status="CANCELLED", prefix=cancelled_prefix)
    _add_people(vevent, organizer, attendee)
    if method == "REQUEST" and event.alarm_minutes_before is not None:
        vevent.add_component(_alarm(event))
    return _calendar(method, [vevent]).to_ical()


# Of a personal invite or cancellation only two content lines depend on the message: DTSTAMP and ATTENDEE.
# The rest (escaped and folded text, alarm...) is built once per event and reused; every content line is
# folded on its own, so putting the two lines in place gives the same bytes as building it all again.
_PLACEHOLDER = Person("attendee@placeholder.invalid")
_PLACEHOLDER_NOW = datetime(2000, 1, 1, tzinfo=UTC)
_OWN_LINES = re.compile(rb"^(?:DTSTAMP|ATTENDEE)[:;][^\r\n]*\r\n(?: [^\r\n]*\r\n)*", re.MULTILINE)


def _personal(method: str, event: CalendarEvent, organizer: Person, attendee: Person, now: datetime,
              prefix: str) -> bytes:
    before, between, after = _shared_lines(method, event, organizer, prefix)
    stamp, attendee_lines = _own_lines(attendee, now)
    return b"".join((before, stamp, between, attendee_lines, after))


@lru_cache(maxsize=256)
def _shared_lines(method: str, event: CalendarEvent, organizer: Person, prefix: str) -> tuple[bytes, bytes, bytes]:
    """The calendar without its DTSTAMP and ATTENDEE lines: (before DTSTAMP, between them, after ATTENDEE)."""
    data = build_personal_uncached(method, event, organizer, _PLACEHOLDER, _PLACEHOLDER_NOW, prefix)
    own = list(_OWN_LINES.finditer(data))
    if [m.group().split(b":")[0].split(b";")[0] for m in own] != [b"DTSTAMP", b"ATTENDEE"]:
        raise RuntimeError("unexpected calendar layout")  # never: the builder writes one of each, in this order
    (stamp, attendee) = own
    return data[:stamp.start()], data[stamp.end():attendee.start()], data[attendee.end():]


def _own_lines(attendee: Person, now: datetime) -> tuple[bytes, bytes]:
    """The DTSTAMP and ATTENDEE content lines of one message, written by the same code as a whole calendar
    (each content line is written on its own: the stamp is reused for every message of the same second)."""
    return _stamp_line(_utc(now)), _attendee_line(attendee)


def _attendee_line(attendee: Person) -> bytes:
    """The ATTENDEE content line, folded, as ``Component.to_ical`` writes it (``Contentline.from_parts`` with the
    parameters sorted), without building a component around it."""
    address = _attendee_address(attendee)
    line = Contentline.from_parts("ATTENDEE", address.params, address, sorted=True)
    return (_fold_ascii(line).encode("ascii") if line.isascii() else line.to_ical()) + b"\r\n"


_FOLD_AT = 74  # icalendar folds before the octet that would make a line 75 long


def _fold_ascii(line: str) -> str:
    """What icalendar's folding gives for an ASCII line (one octet a character), without going character by
    character: pieces of 74, except that a piece never ends with a backslash or caret (the start of an escape),
    which then begins the next piece."""
    pieces, start = [], 0
    while len(line) - start > _FOLD_AT:
        end = start + _FOLD_AT
        if line[end - 1] in "\\^":
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return "\r\n ".join(pieces)


@lru_cache(maxsize=64)
def _stamp_line(stamp: datetime) -> bytes:
    vevent = Event()
    vevent.add("DTSTAMP", stamp)
    (line,) = (m.group() for m in _OWN_LINES.finditer(vevent.to_ical()))
    return line


def build_feed(
    events: Iterable[CalendarEvent],
    calendar_name: str,
    now: datetime,
    *,
    include_join_links: bool,
    cancelled_prefix: str,
    refresh_minutes: int = 60,
    language: str = "en",
) -> bytes:
    """Return a METHOD:PUBLISH feed (no ORGANIZER, ATTENDEE or VALARM).

    ``include_join_links`` is True only for a participant's private feed; when False (public
    feeds) URL and CONFERENCE are omitted and the join link is removed from every text.
    Cancelled events stay, with STATUS:CANCELLED, no join link and ``cancelled_prefix``
    (already translated, e.g. "[Annulé]") put before their summary. An empty feed is valid
    for clients and for both test parsers, though RFC 5545 wants at least one component.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}")
    if refresh_minutes <= 0:
        raise ValueError("refresh_minutes must be positive")
    vevents = [
        _vevent(
            e,
            now,
            with_link=include_join_links and e.status == "CONFIRMED",
            status=e.status,
            prefix=cancelled_prefix if e.status == "CANCELLED" else "",
        )
        for e in events
    ]
    cal = _calendar("PUBLISH", vevents)
    name = single_line(calendar_name)
    refresh = timedelta(minutes=refresh_minutes)
    cal.add("NAME", name, parameters={"LANGUAGE": language})
    cal.add("X-WR-CALNAME", name)
    cal.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
    ttl = vDuration(refresh)
    ttl.params.pop("VALUE", None)  # Outlook's own form: X-PUBLISHED-TTL:PT1H
    cal.add("X-PUBLISHED-TTL", ttl)
    # Sub-components are serialized after properties, so the order above is kept in the file.
    return cal.to_ical()


def _require_aware(value: datetime, label: str) -> None:
    """Raise ValueError for a naive datetime."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{label} must be timezone-aware")


def _utc(value: datetime) -> datetime:
    """Return value in UTC, to the second (iCalendar has no fractions of seconds)."""
    _require_aware(value, "datetime")
    return value.astimezone(UTC).replace(microsecond=0)


def _calendar(method: str, vevents: list[Event]) -> Calendar:
    """Return a VCALENDAR with PRODID, VERSION, METHOD and the given events."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("METHOD", method)
    for vevent in vevents:
        cal.add_component(vevent)
    return cal


def _vevent(event: CalendarEvent, now: datetime, *, with_link: bool, status: str, prefix: str) -> Event:
    """Return the VEVENT shared by invites, cancellations and feeds."""
    summary = single_line(event.summary)
    prefix = single_line(prefix)
    if prefix and not summary.startswith(prefix):
        summary = f"{prefix} {summary}"
    description = multi_line(event.description)
    location = single_line(event.location)
    link = event.url if with_link else None
    if event.url and not with_link:
        summary, description, location = (_scrub(text, event.url) for text in (summary, description, location))
    if link:
        description = f"{description}\n\n{link}" if description else link
        location = link
    vevent = Event()
    vevent.add("UID", event.uid)
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("DTSTAMP", _utc(now))
    vevent.add("DTSTART", _utc(event.start))
    vevent.add("DTEND", _utc(event.end))
    _add_text(vevent, "SUMMARY", summary, event.language)
    _add_text(vevent, "DESCRIPTION", description, event.language)
    _add_text(vevent, "LOCATION", location, event.language)
    vevent.add("STATUS", status)
    if link:
        vevent.add("URL", link)
        vevent.conferences = [Conference(uri=link, feature="VIDEO")]
    return vevent


def _scrub(text: str, link: str) -> str:
    """Remove every occurrence of the join link from text."""
    while link in text:
        text = text.replace(link, "")
    return text.strip()


def _add_text(component: Event | Alarm, name: str, value: str, language: str) -> None:
    """Add a TEXT property with its LANGUAGE parameter, unless value is empty."""
    if value:
        component.add(name, value, parameters={"LANGUAGE": language})


def _add_people(vevent: Event, organizer: Person, attendee: Person) -> None:
    """Add ORGANIZER and the recipient as ATTENDEE awaiting an answer."""
    vevent.organizer = _address(organizer)
    _add_people_attendee(vevent, attendee)


def _add_people_attendee(vevent: Event, attendee: Person) -> None:
    vevent.add("ATTENDEE", _attendee_address(attendee))


def _attendee_address(attendee: Person) -> vCalAddress:
    return _address(attendee, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=True, cutype="INDIVIDUAL")


def _address(person: Person, **params: str | bool) -> vCalAddress:
    """Return a mailto: address with a sanitized CN."""
    name = single_line(person.name)
    return vCalAddress.new(person.email, cn=name or None, **params)


def _alarm(event: CalendarEvent) -> Alarm:
    """Return a display VALARM ``alarm_minutes_before`` minutes before the start."""
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("TRIGGER", timedelta(minutes=-(event.alarm_minutes_before or 0)))
    _add_text(alarm, "DESCRIPTION", single_line(event.summary) or event.uid, event.language)
    return alarm
