"""Time the .ics builders: 1,000 personalized invites and a 1,000-event feed, against bare icalendar.

Run: ``.venv/bin/python bench/ics.py``. Prints the median of several runs, the time per item and
the ratio to a baseline built in the same run: the same properties set directly on icalendar
objects, without our validation, text neutralizing, LANGUAGE parameters or alarms.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from notifications.ics import CalendarEvent, Person, build_feed, build_invite

N = 1000
RUNS = 5
NOW = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
START = datetime(2025, 3, 12, 13, 0, tzinfo=UTC)
ORGANIZER = Person("secretariat@acsg.example", "Secrétariat ACSG")
SUMMARY = "Réunion mondiale de l'ACSG – session A : appui à la capacité d'asile"
DESCRIPTION = "Votre heure locale : mercredi 12 mars, 14 h 00 (Europe/Paris)\nInterprétation : EN, FR, ES"


def make_events() -> list[CalendarEvent]:
    """Return N distinct sessions with join links."""
    return [
        CalendarEvent(
            uid=f"uid-{i:05d}",
            sequence=i % 3,
            start=START + timedelta(hours=i),
            end=START + timedelta(hours=i + 2),
            summary=f"{SUMMARY} #{i}",
            description=DESCRIPTION,
            url=f"https://meet.example.org/j/{i}",
            language="fr",
        )
        for i in range(N)
    ]


def bare_event(event: CalendarEvent) -> Event:
    """Return the baseline VEVENT: plain icalendar, nothing sanitized."""
    vevent = Event()
    for name, value in (
        ("UID", event.uid),
        ("SEQUENCE", event.sequence),
        ("DTSTAMP", NOW),
        ("DTSTART", event.start),
        ("DTEND", event.end),
        ("SUMMARY", event.summary),
        ("DESCRIPTION", event.description),
        ("LOCATION", event.url),
        ("URL", event.url),
    ):
        vevent.add(name, value)
    return vevent


def bare_calendar(vevents: list[Event], method: str) -> bytes:
    """Return the baseline VCALENDAR bytes."""
    cal = Calendar()
    cal.add("PRODID", "-//bench//EN")
    cal.add("VERSION", "2.0")
    cal.add("METHOD", method)
    for vevent in vevents:
        cal.add_component(vevent)
    return cal.to_ical()


def median_ms(work: Callable[[], object]) -> float:
    """Return the median wall time of RUNS calls to work, in milliseconds."""
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    """Run the four measurements and print a small table."""
    events = make_events()
    attendees = [Person(f"participant{i}@example.org", f"Participante Núñez {i}") for i in range(N)]
    event = events[0]

    def ours_invites() -> None:
        for attendee in attendees:
            build_invite(event, ORGANIZER, attendee, NOW)

    def bare_invites() -> None:
        for attendee in attendees:
            vevent = bare_event(event)
            vevent.add("ORGANIZER", f"mailto:{ORGANIZER.email}", parameters={"CN": ORGANIZER.name})
            vevent.add("ATTENDEE", f"mailto:{attendee.email}", parameters={"CN": attendee.name})
            bare_calendar([vevent], "REQUEST")

    def ours_feed() -> None:
        build_feed(events, "ACSG", NOW, include_join_links=True, cancelled_prefix="[Annulé]", language="fr")

    def bare_feed() -> None:
        bare_calendar([bare_event(e) for e in events], "PUBLISH")

    rows = [
        ("1,000 personalized invites", median_ms(ours_invites), median_ms(bare_invites)),
        ("feed of 1,000 events", median_ms(ours_feed), median_ms(bare_feed)),
    ]
    print(f"median of {RUNS} runs, N = {N}")
    print(f"{'work':<28}{'ours ms':>10}{'µs/item':>10}{'bare ms':>10}{'µs/item':>10}{'ratio':>8}")
    for label, ours, bare in rows:
        per_ours, per_bare = ours * 1000 / N, bare * 1000 / N
        print(f"{label:<28}{ours:>10.1f}{per_ours:>10.1f}{bare:>10.1f}{per_bare:>10.1f}{ours / bare:>8.2f}")


if __name__ == "__main__":
    main()
