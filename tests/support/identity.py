"""Helpers for the identity flow: read the one-time link e-mailed to an address and use it (a POST)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from meetings.core import db as dbmod
from meetings.core.rules import email_key
from meetings.outbox.composing import Skip
from meetings.outbox.models import OutboxMessage
from support.mail import compose_now
from support.pages import post_form

SIGN_IN = re.compile(r"/sign-in/([A-Za-z0-9_-]{20,})")


def links_sent_to(db, address: str) -> list[str]:
    """Every one-time link token e-mailed to ``address`` (oldest first)."""
    db.expire_all()
    return _links(db, address)


def _links(db, address: str) -> list[str]:
    rows = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email",
                                                     OutboxMessage.topic.in_(("registration.verify",
                                                                              "registration.sign_in")))
                      .order_by(OutboxMessage.id)).all()
    return [_token(db, row) for row in rows if email_key(address) in {email_key(a) for a in row.to_addresses}]


def _token(db, row) -> str:
    """The link token the e-mail carries. A row whose link was used or replaced since would be dropped at
    delivery (tests still probe such links): its token is read from the row's secrets."""
    result = compose_now(db, row)
    if isinstance(result, Skip):
        return row.secrets["token"]
    return SIGN_IN.search(result.email.text).group(1)


def use_link(client, token: str):
    """Open the link's page and press its button; returns the POST's response."""
    return post_form(client, f"/sign-in/{token}", {})


def verify(client, db, address: str) -> str:
    """Use the latest link e-mailed to ``address``; returns the registration's new manage token."""
    if db is None:
        with dbmod.new_session(client.application) as session:
            session.info["app"] = client.application
            token = _links(session, address)[-1]
    else:
        token = links_sent_to(db, address)[-1]
    response = use_link(client, token)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return response.headers["Location"].rsplit("/manage/", 1)[1]


def register_verified(client, meeting_id: int, payload: dict, headers: dict | None = None) -> dict:
    """Register through the API and confirm the address as its owner would; the registration's JSON."""
    response = client.post(f"/api/v1/meetings/{meeting_id}/registrations", json=payload, headers=headers)
    assert response.status_code == 201, response.json
    token = verify(client, None, payload["email"])
    return client.get(f"/api/v1/registrations/{token}", headers=headers).json


def registered_verified(client, meeting, email: str = "ana@example.org", label: str = "A", **overrides) -> dict:
    """Register ``email`` for ``meeting``'s session ``label`` and confirm the address; the registration's JSON."""
    from support.api import registration_payload

    meeting_session = next(s for s in meeting.sessions if s.label == label)
    return register_verified(client, meeting.id, registration_payload(meeting_session.id, email, **overrides))
