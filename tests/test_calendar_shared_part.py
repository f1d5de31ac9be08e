"""Invites and cancellations reuse what is the same for every attendee of an event, and stay byte-identical.

notifications.ics builds the shared part of a personal calendar object once per event and puts the two
lines of each message (DTSTAMP, ATTENDEE) in place; the result must be the very bytes a full build gives.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Event
from icalendar.parser import Contentline
from support.identity import registered_verified

from meetings.calendar import events
from meetings.models import Registration
from notifications import ics

NOW = datetime(2027, 1, 5, 9, 0, 7, tzinfo=UTC)
LATER = datetime(2027, 1, 5, 9, 3, 41, tzinfo=UTC)

PEOPLE = [("en", "Europe/London", "Ann Smith"), ("fr", "Europe/Paris", "Anaïs Lefèvre-Dupont de la Montagne"),
          ("es", "America/Mexico_City", "Ana Pérez"), ("fr", "Europe/Paris", "Zoé"),
          ("es", "America/Mexico_City", "José María Fernández de Córdoba y Gutiérrez"), ("en", "UTC", "Bo")]


def _uncached(app, registration: Registration, now: datetime) -> tuple[str, bytes]:
    """The calendar object of ``registration`` built from scratch."""
    with app.test_request_context():
        language = events._language(registration.language)
        from flask_babel import force_locale
        from flask_babel import gettext as _

        with force_locale(language):
            event = events._personal_event(registration, registration.session, language)
            attendee = ics.Person(registration.email, registration.name)
            if event.status == "CANCELLED":
                return "CANCEL", ics.build_personal_uncached("CANCEL", event, events.organizer(), attendee, now,
                                                             _("[Cancelled]"))
            return "REQUEST", ics.build_personal_uncached("REQUEST", event, events.organizer(), attendee, now)


def _registrations(db) -> list[Registration]:
    db.expire_all()
    return list(db.scalars(sa.select(Registration).order_by(Registration.id)))


def test_invites_and_cancellations_are_the_bytes_of_a_full_build(app, client, db, meeting):
    for index, (language, zone, name) in enumerate(PEOPLE):
        registered_verified(client, meeting, email=f"p{index}@example.org", language=language, timezone=zone,
                            name=name)
    registrations = _registrations(db)
    assert {r.language for r in registrations} == {"en", "fr", "es"}
    seen = set()
    for now in (NOW, LATER, NOW):  # the second time round, every shared part comes from the cache
        for registration in registrations:
            with app.test_request_context():
                got = events.invite_for(registration, now)
            assert got == _uncached(app, registration, now)
            assert got[0] == "REQUEST"
            assert f"mailto:{registration.email}".encode() in got[1].replace(b"\r\n ", b"")
            seen.add(got[1])
    assert len(seen) == 2 * len(registrations)  # one per attendee and DTSTAMP: nothing leaked between them

    meeting.sessions[0].status = "cancelled"
    meeting.sessions[0].ical_sequence += 1
    db.commit()
    for registration in _registrations(db):
        with app.test_request_context():
            got = events.invite_for(registration, LATER)
        assert got[0] == "CANCEL"
        assert got == _uncached(app, registration, LATER)


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=80), local=st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,30}", fullmatch=True),
       domain=st.sampled_from(["example.org", "exämple.org", "a.b.example.com", "x" * 60 + ".org"]))
def test_the_attendee_line_is_what_a_whole_component_writes(name, local, domain):
    """The ATTENDEE line written on its own equals the one a whole VEVENT writes, for any name."""
    attendee = ics.Person(f"{local}@{domain}", name)
    vevent = Event()
    ics._add_people_attendee(vevent, attendee)
    (reference,) = (m.group() for m in ics._OWN_LINES.finditer(vevent.to_ical()))
    assert ics._attendee_line(attendee) == reference


@settings(max_examples=300, deadline=None)
@given(line=st.text(st.sampled_from("ab;:=\\^\" ,"), min_size=70, max_size=400))
def test_ascii_lines_fold_as_icalendar_folds_them(line):
    """Escape starts (backslash, caret) near the fold points included."""
    assert ics._fold_ascii(line).encode() == Contentline(line).to_ical()
