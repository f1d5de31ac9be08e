"""What the console tests share: a meeting with varied registrations."""

from __future__ import annotations

from support.api import registered
from support.factories import make_meeting
from support.identity import verify

PEOPLE = [  # email, session label, spoken, listening, country, category, region, timezone
    ("ana@example.org", "A", "es", "en", "MX", "national_asylum_authority", "americas", "America/Mexico_City"),
    ("awa@example.org", "A", "fr", "fr", "SN", "civil_society", "west_central_africa", "Africa/Dakar"),
    ("ben@example.org", "A", "en", "en", "KE", "national_asylum_authority", "east_horn_great_lakes",
     "Africa/Nairobi"),
    ("chen@example.org", "B", "en", "en", "TH", "academia", "asia_pacific", "Asia/Bangkok"),
    ("dana@example.org", "B", "en", "fr", "FR", "permanent_mission", "europe", "Europe/Paris"),
]


def populated_meeting(client, db, **meeting_options):
    """A meeting with the five PEOPLE registered and verified (names 'Person <email>'); returns (meeting, tokens)."""
    meeting = make_meeting(db, **meeting_options)
    tokens = {}
    for email, label, spoken, listening, country, category, region, zone in PEOPLE:
        answer = registered(client, meeting, email, label, expect=(201,),
                            name=f"Person {email.split('@')[0]}", organization=f"Org {country}", country=country,
                            category=category, region=region, timezone=zone, spoken_language=spoken,
                            listening_language=listening, language=listening, workstreams=[1, 3])
        assert answer["token"]
        tokens[email] = verify(client, None, email)  # the owner confirms the address (new tokens)
    return meeting, tokens
