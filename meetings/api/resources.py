"""The URL table and thin handlers of /api/v1: parse, call one operation, commit, present."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from meetings.api.present import present_meeting, present_registration
from meetings.api.schemas import (
    InterestInSchema,
    InterestSchema,
    MeetingSchema,
    RegistrationInSchema,
    RegistrationPatchSchema,
    RegistrationSchema,
)
from meetings.core.db import get_db, utcnow
from meetings.core.i18n import current_language
from meetings.core.rules import RegistrationInput
from meetings.models.queries import meeting_or_404, published_meetings
from meetings.registrations import operations as ops

blp = Blueprint("api", __name__, url_prefix="/api/v1", description="Meetings and registrations")


@blp.route("/meetings")
class Meetings(MethodView):
    @blp.response(200, MeetingSchema(many=True))
    def get(self):
        """List meetings (not drafts) with their sessions and seats left."""
        db = get_db()
        meetings = published_meetings(db)
        seats = ops.seats_left_by_session(db, [s for m in meetings for s in m.sessions])
        return [present_meeting(m, seats, current_language()) for m in meetings]


@blp.route("/meetings/<int:meeting_id>")
class Meeting(MethodView):
    @blp.response(200, MeetingSchema)
    def get(self, meeting_id: int):
        """One meeting with its sessions and seats left."""
        db = get_db()
        meeting = meeting_or_404(db, meeting_id)
        return present_meeting(meeting, ops.seats_left_by_session(db, meeting.sessions), current_language())


@blp.route("/meetings/<int:meeting_id>/registrations")
class MeetingRegistrations(MethodView):
    @blp.arguments(RegistrationInSchema)
    @blp.response(201, RegistrationSchema)
    @blp.alt_response(200, schema=RegistrationSchema, description="Registered again: updated")
    def post(self, data: dict, meeting_id: int):
        """Register for a session; the same e-mail again updates the registration (200)."""
        db = get_db()
        meeting = meeting_or_404(db, meeting_id)
        data["workstreams"] = tuple(data.get("workstreams") or ())
        outcome = ops.register_for_meeting(db, meeting, RegistrationInput(**data), utcnow())
        db.commit()
        if outcome.created:
            return present_registration(db, outcome.registration), 201
        # Knowing an e-mail address proves nothing: the private link goes to that address only.
        return present_registration(db, outcome.registration, with_secrets=False), 200


@blp.route("/registrations/<token>", endpoint="Registration")
class RegistrationByToken(MethodView):
    @blp.response(200, RegistrationSchema)
    def get(self, token: str):
        """Read a registration by its secret token."""
        db = get_db()
        return present_registration(db, ops.registration_by_token(db, token))

    @blp.arguments(RegistrationPatchSchema)
    @blp.response(200, RegistrationSchema)
    def patch(self, data: dict, token: str):
        """Change session, language needs, time zone or workstreams."""
        db = get_db()
        registration = ops.registration_by_token(db, token)
        if "workstreams" in data:
            data["workstreams"] = tuple(data["workstreams"])
        for optional in ("spoken_language", "listening_language", "liaison_email"):
            if optional in data and data[optional] is None:
                data[optional] = ""
        ops.change_registration(db, registration, ops.RegistrationChanges(**data), utcnow())
        db.commit()
        return present_registration(db, registration)

    @blp.response(200, RegistrationSchema)
    def delete(self, token: str):
        """Cancel the registration (frees the seat for the waiting list)."""
        db = get_db()
        registration = ops.registration_by_token(db, token)
        ops.cancel_registration(db, registration, utcnow())
        db.commit()
        return present_registration(db, registration)


@blp.route("/workstream-interests")
class WorkstreamInterests(MethodView):
    @blp.arguments(InterestInSchema)
    @blp.response(201, InterestSchema(many=True))
    def post(self, data: dict):
        """Sign an organization up to one or more workstreams (idempotent)."""
        db = get_db()
        interests = ops.sign_up_organization(
            db, organization=data["organization"], category=data["category"], country=data["country"],
            region=data.get("region"), contact_name=data["contact_name"], contact_email=data["contact_email"],
            workstreams=tuple(data["workstreams"]), note=data.get("note", ""), now=utcnow())
        db.commit()
        return [{"organization": i.organization.name, "country": i.organization.country,
                 "workstream": i.workstream.number, "contact_name": i.contact_name, "note": i.note}
                for i in interests]

