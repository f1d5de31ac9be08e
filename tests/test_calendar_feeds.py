"""The .ics routes end to end: invites, updates, cancellations, moves and feeds, read by two parsers.

Every file is fetched from the application, checked on the wire (CRLF, lines of at most 75 octets)
and parsed by the strict ``ical`` package and by ``vobject`` with validation (``parse_both``).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from ical.event import EventStatus
from support.factories import make_meeting
from support.ics import fetch_ics, names, parse_both, unfold
from support.identity import registered_verified

from meetings.calendar import events
from meetings.models import GlobalMeeting, MeetingSession, Registration

NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


def _invite(client, token: str):
    return fetch_ics(client, f"/registrations/{token}/invite.ics")


def _meeting_session(db, meeting, label) -> MeetingSession:
    db.expire_all()
    return next(s for s in db.get(GlobalMeeting, meeting.id).sessions if s.label == label)


def _registration(db, token) -> Registration:
    db.expire_all()
    return db.scalar(sa.select(Registration).where(Registration.manage_token == token))


def _text(data: bytes) -> str:
    return "\n".join(unfold(data))


def test_invite_is_a_request_for_the_stored_uid(client, db, meeting):
    body = registered_verified(client, meeting)
    response, data, strict, loose = _invite(client, body["token"])
    session_a = _meeting_session(db, meeting, "A")
    assert strict.method == "REQUEST"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "private" in response.headers["Cache-Control"]
    (event,) = strict.events
    assert event.uid == loose.vevent.uid.value == session_a.ical_uid
    assert event.sequence == 1 and event.status == EventStatus.CONFIRMED  # verifying the address bumps it
    assert event.dtstart == session_a.starts_at and event.dtend == session_a.ends_at
    assert event.organizer.uri == "mailto:dialogue@acsg.example.org"
    (attendee,) = event.attendees
    assert attendee.uri == "mailto:ana@example.org" and attendee.common_name == "Ana Pérez"
    # Spanish registrant: Spanish text, LANGUAGE=es, the join link in URL, LOCATION and DESCRIPTION.
    assert "SUMMARY;LANGUAGE=es:Reunión mundial — Sesión A" in unfold(data)
    assert event.url == session_a.join_url == event.location
    assert session_a.join_url in event.description
    # Her local time (Mexico City, 01:00) and UTC (07:00), and the meeting page (never her manage link).
    assert "01:00" in event.description and "07:00 UTC" in event.description
    assert f"http://localhost/meetings/{meeting.id}" in event.description and body["token"] not in unfold(data)
    assert len(event.alarm) == 1


def test_update_then_cancel_keep_the_uid_and_raise_the_sequence(client, db, meeting):
    body = registered_verified(client, meeting)
    _, _, first, _ = _invite(client, body["token"])

    session_a = _meeting_session(db, meeting, "A")
    moved = session_a.starts_at + timedelta(days=1, hours=2)
    session_a.starts_at = moved
    session_a.ical_sequence += 1
    db.commit()
    _, _, update, update_loose = _invite(client, body["token"])

    assert client.delete(f"/api/v1/registrations/{body['token']}").status_code == 200
    _, cancel_data, cancel, cancel_loose = _invite(client, body["token"])

    (a,), (b,), (c,) = first.events, update.events, cancel.events
    assert (first.method, update.method, cancel.method) == ("REQUEST", "REQUEST", "CANCEL")
    assert a.uid == b.uid == c.uid == session_a.ical_uid
    assert a.sequence < b.sequence < c.sequence
    assert b.dtstart == moved != a.dtstart and update_loose.vevent.dtstart.value == moved
    assert c.status == EventStatus.CANCELLED and cancel_loose.vevent.status.value == "CANCELLED"
    assert c.summary == "[Cancelada] Reunión mundial — Sesión A"
    assert "secret-" not in _text(cancel_data), "a cancellation does not carry the join link"


def test_move_a_to_b_cancels_a_and_invites_to_b(app, client, db, meeting):
    body = registered_verified(client, meeting)
    _, _, invite_a, _ = _invite(client, body["token"])
    session_b = _meeting_session(db, meeting, "B")
    moved = client.patch(f"/api/v1/registrations/{body['token']}", json={"session_id": session_b.id})
    assert moved.status_code == 200 and moved.json["session"]["label"] == "B"

    registration = _registration(db, body["token"])
    a, b = _meeting_session(db, meeting, "A"), _meeting_session(db, meeting, "B")
    with app.app_context():
        method, data = events.cancellation_for_left_session(registration, a, NOW)
    assert method == "CANCEL"
    cancel_a, _ = parse_both(data)
    _, request_data, request_b, _ = _invite(client, body["token"])

    assert cancel_a.method == "CANCEL" and cancel_a.events[0].uid == a.ical_uid
    assert cancel_a.events[0].status == EventStatus.CANCELLED
    assert cancel_a.events[0].sequence > invite_a.events[0].sequence
    assert "secret-2027-1-A" not in data.decode()
    assert request_b.method == "REQUEST" and request_b.events[0].uid == b.ical_uid != a.ical_uid
    assert request_b.events[0].url == b.join_url
    assert "secret-2027-1-A" not in _text(request_data)


def test_coming_back_to_a_session_sends_a_higher_sequence_than_before(app, client, db, meeting):
    """B, then A, then B again: the new REQUEST for B beats both the first invite and the CANCEL for B."""
    body = registered_verified(client, meeting, label="B")
    a_id, b_id = _meeting_session(db, meeting, "A").id, _meeting_session(db, meeting, "B").id
    _, _, first_b, _ = _invite(client, body["token"])
    client.patch(f"/api/v1/registrations/{body['token']}", json={"session_id": a_id})
    with app.app_context():
        registration, b = _registration(db, body["token"]), _meeting_session(db, meeting, "B")
        _, left_b = events.cancellation_for_left_session(registration, b, NOW)
    client.patch(f"/api/v1/registrations/{body['token']}", json={"session_id": b_id})
    _, _, again_b, _ = _invite(client, body["token"])
    cancel_b = parse_both(left_b)[0].events[0]
    assert first_b.events[0].uid == cancel_b.uid == again_b.events[0].uid
    assert first_b.events[0].sequence < cancel_b.sequence < again_b.events[0].sequence
    assert again_b.method == "REQUEST"


def test_cancelling_a_session_or_meeting_turns_the_invite_into_a_cancel(client, db, meeting):
    body = registered_verified(client, meeting, email="x@example.org", language="fr")
    other = registered_verified(client, meeting, email="y@example.org", label="B", language="fr")
    _, _, before, _ = _invite(client, body["token"])
    session_a = _meeting_session(db, meeting, "A")
    session_a.status, session_a.ical_sequence = "cancelled", session_a.ical_sequence + 1
    db.get(GlobalMeeting, meeting.id).status = "cancelled"
    for s in db.get(GlobalMeeting, meeting.id).sessions:
        if s.label == "B":
            s.ical_sequence += 1
    db.commit()
    _, data, after, _ = _invite(client, body["token"])
    assert after.method == "CANCEL" and after.events[0].sequence > before.events[0].sequence
    assert after.events[0].summary == "[Annulée] Réunion mondiale — Session A"
    assert "secret-" not in _text(data)
    assert _invite(client, other["token"])[2].method == "CANCEL"  # the meeting is cancelled too


def test_waitlisted_invite_has_no_join_link(client, db):
    meeting = make_meeting(db, capacity=1)
    registered_verified(client, meeting, email="first@example.org")
    waiting = registered_verified(client, meeting, email="second@example.org")
    assert waiting["status"] == "waitlisted"
    _, data, strict, _ = _invite(client, waiting["token"])
    event = strict.events[0]
    assert strict.method == "REQUEST" and event.url is None and not event.conference
    assert "secret-" not in _text(data) and "meet.example.org" not in _text(data)
    assert "lista de espera" in event.description
    assert event.location == "En línea (enlace enviado a las personas inscritas)"


def test_participant_feed_is_private_and_follows_cancellation(client, db, meeting):
    body = registered_verified(client, meeting)
    feed_url = body["links"]["feed_ics"]
    response, data, strict, loose = fetch_ics(client, feed_url)
    assert strict.method == "PUBLISH" and "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    (event,) = strict.events
    session_a = _meeting_session(db, meeting, "A")
    assert event.uid == session_a.ical_uid and event.url == session_a.join_url
    assert not {"ATTENDEE", "ORGANIZER"} & set(names(data))
    assert loose.x_wr_calname.value and strict.refresh_interval == timedelta(hours=1)

    client.delete(f"/api/v1/registrations/{body['token']}")
    _, data, strict, _ = fetch_ics(client, feed_url)
    (event,) = strict.events
    assert event.status == EventStatus.CANCELLED and event.summary.startswith("[Cancelada] ")
    assert "secret-" not in _text(data)


@pytest.mark.parametrize("token", ["wrong-token", "x" * 65])
def test_wrong_feed_or_invite_token_is_a_localized_404(client, meeting, token):
    body = registered_verified(client, meeting)
    for url in (f"/feeds/participant/{token}.ics", f"/registrations/{token}/invite.ics",
                f"/feeds/participant/{body['token']}.ics"):  # the manage token is not the feed token
        response = client.get(url, headers={"Accept-Language": "fr"})
        assert response.status_code == 404, url
        assert "BEGIN:VCALENDAR" not in response.get_data(as_text=True)
        assert "n'est pas valide" in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(("language", "summary_a", "prefix"), [
    ("fr", "Réunion mondiale — Session A", "[Annulée]"),
    ("es", "Reunión mundial — Sesión A", "[Cancelada]"),
])
def test_meeting_feed_is_public_localized_and_keeps_cancelled_sessions(client, db, meeting, language,
                                                                       summary_a, prefix):
    registered_verified(client, meeting)
    b = _meeting_session(db, meeting, "B")
    b.status, b.ical_sequence = "cancelled", b.ical_sequence + 1
    db.commit()
    response, data, strict, loose = fetch_ics(client, f"/feeds/meetings/{meeting.id}.ics?lang={language}")
    assert strict.method == "PUBLISH"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    text = _text(data)
    assert "secret-" not in text and "meet.example.org" not in text
    assert not {"ATTENDEE", "ORGANIZER", "URL", "CONFERENCE", "BEGIN:VALARM"} & set(names(data))
    first, second = strict.events
    assert first.summary == summary_a and first.status == EventStatus.CONFIRMED
    assert f"SUMMARY;LANGUAGE={language}:{summary_a}" in unfold(data)
    assert second.status == EventStatus.CANCELLED and second.summary.startswith(f"{prefix} ")
    assert second.uid == b.ical_uid and second.sequence == 1
    assert [v.status.value for v in loose.vevent_list] == ["CONFIRMED", "CANCELLED"]


def test_draft_meetings_have_no_feed(client, db):
    draft = make_meeting(db, edition="2030-1", status="draft")
    assert client.get(f"/feeds/meetings/{draft.id}.ics").status_code == 404
    _, data, strict, _ = fetch_ics(client, "/feeds/meetings.ics?lang=es")
    uids = {e.uid for e in strict.events}
    assert not uids & {s.ical_uid for s in draft.sessions}


def test_all_meetings_feed_lists_every_published_meeting_without_join_links(client, db, meeting):
    later = make_meeting(db, edition="2027-2", start=datetime(2027, 10, 6, 6, 0, tzinfo=UTC))
    draft = make_meeting(db, edition="2030-1", status="draft")
    response, data, strict, loose = fetch_ics(client, "/feeds/meetings.ics?lang=es")
    uids = [e.uid for e in strict.events]
    for m in (meeting, later):
        assert {s.ical_uid for s in m.sessions} <= set(uids)
    assert not {s.ical_uid for s in draft.sessions} & set(uids)
    assert "secret-" not in _text(data) and not re.search(r"^URL", _text(data), re.M)
    assert all(e.summary.startswith("Reunión mundial — Sesión ") for e in strict.events)
    assert "NAME;LANGUAGE=es:" in _text(data)
    assert response.headers["Cache-Control"].startswith("public")


def test_registering_again_after_cancelling_sends_a_higher_sequence(client, meeting):
    body = registered_verified(client, meeting)
    client.delete(f"/api/v1/registrations/{body['token']}")
    _, _, cancel, _ = _invite(client, body["token"])
    again_body = registered_verified(client, meeting)
    _, _, again, _ = _invite(client, again_body["token"])
    assert (cancel.method, again.method) == ("CANCEL", "REQUEST")
    assert again.events[0].sequence > cancel.events[0].sequence
