"""The one place where a session becomes a calendar event: invites, cancellations, feeds, links.

Pages, the API, the .ics routes and the e-mails all call these functions, so every calendar
sees the same UID, SEQUENCE, text and links. They read no request and no clock (``now`` is
passed in); they need an application context for the configuration (``PUBLIC_BASE_URL``,
``ORGANIZER_EMAIL``, ``MAIL_FROM``) and write their text in the recipient's language with
``flask_babel.force_locale``. Absolute links are built from ``PUBLIC_BASE_URL`` and the URL
map, never from a request, so an e-mail job writes the same links as a page.

UID: ``MeetingSession.ical_uid``, random and stored, the same in every message and feed.

SEQUENCE rule. What an attendee receives about a session carries
``session.ical_sequence + registration.ical_sequence``:

- a change of the session's time or status (moved, cancelled, its meeting cancelled) bumps
  ``session.ical_sequence``: every attendee's next message is higher;
- a change of the registration's own standing (cancelled, moved A -> B) bumps
  ``registration.ical_sequence`` (done in :mod:`meetings.registrations.operations`): that
  person's next message is higher, other attendees are untouched.

Both counters only grow, so the sum only grows: every later message about a UID is strictly
newer than any earlier one. Cases: invite (s+r) -> session moved -> update (s+1+r);
invite (s+r) -> cancelled -> CANCEL (s+r+1); move A -> B: CANCEL for A with
``A.seq + r + 1`` (higher than the invite for A, ``A.seq + r``) and REQUEST for B with
``B.seq + r + 1``; if the person had been in B before, what they got for B then was at most
``B.seq + r`` (and, if they left B, a CANCEL at ``B.seq + r``), so the new REQUEST is higher.
Public feeds carry ``session.ical_sequence`` alone (no attendee, nothing personal).

For a given registration, a session that is not (or no longer) theirs, or a registration
that is cancelled, gives a STATUS:CANCELLED event: that is what their calendar must show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr

from babel import Locale
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from meetings.core.links import public_url
from meetings.core.localtime import format_clock, format_local, format_utc, in_zone
from meetings.core.vocabulary import LANGUAGE_CODES
from meetings.models import GlobalMeeting, MeetingSession, Registration
from notifications.calendar_links import google_calendar_url, outlook_calendar_url
from notifications.ics import (
    CalendarEvent,
    Person,
    build_cancellation,
    build_feed,
    build_invite,
)

REFRESH_MINUTES = 60
_JOIN_URL = re.compile(r"https?://[\x21-\x7e]+")




def invite_for(registration: Registration, now: datetime) -> tuple[str, bytes]:
    """The current message for ``registration``: ("REQUEST", invite) or ("CANCEL", cancellation).

    CANCEL when the registration, its session or its meeting is cancelled. The join link goes
    only to confirmed registrations; waitlisted people get the event with a note instead.
    The method is what the e-mail's ``text/calendar; method=...`` must say.
    """
    language = _language(registration.language)
    with force_locale(language):
        event = _personal_event(registration, registration.session, language)
        return _message(event, registration, now)


def cancellation_for_left_session(registration: Registration, left_session: MeetingSession,
                                  now: datetime) -> tuple[str, bytes]:
    """("CANCEL", file) for the session a participant left when moving A -> B (UID of A).

    Call it after the move (the registration's counter is bumped), together with
    :func:`invite_for` for the new session. Same shape as :func:`invite_for`; the method is
    always CANCEL (its e-mail part is ``text/calendar; method=CANCEL``).
    """
    if left_session.id == registration.session_id and registration.status != "cancelled":
        raise ValueError("the registration is still in this session; use invite_for")
    language = _language(registration.language)
    with force_locale(language):
        event = _personal_event(registration, left_session, language)
        method, data = _message(event, registration, now)
    if method != "CANCEL":  # not their session any more: always a cancellation
        raise RuntimeError("a left session must give a cancellation")
    return method, data


def personal_sequence(registration: Registration, session: MeetingSession) -> int:
    """The SEQUENCE of ``session``'s event in ``registration``'s calendar (the rule in the module docstring)."""
    return session.ical_sequence + registration.ical_sequence


def is_cancelled_for(registration: Registration, session: MeetingSession) -> bool:
    """Whether ``registration``'s calendar must show ``session`` cancelled (not theirs, or called off)."""
    own = registration.session_id == session.id and registration.status != "cancelled"
    return session.status == "cancelled" or session.meeting.status == "cancelled" or not own


def participant_feed(registration: Registration, now: datetime) -> bytes:
    """The private feed of one participant: their session (join link if confirmed).

    A cancelled registration keeps its session in the feed with STATUS:CANCELLED.
    """
    language = _language(registration.language)
    with force_locale(language):
        event = _personal_event(registration, registration.session, language)
        name = _("%(platform)s: my sessions", platform=_("ACSG Dialogue Platform"))
        return build_feed([event], name, now, include_join_links=True,
                          cancelled_prefix=_("[Cancelled]"), refresh_minutes=REFRESH_MINUTES,
                          language=language)


def meeting_feed(meeting: GlobalMeeting, language: str, now: datetime) -> bytes:
    """The public feed of one meeting: its sessions, no attendees, no join links."""
    language = _language(language)
    with force_locale(language):
        name = f"{meeting.title(language)} — {_('ACSG Dialogue Platform')}"
        return _public_feed([meeting], name, language, now)


def all_meetings_feed(meetings: Iterable[GlobalMeeting], language: str, now: datetime) -> bytes:
    """The public feed of every given meeting (callers pass the published ones)."""
    language = _language(language)
    with force_locale(language):
        name = _("%(platform)s: global meetings", platform=_("ACSG Dialogue Platform"))
        return _public_feed(list(meetings), name, language, now)




def webcal_url(url: str) -> str:
    """The same feed as a ``webcal://`` URL (calendar apps subscribe instead of downloading)."""
    return re.sub(r"^https?://", "webcal://", url)


def calendar_links(registration: Registration) -> dict[str, str | None]:
    """Everything the add-to-calendar buttons need for one registration, as absolute URLs.

    Keys: ``invite_ics``, ``feed``, ``feed_webcal``, and ``google``, ``outlook``, ``office365``
    (None when the registration is cancelled: there is nothing to add). Google and Outlook get
    the join link only for a confirmed registration whose address is verified; no link carries the
    manage token except ``invite_ics``, which only its holder sees.
    """
    feed = public_url("calendar.participant_feed", feed_token=registration.feed_token)
    links: dict[str, str | None] = {
        "invite_ics": public_url("calendar.invite", token=registration.manage_token),
        "feed": feed,
        "feed_webcal": webcal_url(feed),
        "google": None,
        "outlook": None,
        "office365": None,
    }
    language = _language(registration.language)
    with force_locale(language):
        event = _personal_event(registration, registration.session, language)
    if event.status == "CONFIRMED":
        links["google"], links["outlook"], links["office365"] = _remembered(
            ("links", event), lambda: (google_calendar_url(event), outlook_calendar_url(event, "outlook"),
                                       outlook_calendar_url(event, "office365")))
    return links


def meeting_feed_links(meeting: GlobalMeeting, language: str) -> dict[str, str]:
    """The public feed of a meeting in ``language``: ``feed`` (https) and ``feed_webcal``."""
    feed = public_url("calendar.meeting_feed", meeting_id=meeting.id, lang=_language(language))
    return {"feed": feed, "feed_webcal": webcal_url(feed)}


def organizer() -> Person:
    """The secretariat as ORGANIZER: ``ORGANIZER_EMAIL``, else the address of ``MAIL_FROM``."""
    config = current_app.config
    address = config.get("ORGANIZER_EMAIL") or parseaddr(config.get("MAIL_FROM", ""))[1]
    return Person(address, _("ACSG Dialogue Platform"))




def _locale_name() -> str:
    """The language the text is being written in (what ``force_locale`` set)."""
    return str(get_locale())


def _language(language: str | None) -> str:
    return language if language in LANGUAGE_CODES else "en"


def _personal_event(registration: Registration, session: MeetingSession, language: str) -> CalendarEvent:
    return _session_event(session, language, registration.timezone, registration, registration.may_join)


def _message(event: CalendarEvent, registration: Registration, now: datetime) -> tuple[str, bytes]:
    attendee = Person(registration.email, registration.name)
    if event.status == "CANCELLED":
        return "CANCEL", build_cancellation(event, organizer(), attendee, now,
                                            cancelled_prefix=_("[Cancelled]"))
    return "REQUEST", build_invite(event, organizer(), attendee, now)


def _public_feed(meetings: list[GlobalMeeting], name: str, language: str, now: datetime) -> bytes:
    events = [_session_event(s, language, None, None, False)
              for meeting in meetings for s in meeting.sessions]
    return build_feed(events, name, now, include_join_links=False, cancelled_prefix=_("[Cancelled]"),
                      refresh_minutes=REFRESH_MINUTES, language=language)


_EVENTS = "calendar_events"  # app.extensions: recent events by everything they are made of
_REMEMBER = 512


def _remembered(key: tuple, build):
    """``build()``, or what it gave for the same ``key`` before in this application (a few hundred kept).

    A batch of messages about one session builds the same event text for every registrant with the same
    language, zone and standing: the key holds every value the text is made of, so a change is a new key."""
    cache = current_app.extensions.setdefault(_EVENTS, {})
    value = cache.get(key)
    if value is None:
        value = build()
        if len(cache) >= _REMEMBER:
            cache.clear()
        cache[key] = value
    return value


def _session_event(session: MeetingSession, language: str, zone: str | None,
                   registration: Registration | None, include_join_link: bool) -> CalendarEvent:
    meeting = session.meeting
    mine = None if registration is None else (registration.ical_sequence, registration.session_id,
                                              registration.status)
    key = ("event", language, _locale_name(), current_app.config.get("PUBLIC_BASE_URL"), zone, include_join_link,
           mine, session.id, session.ical_uid, session.ical_sequence, session.starts_at, session.ends_at,
           session.status, session.label, session.join_url, tuple(session.floor_languages or ()),
           meeting.id, meeting.status, meeting.title(language), meeting.description(language))
    return _remembered(key, lambda: _build_session_event(session, language, zone, registration, include_join_link))


def _build_session_event(session: MeetingSession, language: str, zone: str | None,
                         registration: Registration | None, include_join_link: bool) -> CalendarEvent:
    meeting = session.meeting
    sequence = session.ical_sequence if registration is None else personal_sequence(registration, session)
    own = True
    if registration is not None:
        own = registration.session_id == session.id and registration.status != "cancelled"
    cancelled = is_cancelled_for(registration, session) if registration is not None else (
        session.status == "cancelled" or meeting.status == "cancelled")
    join = session.join_url if include_join_link and not cancelled else ""
    join = join if _JOIN_URL.fullmatch(join or "") else ""

    blocks: list[str] = []
    if session.status == "cancelled" or meeting.status == "cancelled":
        blocks.append(_("This session has been cancelled."))
    elif not own:
        blocks.append(_("Your registration for this session is cancelled."))
    if meeting.description(language):
        blocks.append(meeting.description(language))
    blocks.append(_times(session, zone))
    blocks.append(_("Interpretation: %(languages)s", languages=_language_names(session, language)))
    if registration is not None and own and registration.status == "waitlisted":
        blocks.append(_("You are on the waiting list for this session. If a seat becomes free, "
                        "you will receive the join link."))
    if registration is not None and not cancelled and registration.status == "confirmed" and not include_join_link:
        blocks.append(_("Confirm your e-mail address with the link we sent to it to receive the join link."))
    # Calendars travel (providers fetch feeds, invites are forwarded): never the manage link, only public pages.
    blocks.append(_("Information and registration: %(url)s",
                    url=public_url("registrations.meeting_page", meeting_id=meeting.id)))
    if join:
        blocks.append(_("Join link (personal, please do not share it):"))

    return CalendarEvent(
        uid=session.ical_uid,
        sequence=sequence,
        start=session.starts_at,
        end=session.ends_at,
        summary=f"{meeting.title(language)} — {_('Session %(label)s', label=session.label)}",
        description="\n\n".join(blocks),
        location=_("Online (link sent to registered participants)"),
        url=join or None,
        language=language,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )


def _times(session: MeetingSession, zone: str | None) -> str:
    """The session's time in ``zone`` (if any) and in UTC, one line each."""
    start, end = in_zone(session.starts_at, "UTC"), in_zone(session.ends_at, "UTC")
    lines = []
    if zone and zone != "UTC":
        local, local_end = in_zone(session.starts_at, zone), in_zone(session.ends_at, zone)
        text = f"{format_local(local)} – {format_clock(local_end.local)}"
        if local.day_mark:
            text += f" ({local.day_mark})"
        lines.append(_("Your time (%(zone)s): %(time)s", zone=zone, time=text))
    lines.append(_("Time in UTC: %(time)s",
                   time=f"{format_utc(start.utc)} – {format_clock(end.utc)} UTC"))
    return "\n".join(lines)


def _language_names(session: MeetingSession, language: str) -> str:
    """The session's languages, named in ``language`` ("anglais, français, espagnol")."""
    names = Locale.parse(language).languages
    codes = list(session.floor_languages or LANGUAGE_CODES)
    return ", ".join(names.get(code, code) for code in codes)
