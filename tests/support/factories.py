"""Rows a test starts from: meetings (with sessions A and B), organizations and staff accounts.

Each takes the database session ``db`` and commits what it creates, as a test's set-up would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from meetings.accounts import operations as accounts
from meetings.accounts.models import User
from meetings.core.vocabulary import CATEGORY_CODES
from meetings.models import GlobalMeeting, MeetingSession
from meetings.organizations.models import Organization
from meetings.organizations.operations import find_or_create_organization

PASSWORD = "correct horse battery staple"  # every test account's password


def make_meeting(db, *, edition="2027-1", status="open", capacity=50, categories=None,
                 start=datetime(2027, 3, 17, 7, 0, tzinfo=UTC)) -> GlobalMeeting:
    """An open global meeting with sessions A (``start``) and B (eight hours later)."""
    meeting = GlobalMeeting(
        edition=edition, title_en="Global meeting", title_fr="Réunion mondiale", title_es="Reunión mundial",
        description_en="Twin sessions.", description_fr="Sessions jumelles.", description_es="Sesiones gemelas.",
        status=status, allowed_categories=list(categories or CATEGORY_CODES), duration_minutes=180,
    )
    for label, offset in (("A", 0), ("B", 8)):
        meeting.sessions.append(MeetingSession(
            label=label, starts_at=start + timedelta(hours=offset), duration_minutes=180, capacity=capacity,
            join_url=f"https://meet.example.org/secret-{edition}-{label}", floor_languages=["en", "fr", "es"]))
    db.add(meeting)
    db.commit()
    return meeting


def make_organization(db, name="Comisión Mexicana de Ayuda a Refugiados", category="national_asylum_authority",
                      country="MX", region="americas") -> Organization:
    """An organization (created once: the same name gives the same row)."""
    return find_or_create_organization(db, name, category, country, region)


def make_account(db, email, role="co_convener", org=None, language="en", name=None, password=PASSWORD) -> User:
    """A staff account (with ``PASSWORD`` unless ``password`` is None: then it has none yet), committed."""
    user = accounts.create_account(db, email=email, name=name or email.split("@")[0], role=role,
                                   password=password, organization=org, language=language)
    db.commit()
    return user
