"""Invites, updates, cancellations and feeds, checked on the wire and by two parsers we do not write."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from ical.event import EventStatus
from support.ics import names, parse_both, unfold

from notifications.ics import CalendarEvent, Person, build_cancellation, build_feed, build_invite

NOW = datetime(2025, 3, 1, 8, 30, 15, tzinfo=UTC)
START = datetime(2025, 3, 12, 13, 0, tzinfo=UTC)
LINK = "https://meet.example.org/j/8812?pwd=s3cr3tT0ken"
SECRET = "s3cr3tT0ken"
ORGANIZER = Person("secretariat@acsg.example", "Secrétariat ACSG")
ATTENDEE = Person("ana.nunez@example.org", "Ana Núñez")

FR_SUMMARY = "Réunion mondiale de l'ACSG – session A : appui à la capacité d'asile"
ES_SUMMARY = "Reunión mundial del ACSG – sesión B: compromisos de apoyo a la capacidad de asilo"


def make_event(**changes: object) -> CalendarEvent:
    """Return a French session event with a join link; keyword arguments override fields."""
    event = CalendarEvent(
        uid="5b0f6c1e-7d1a-4c53-9a5e-0c2b1f3d9e77",
        sequence=0,
        start=START,
        end=START + timedelta(hours=3),
        summary=FR_SUMMARY,
        description="Votre heure locale : mercredi 12 mars, 14 h 00 (Europe/Paris)\nInterprétation : EN, FR, ES",
        location="Réunion virtuelle",
        url=LINK,
        language="fr",
    )
    return replace(event, **changes)


def test_invite_is_a_complete_request() -> None:
    """An invite is METHOD:REQUEST with organizer, attendee awaiting an answer, UTC times, link, alarm."""
    data = build_invite(make_event(), ORGANIZER, ATTENDEE, NOW)
    strict, loose = parse_both(data)
    assert strict.method == loose.method.value == "REQUEST"
    assert strict.prodid == "-//ACSG//Dialogue Platform//EN" and strict.version == "2.0"
    (event,) = strict.events
    assert event.uid == "5b0f6c1e-7d1a-4c53-9a5e-0c2b1f3d9e77" and event.sequence == 0
    assert event.dtstamp == NOW and event.dtstart == START and event.dtend == START + timedelta(hours=3)
    assert event.status == EventStatus.CONFIRMED
    assert event.organizer.uri == "mailto:secretariat@acsg.example"
    assert event.organizer.common_name == "Secrétariat ACSG"
    (attendee,) = event.attendees
    assert attendee.uri == "mailto:ana.nunez@example.org" and attendee.common_name == "Ana Núñez"
    assert (attendee.role, attendee.status, attendee.rsvp, attendee.user_type) == (
        "REQ-PARTICIPANT",
        "NEEDS-ACTION",
        True,
        "INDIVIDUAL",
    )
    assert event.summary == FR_SUMMARY
    assert event.description.startswith("Votre heure locale : mercredi 12 mars, 14 h 00")
    assert event.description.endswith("\n\n" + LINK)
    assert event.location == LINK and event.url == LINK
    (alarm,) = event.alarm
    assert alarm.action == "DISPLAY" and alarm.trigger == timedelta(minutes=-15)
    assert alarm.description == FR_SUMMARY
    lines = unfold(data)
    assert f"CONFERENCE;FEATURE=VIDEO;VALUE=URI:{LINK}" in lines
    assert "DTSTART:20250312T130000Z" in lines and "DTSTAMP:20250301T083015Z" in lines
    assert "VTIMEZONE" not in data.decode()
    vevent = loose.vevent
    assert vevent.attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
    assert vevent.attendee.params["RSVP"] == ["TRUE"]
    assert vevent.valarm.trigger.value == timedelta(minutes=-15)


def test_update_keeps_uid_and_raises_sequence() -> None:
    """An update is a REQUEST with the same UID, a strictly higher SEQUENCE and the new time."""
    first = build_invite(make_event(), ORGANIZER, ATTENDEE, NOW)
    moved = START + timedelta(days=1, hours=2)
    update = build_invite(make_event(sequence=1, start=moved, end=moved + timedelta(hours=3)), ORGANIZER, ATTENDEE, NOW)
    (old,), (new,) = parse_both(first)[0].events, parse_both(update)[0].events
    assert parse_both(update)[1].method.value == "REQUEST"
    assert new.uid == old.uid
    assert new.sequence > old.sequence
    assert new.dtstart == moved and new.dtstart != old.dtstart
    assert parse_both(update)[1].vevent.dtstart.value == moved


def test_cancellation() -> None:
    """A cancellation is METHOD:CANCEL, STATUS:CANCELLED, same UID, caller's higher SEQUENCE, no alarm."""
    data = build_cancellation(make_event(sequence=2), ORGANIZER, ATTENDEE, NOW, cancelled_prefix="[Annulé]")
    strict, loose = parse_both(data)
    assert strict.method == loose.method.value == "CANCEL"
    (event,) = strict.events
    assert event.status == EventStatus.CANCELLED and loose.vevent.status.value == "CANCELLED"
    assert "STATUS:CANCELLED" in unfold(data)
    assert event.uid == make_event().uid and event.sequence == 2
    assert event.summary == "[Annulé] " + FR_SUMMARY
    assert len(event.attendees) == 1 and event.organizer is not None
    assert event.alarm == [] and "VALARM" not in data.decode()
    assert SECRET not in "".join(unfold(data)), "a cancellation does not hand out the join link"


