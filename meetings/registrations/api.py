"""/api/v1 for meetings and registrations: parse, call one operation, commit, dump the model."""

from __future__ import annotations

import marshmallow as ma
from flask import Flask, jsonify, request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from meetings import api
from meetings.core.db import get_db, utcnow
from meetings.core.limits import limited
from meetings.core.transactions import commit_with_retry
from meetings.models.queries import meeting_or_404, published_meetings, registration_by_token
from meetings.organizations.api_keys import api_key_from_header
from meetings.registrations import operations as ops
from meetings.registrations.schemas import (
    MeetingSchema,
    RegistrationInSchema,
    RegistrationPatchSchema,
    RegistrationSchema,
)

blp = Blueprint("registrations_api", __name__, url_prefix="/api/v1", description="Meetings and registrations")
LINK_SENT = _l("This e-mail address is already registered for this meeting. Nothing was changed; a one-time "
               "link has been e-mailed to the address.")


class LinkSentSchema(ma.Schema):
    """The address was registered already: nothing changed, a one-time link went to it."""

    status = ma.fields.Constant("link_sent", metadata={"type": "string", "enum": ["link_sent"]})
    message = ma.fields.String(metadata={"description": "What happened, in the language of Accept-Language."})


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
    @limited("RATELIMIT_REGISTRATION")
    @blp.arguments(RegistrationInSchema())  # an instance: a class would be instantiated on every request
    @blp.response(201, RegistrationSchema)
    @blp.alt_response(202, schema=LinkSentSchema, description="Address already registered: nothing changed, "
                      "a one-time sign-in link was e-mailed to it")
    @blp.alt_response(200, schema=RegistrationSchema, description="With the organization's API key: the "
                      "address was registered already and its registration is updated")
    @blp.alt_response(401, description="The API key is not valid or was revoked")
    @blp.alt_response(403, description="The API key belongs to another organization")
    @blp.doc(security=[{}, {"organizationKey": []}])
    def post(self, data: dict, meeting_id: int):
        """Register a new address (unverified until it uses the e-mailed link); a known address: 202.

        With ``Authorization: Bearer <organization API key>``: registrations of that organization are
        trusted (verified at once; the same address again updates it, 200).
        """
        db = get_db()
        key = api_key_from_header(db, request.headers.get("Authorization"))
        data["workstreams"] = tuple(data.get("workstreams") or ())
        outcome = commit_with_retry(lambda: ops.register_for_meeting(
            db, meeting_or_404(db, meeting_id), ops.RegistrationInput(**data), utcnow(), api_key=key))
        if outcome.created:
            return outcome.registration, 201
        if key is not None:
            return outcome.registration, 200
        # Knowing an e-mail address proves nothing: the private link goes to that address only.
        return jsonify(LinkSentSchema().dump({"message": str(LINK_SENT)})), 202


@blp.route("/registrations/<token>", endpoint="Registration")
class RegistrationByToken(MethodView):
    @blp.response(200, RegistrationSchema)
    def get(self, token: str):
        """Read a registration by its secret token."""
        return registration_by_token(get_db(), token)

    @blp.arguments(RegistrationPatchSchema())
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
