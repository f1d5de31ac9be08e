"""Logging a test client in through the login form (as a person would, CSRF token included)."""

from __future__ import annotations

from meetings.accounts.models import User
from support.factories import PASSWORD, make_account, make_organization
from support.pages import post_form


def login(client, email, password=PASSWORD) -> None:
    """Log ``client`` in as the existing account ``email`` (asserts success)."""
    response = post_form(client, "/account/login", {"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


def login_as(client, db, role="secretariat", email=None) -> User:
    """Create a staff account with ``role`` (``<role>@unhcr.example.org`` unless ``email`` is given; a co-convener
    belongs to an organization) and log ``client`` in as it."""
    org = None
    if role == "co_convener":
        org = make_organization(db, "Asylum Agency", "national_asylum_authority", "DE", "europe")
    user = make_account(db, email or f"{role}@unhcr.example.org", role=role, org=org, name="Staff")
    login(client, user.email)
    return user
