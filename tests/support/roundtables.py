"""What the roundtable tests share: valid proposals (as operation input and as form data) and status changes."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from meetings.accounts.models import User
from meetings.core.db import utcnow
from meetings.roundtables import operations as ops

EN_TITLE = "Biometric registration and digital case management in asylum procedures"
EN_ABSTRACT = ("How national authorities use biometric registration and digital case-management systems to make "
               "asylum procedures faster and fairer.")


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
