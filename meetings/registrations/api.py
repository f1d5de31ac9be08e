"""/api/v1 for meetings and registrations: parse, call one operation, commit, dump the model."""

from __future__ import annotations

from flask import Flask, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from meetings import api
from meetings.core.db import get_db, utcnow
from meetings.core.transactions import commit_with_retry
from meetings.models.queries import meeting_or_404, published_meetings, registration_by_token
from meetings.registrations import operations as ops
from meetings.registrations.schemas import (
    MeetingSchema,
    RegistrationInSchema,
    RegistrationPatchSchema,
    RegistrationSchema,
    RegistrationWithoutSecretsSchema,
)

blp = Blueprint("registrations_api", __name__, url_prefix="/api/v1", description="Meetings and registrations")


@blp.route("/meetings")
class Meetings(MethodView):
    @blp.response(200, MeetingSchema(many=True))
    def get(self):
        """List meetings (not drafts) with their sessions and seats left."""
        return published_meetings(get_db())


@blp.route("/meetings/<int:meeting_id>")
class Meeting(MethodView):
    @blp.response(200, MeetingSchema)
    def get(self, meeting_id: int):
        """One meeting with its sessions and seats left."""
        return meeting_or_404(get_db(), meeting_id)


@blp.route("/meetings/<int:meeting_id>/registrations")
class MeetingRegistrations(MethodView):
    @blp.arguments(RegistrationInSchema)
    @blp.response(201, RegistrationSchema)
    @blp.alt_response(200, schema=RegistrationWithoutSecretsSchema,
                      description="Registered again with a known address: updated; token null, links empty")
    def post(self, data: dict, meeting_id: int):
        """Register for a session; the same e-mail again updates the registration (200)."""
        db = get_db()
        data["workstreams"] = tuple(data.get("workstreams") or ())
        outcome = commit_with_retry(lambda: ops.register_for_meeting(
            db, meeting_or_404(db, meeting_id), ops.RegistrationInput(**data), utcnow()))
        if outcome.created:
            return outcome.registration, 201
        # Knowing an e-mail address proves nothing: the private link goes to that address only.
        return jsonify(RegistrationWithoutSecretsSchema().dump(outcome.registration))


@blp.route("/registrations/<token>", endpoint="Registration")
class RegistrationByToken(MethodView):
    @blp.response(200, RegistrationSchema)
    def get(self, token: str):
        """Read a registration by its secret token."""
        return registration_by_token(get_db(), token)

    @blp.arguments(RegistrationPatchSchema)
    @blp.response(200, RegistrationSchema)
    def patch(self, data: dict, token: str):
        """Change session, language needs, time zone or workstreams."""
        db = get_db()
        if "workstreams" in data:
            data["workstreams"] = tuple(data["workstreams"])
        for optional in ("spoken_language", "listening_language", "liaison_email"):
            if optional in data and data[optional] is None:
                data[optional] = ""
        changes = ops.RegistrationChanges(**data)

        def change():
            registration = registration_by_token(db, token)
            ops.change_registration(db, registration, changes, utcnow())
            return registration

        return commit_with_retry(change)

    @blp.response(200, RegistrationSchema)
    def delete(self, token: str):
        """Cancel the registration (frees the seat for the waiting list)."""
        db = get_db()

        def cancel():
            registration = registration_by_token(db, token)
            ops.cancel_registration(db, registration, utcnow())
            return registration

        return commit_with_retry(cancel)


def init_app(app: Flask) -> None:
    """Add these endpoints to /api/v1."""
    api.register_blueprint(app, blp)