def test_invite_refuses_a_cancelled_event() -> None:
    """A REQUEST carrying STATUS:CANCELLED would be contradictory."""
    with pytest.raises(ValueError, match="CONFIRMED"):
        build_invite(make_event(status="CANCELLED"), ORGANIZER, ATTENDEE, NOW)


@pytest.mark.parametrize(("language", "summary"), [("fr", FR_SUMMARY), ("es", ES_SUMMARY)])
def test_localized_text_keeps_language_parameter(language: str, summary: str) -> None:
    """SUMMARY, DESCRIPTION and LOCATION carry LANGUAGE; the localized summary survives both parsers."""
    event = make_event(language=language, summary=summary, url=None, location="Plataforma virtual")
    for data in (
        build_invite(event, ORGANIZER, ATTENDEE, NOW),
        build_cancellation(event, ORGANIZER, ATTENDEE, NOW),
        build_feed([event], "ACSG", NOW, include_join_links=True, cancelled_prefix="[X]", language=language),
    ):
        strict, loose = parse_both(data)
        assert strict.events[0].summary == summary
        assert loose.vevent.summary.value == summary
        for prop in ("summary", "description", "location"):
            assert loose.vevent.contents[prop][0].params["LANGUAGE"] == [language]
        assert f"SUMMARY;LANGUAGE={language}:{summary}" in unfold(data)


def test_private_feed() -> None:
    """A private feed is PUBLISH, named, refreshing, without people or alarms, with join links."""
    cancelled = make_event(
        uid="second-uid",
        sequence=3,
        status="CANCELLED",
        start=START + timedelta(days=7),
        end=START + timedelta(days=7, hours=3),
    )
    data = build_feed(
        [make_event(), cancelled],
        "Mes sessions ACSG",
        NOW,
        include_join_links=True,
        cancelled_prefix="[Annulé]",
        refresh_minutes=30,
        language="fr",
    )
    strict, loose = parse_both(data)
    assert strict.method == loose.method.value == "PUBLISH"
    assert strict.name == ["Mes sessions ACSG"] and strict.refresh_interval == timedelta(minutes=30)
    lines = unfold(data)
    assert "NAME;LANGUAGE=fr:Mes sessions ACSG" in lines and "X-WR-CALNAME:Mes sessions ACSG" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT30M" in lines and "X-PUBLISHED-TTL:PT30M" in lines
    assert {"ATTENDEE", "ORGANIZER", "BEGIN"} & set(names(data)) == {"BEGIN"}
    assert "VALARM" not in data.decode()
    live, gone = strict.events
    assert live.status == EventStatus.CONFIRMED and live.url == LINK and live.location == LINK
    assert gone.status == EventStatus.CANCELLED and gone.summary == "[Annulé] " + FR_SUMMARY
    assert gone.sequence == 3 and gone.url is None and SECRET not in f"{gone.description}{gone.location}"
    assert [v.status.value for v in loose.vevent_list] == ["CONFIRMED", "CANCELLED"]


def test_public_feed_never_contains_the_join_link() -> None:
    """Even when the caller leaks the link into text (even split by a control character), it is gone."""
    leaky = make_event(
        summary=f"Session {LINK}",
        description=f"Rejoindre : {LINK}\nou {LINK[:20]}\x00{LINK[20:]}",
        location=LINK,
    )
    data = build_feed(
        [leaky, make_event(uid="other")],
        "ACSG",
        NOW,
        include_join_links=False,
        cancelled_prefix="[Annulé]",
        language="fr",
    )
    strict, loose = parse_both(data)
    text = "\n".join(unfold(data))
    assert SECRET not in text and "meet.example.org" not in text
    assert not {"URL", "CONFERENCE", "ATTENDEE", "ORGANIZER"} & set(names(data))
    for event in strict.events:
        assert event.url is None and not event.conference
        assert SECRET not in f"{event.summary}{event.description}{event.location}"
    assert strict.events[1].location == "Réunion virtuelle"
    private = build_feed([leaky], "ACSG", NOW, include_join_links=True, cancelled_prefix="[Annulé]")
    assert SECRET in "\n".join(unfold(private)), "the check above can fail: links do reach private feeds"


