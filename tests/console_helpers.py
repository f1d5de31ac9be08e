"""Helpers for the console tests: a logged-in secretariat and a meeting with varied registrations."""

from __future__ import annotations

from conftest import make_meeting, registration_payload
from identityhelpers import register_verified
from pagehelpers import post_form

from meetings.accounts import operations as accounts

PASSWORD = "correct horse battery staple"
PEOPLE = [  # email, session index, spoken, listening, country, category, region, timezone
    ("ana@example.org", 0, "es", "en", "MX", "national_asylum_authority", "americas", "America/Mexico_City"),
    ("awa@example.org", 0, "fr", "fr", "SN", "civil_society", "west_central_africa", "Africa/Dakar"),
    ("ben@example.org", 0, "en", "en", "KE", "national_asylum_authority", "east_horn_great_lakes",
     "Africa/Nairobi"),
    ("chen@example.org", 1, "en", "en", "TH", "academia", "asia_pacific", "Asia/Bangkok"),
    ("dana@example.org", 1, "en", "fr", "FR", "permanent_mission", "europe", "Europe/Paris"),
]


def login(client, db, role="secretariat", email=None):
    """Create an account with ``role`` and log it in."""
    organization = None
    if role == "co_convener":
        from meetings.organizations.operations import find_or_create_organization

        organization = find_or_create_organization(db, "Asylum Agency", "national_asylum_authority", "DE", "europe")
    email = email or f"{role}@unhcr.example.org"
    accounts.create_account(db, email=email, name="Staff", role=role, password=PASSWORD, organization=organization)
    db.commit()
    response = post_form(client, "/account/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 303


def register(client, session_id: int, email: str, **overrides) -> dict:
    """Register through the API and confirm the address; returns the registration's JSON (with its token)."""
    return register_verified(client, overrides.pop("meeting_id"), registration_payload(session_id, email, **overrides))


def populated_meeting(client, db, **meeting_options):
    """A meeting with the five PEOPLE registered (names 'Person <email>'); returns (meeting, tokens)."""
    meeting = make_meeting(db, **meeting_options)
    tokens = {}
    for email, index, spoken, listening, country, category, region, zone in PEOPLE:
        answer = register(client, meeting.sessions[index].id, email, meeting_id=meeting.id,
                          name=f"Person {email.split('@')[0]}", organization=f"Org {country}", country=country,
                          category=category, region=region, timezone=zone, spoken_language=spoken,
                          listening_language=listening, language=listening, workstreams=[1, 3])
        tokens[email] = answer["token"]
    return meeting, tokens
