"""Helpers for roundtable tests: organizations, staff accounts, logins and valid proposals."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from pagehelpers import post_form

from meetings.accounts import operations as accounts
from meetings.accounts.models import User
from meetings.core.db import utcnow
from meetings.organizations.operations import find_or_create_organization
from meetings.roundtables import operations as ops

PASSWORD = "correct horse battery staple"
EN_TITLE = "Biometric registration and digital case management in asylum procedures"
EN_ABSTRACT = ("How national authorities use biometric registration and digital case-management systems to make "
               "asylum procedures faster and fairer.")


def organization(db, name="Comisión Mexicana de Ayuda a Refugiados", category="national_asylum_authority",
                 country="MX", region="americas"):
    """An organization (created once)."""
    return find_or_create_organization(db, name, category, country, region)


def account(db, email, role="co_convener", org=None, language="en", name=None):
    """A staff account with the test password, committed."""
    user = accounts.create_account(db, email=email, name=name or email.split("@")[0], role=role,
                                   password=PASSWORD, organization=org, language=language)
    db.commit()
    return user


def login(client, email):
    """Log ``client`` in (asserts success)."""
    response = post_form(client, "/account/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


def future(days):
    """A date ``days`` from today."""
    return (utcnow() + timedelta(days=days)).date()


def proposal_input(**overrides) -> ops.ProposalInput:
    """A valid proposal (English only)."""
    values = dict(titles={"en": EN_TITLE}, abstracts={"en": EN_ABSTRACT}, workstream=3,
                  themes="registration, digitalization", regions=("americas", "europe"),
                  target_categories=("national_asylum_authority", "civil_society"),
                  interpretation_languages=("en", "fr", "es"), windows=((future(60), future(75)),),
                  duration_minutes=120, co_conveners="UNHCR\nComisión Mexicana de Ayuda a Refugiados")
    values.update(overrides)
    return ops.ProposalInput(**values)


def form_data(**overrides) -> dict:
    """The proposal form's fields for a valid proposal (English only)."""
    data = {"title_en": EN_TITLE, "abstract_en": EN_ABSTRACT, "workstream": "3",
            "themes": "registration, digitalization", "regions": ["americas", "europe"],
            "target_categories": ["national_asylum_authority", "civil_society"],
            "interpretation_languages": ["en", "fr", "es"],
            "windows-0-starts_on": future(60).isoformat(), "windows-0-ends_on": future(75).isoformat(),
            "duration_minutes": "120", "co_conveners": "UNHCR\nComisión Mexicana de Ayuda a Refugiados",
            "save": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def advance(db, roundtable, secretariat, *actions):
    """Apply status changes as the right account (proposer for co-convener actions), committed."""
    for action in actions:
        actor = secretariat if action in ("request_changes", "accept", "reject", "mark_held") else roundtable.proposer
        ops.change_status(db, roundtable, actor, action, "Comment" if action in ("request_changes", "reject") else "",
                          utcnow())
    db.commit()
    return roundtable


def user_by_email(db, email):
    """The account with this e-mail."""
    return db.scalar(sa.select(User).where(User.email_key == email.casefold()))