@pytest.mark.parametrize("field", ["summary", "location", "description"])
def test_injected_line_breaks_create_no_property(field: str) -> None:
    """A title or abstract holding CR/LF and property text cannot add ATTENDEE or a second event."""
    evil = "Evil\r\nATTENDEE:mailto:x@y\r\nEND:VEVENT\r\nBEGIN:VEVENT\nUID:z\rSTATUS:CANCELLED\u2028URL:x"
    event = make_event(url=None, **{field: evil})
    invite = build_invite(event, ORGANIZER, Person("a@b.example", "Mallory\r\nATTENDEE:mailto:x@y"), NOW)
    feed = build_feed([event], "Evil\r\nMETHOD:REQUEST", NOW, include_join_links=False, cancelled_prefix="")
    for data, attendees in ((invite, 1), (feed, 0)):
        strict, loose = parse_both(data)
        assert names(data).count("ATTENDEE") == attendees
        assert names(data).count("BEGIN") == 2 + (data == invite)  # VCALENDAR, VEVENT (+ VALARM)
        assert names(data).count("UID") == 1 and names(data).count("STATUS") == 1
        assert names(data).count("METHOD") == 1
        assert len(strict.events) == 1 and len(strict.events[0].attendees) == attendees
        assert strict.events[0].status == EventStatus.CONFIRMED
        assert "mailto:x@y" in getattr(strict.events[0], field)  # the text itself is kept, made harmless
    assert parse_both(invite)[0].events[0].attendees[0].common_name == "Mallory ATTENDEE:mailto:x@y"


def test_long_accented_text_and_emoji_fold_without_splitting_characters() -> None:
    """Folding at 75 octets never cuts a multi-byte UTF-8 character; both parsers get the text back."""
    summary = "Élaboration d'orientations à l'échelle régionale 🌍🤝 " * 6
    summary += "¡Participación señalada! ñandú 👩🏽‍⚖️"
    description = "Sesión técnica: ¿cómo mejorar el intercambio de conocimientos técnicos? 🇪🇸🇫🇷🇬🇧"
    description = "\n".join([description] * 8)
    data = build_invite(make_event(summary=summary, description=description, language="es"), ORGANIZER, ATTENDEE, NOW)
    assert max(len(line) for line in data.split(b"\r\n")) > 70, "lines really are folded near the limit"
    strict, loose = parse_both(data)
    assert strict.events[0].summary == loose.vevent.summary.value == summary.strip()
    assert strict.events[0].description == description + "\n\n" + LINK
    assert loose.vevent.description.value == description + "\n\n" + LINK


def test_times_are_written_in_utc_whatever_the_input_zone() -> None:
    """An aware datetime in another zone is converted to UTC (Z), with no VTIMEZONE."""
    bogota = ZoneInfo("America/Bogota")
    start = datetime(2025, 3, 12, 8, 0, 0, 123456, tzinfo=bogota)
    data = build_invite(
        make_event(start=start, end=start + timedelta(hours=3)),
        ORGANIZER,
        ATTENDEE,
        NOW.astimezone(ZoneInfo("Asia/Tokyo")),
    )
    lines = unfold(data)
    assert "DTSTART:20250312T130000Z" in lines and "DTEND:20250312T160000Z" in lines
    assert "DTSTAMP:20250301T083015Z" in lines
    assert "VTIMEZONE" not in data.decode()


def test_builders_are_pure() -> None:
    """The same values give the same bytes: no clock, no random UID inside the builders."""
    event = make_event()
    assert build_invite(event, ORGANIZER, ATTENDEE, NOW) == build_invite(event, ORGANIZER, ATTENDEE, NOW)
    later = build_invite(event, ORGANIZER, ATTENDEE, NOW + timedelta(hours=1))
    assert "DTSTAMP:20250301T093015Z" in unfold(later)


@pytest.mark.parametrize(
    "changes",
    [
        {"start": datetime(2025, 3, 12, 13, 0)},  # noqa: DTZ001 - the naive datetime is the point
        {"end": START},
        {"url": "https://x.example/\r\nATTENDEE:mailto:x@y"},
        {"url": "javascript:alert(1)"},
        {"uid": "a b"},
        {"uid": ""},
        {"language": "de"},
        {"status": "CANCELED"},
        {"sequence": -1},
        {"alarm_minutes_before": -5},
    ],
)
def test_invalid_events_are_refused(changes: dict[str, object]) -> None:
    """Values that would break or falsify a calendar raise ValueError at construction."""
    with pytest.raises(ValueError):
        make_event(**changes)


@pytest.mark.parametrize("email", ["x@y\r\nATTENDEE:mailto:z@w", "no-at-sign", "a b@c.example", ""])
def test_invalid_addresses_are_refused(email: str) -> None:
    """An address that could break the ATTENDEE line raises ValueError."""
    with pytest.raises(ValueError):
        Person(email, "X")


def test_alarm_can_be_disabled() -> None:
    """alarm_minutes_before=None gives an invite without VALARM."""
    data = build_invite(make_event(alarm_minutes_before=None), ORGANIZER, ATTENDEE, NOW)
    assert parse_both(data)[0].events[0].alarm == []


def test_empty_feed_is_still_a_calendar() -> None:
    """A meeting without sessions yet gives a named PUBLISH calendar that both parsers accept."""
    data = build_feed([], "ACSG", NOW, include_join_links=False, cancelled_prefix="[Cancelled]")
    strict, loose = parse_both(data)
    assert strict.events == [] and strict.method == "PUBLISH" and loose.x_wr_calname.value == "ACSG"
