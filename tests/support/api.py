"""Calls to the JSON API, as a registration form or a partner's system would make them."""

from __future__ import annotations


def registration_payload(session_id: int, email: str = "ana@example.org", **overrides) -> dict:
    """A valid API registration body for the meeting session ``session_id``."""
    body = {
        "session_id": session_id, "name": "Ana Pérez", "email": email, "organization": "Comisión de Refugiados",
        "category": "national_asylum_authority", "country": "MX", "language": "es",
        "timezone": "America/Mexico_City", "consent": True, "spoken_language": "es", "listening_language": "en",
    }
    body.update(overrides)
    return body


def post_registration(client, meeting_id: int, session_id: int, email: str = "ana@example.org", **overrides):
    """POST a registration for the meeting session ``session_id`` of meeting ``meeting_id``; returns the response."""
    return client.post(f"/api/v1/meetings/{meeting_id}/registrations",
                       json=registration_payload(session_id, email, **overrides))


def register(client, meeting, email: str = "ana@example.org", label: str = "A", **overrides):
    """Register ``email`` for ``meeting``'s session ``label`` through the API; returns the response."""
    meeting_session = next(s for s in meeting.sessions if s.label == label)
    return post_registration(client, meeting.id, meeting_session.id, email, **overrides)


def registered(client, meeting, email: str = "ana@example.org", label: str = "A", *, expect=(200, 201),
               **overrides) -> dict:
    """``register`` that must answer one of the statuses ``expect``; returns its JSON answer (with the secret
    token)."""
    response = register(client, meeting, email, label, **overrides)
    assert response.status_code in expect, response.json
    return response.json
