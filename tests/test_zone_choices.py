"""Time-zone choices and session advice: canonical zones with readable labels, night warnings, the less bad one."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import force_locale
from support.factories import make_meeting

from meetings.core.session_advice import advise
from meetings.core.zonepicker import canonical_zone, canonical_zones, zone_aliases, zone_choices, zone_label
from scheduler.hours import REASONABLE_WINDOW, night_minutes

JANUARY = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


def test_only_canonical_zones_are_offered_and_aliases_map_to_them():
    zones = canonical_zones()
    assert "Asia/Kolkata" in zones and "Asia/Calcutta" not in zones
    assert not [z for z in zones if z.startswith(("Etc/", "US/", "SystemV/")) or z in ("Factory", "localtime")]
    assert canonical_zone("Asia/Calcutta") == "Asia/Kolkata"  # what Chromium reports for India
    assert canonical_zone("US/Eastern") == "America/New_York" and canonical_zone("Etc/UTC") == "UTC"
    assert canonical_zone("Factory") is None and canonical_zone("Nowhere/Town") is None
    assert zone_aliases()["Asia/Calcutta"] == "Asia/Kolkata"


def test_labels_name_city_country_and_offset_in_the_language(app_context):
    assert zone_label("Europe/Zurich", "en", JANUARY) == "Zurich, Switzerland (UTC+01:00)"
    assert zone_label("Europe/Zurich", "fr", JANUARY) == "Zurich, Suisse (UTC+01:00)"
    assert zone_label("America/Argentina/Buenos_Aires", "es", JANUARY) == "Buenos Aires, Argentina (UTC−03:00)"
    assert zone_label("Asia/Kathmandu", "en", JANUARY).endswith("(UTC+05:45)")
    with force_locale("fr"):
        groups = zone_choices("fr", JANUARY)
    assert list(groups)[0] == "Temps universel coordonné" and "Europe" in groups and "Afrique" in groups
    values = [value for items in groups.values() for value, _label in items]
    assert len(values) == len(set(values)) == len(canonical_zones())
    kept = zone_choices("en", JANUARY, current="Asia/Calcutta")  # a stored alias stays selectable
    assert "Asia/Calcutta" in [value for items in kept.values() for value, _label in items]


def test_night_minutes_and_the_one_reasonable_window():
    assert REASONABLE_WINDOW == "08:00-20:00"
    assert night_minutes(20 * 60, 180) == 60  # 20:00-23:00: one hour after 22:00
    assert night_minutes(4 * 60, 180) == 120  # 04:00-07:00: two hours before 06:00
    assert night_minutes(9 * 60, 180) == 0


def test_advice_suggests_a_reasonable_session_or_else_the_less_bad_one(db):
    meeting = make_meeting(db)  # A 07:00-10:00 UTC, B 15:00-18:00 UTC, 17 March 2027
    tokyo = advise(meeting.sessions, "Asia/Tokyo")  # A 16:00-19:00, B 00:00-03:00
    assert tokyo.suggested.label == "A" and tokyo.reasonable and tokyo.night == {meeting.sessions[1].id}
    auckland = advise(meeting.sessions, "Pacific/Auckland")  # A 20:00-23:00, B 04:00-07:00
    assert auckland.suggested.label == "A" and not auckland.reasonable
    assert auckland.night == {s.id for s in meeting.sessions}
    assert advise(meeting.sessions, None).suggested is None
    meeting.sessions[0].status = "cancelled"
    assert advise(meeting.sessions, "Asia/Tokyo").suggested.label == "B"  # only a scheduled one
