"""A real CalDAV server (Radicale on loopback) stores an invite, then its update, and keeps one event.

CalDAV servers store plain iCalendar objects, not iTIP messages: RFC 4791 section 4.1 forbids the
METHOD property in a calendar object resource, so METHOD is removed before storing; everything else
is the exact output of :func:`notifications.ics.build_invite`.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from support.smtp_server import free_port

from notifications.ics import CalendarEvent, Person, build_invite

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("radicale") is None or importlib.util.find_spec("caldav") is None,
    reason="radicale and caldav (test extras) are needed for the CalDAV round trip",
)

NOW = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
START = datetime(2025, 3, 12, 13, 0, tzinfo=UTC)


@pytest.fixture
def radicale_url(tmp_path: Path) -> Iterator[str]:
    """Run Radicale with its own config and storage in tmp_path; yield its base URL."""
    port = free_port()
    config = tmp_path / "radicale.conf"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "[auth]\n"
        "type = none\n"
        "[storage]\n"
        f"filesystem_folder = {tmp_path / 'collections'}\n"
        "[web]\n"
        "type = none\n"
        "[logging]\n"
        "level = warning\n",
        encoding="utf-8",
    )
    log = (tmp_path / "radicale.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"radicale exited: {(tmp_path / 'radicale.log').read_text(errors='replace')}")
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except urllib.error.HTTPError:
                break  # any HTTP answer means the server is up
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("radicale did not answer within 20 s")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def as_stored_object(message: bytes) -> str:
    """Return the iTIP message as a CalDAV object: the same calendar without METHOD."""
    calendar = Calendar.from_ical(message)
    del calendar["METHOD"]
    return calendar.to_ical().decode("utf-8")


def test_invite_then_update_leaves_one_event_with_the_new_time(radicale_url: str) -> None:
    """The update (same UID, higher SEQUENCE, new time) replaces the invite on a real server."""
    import caldav

    organizer = Person("secretariat@acsg.example", "Secrétariat ACSG")
    attendee = Person("ana.nunez@example.org", "Ana Núñez")
    invite = CalendarEvent(
        uid="7c9e6679-7425-40de-944b-e07fc1f90ae7",
        sequence=0,
        start=START,
        end=START + timedelta(hours=3),
        summary="Reunión mundial del ACSG – sesión A",
        description="Su hora local: miércoles 12 de marzo, 8:00 (America/Bogota)",
        url="https://meet.example.org/j/8812",
        language="es",
    )
    moved = START + timedelta(days=1, hours=2)
    update = replace(invite, sequence=1, start=moved, end=moved + timedelta(hours=3))

    client = caldav.DAVClient(
        url=radicale_url,
        username="ana",
        password="unused",  # auth type none: the login only names the user's collection
        timeout=10,
    )
    calendar = client.principal().make_calendar(name="ACSG", cal_id="acsg")
    # A plain PUT of our bytes: caldav's save_event would bump SEQUENCE itself on every save.
    resource = str(calendar.url.join(f"{invite.uid}.ics"))
    headers = {"Content-Type": "text/calendar; charset=utf-8"}
    created = client.put(resource, as_stored_object(build_invite(invite, organizer, attendee, NOW)),
                         {**headers, "If-None-Match": "*"})
    assert created.status == 201
    assert [e.icalendar_component.start for e in calendar.events()] == [START]
    replaced = client.put(resource, as_stored_object(build_invite(update, organizer, attendee,
                                                                  NOW + timedelta(days=2))),
                          {**headers, "If-Match": "*"})  # must replace the stored object, not add a second one
    assert replaced.status in (200, 204)

    events = client.calendar(url=calendar.url).events()
    assert len(events) == 1
    stored = events[0].icalendar_component
    assert str(stored["UID"]) == invite.uid
    assert stored.start == moved and stored.end == moved + timedelta(hours=3)
    assert stored["SEQUENCE"] == 1
    assert str(stored["SUMMARY"]) == "Reunión mundial del ACSG – sesión A"
    assert stored["SUMMARY"].params["LANGUAGE"] == "es"
