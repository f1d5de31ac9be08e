"""Schemas of the meetings and registrations API: they dump the models directly."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import url_for
from marshmallow import fields
from sqlalchemy.orm import object_session

from meetings.api.schemas import (
    StrictBoolean,
    UTCString,
    choice_rule,
    country_rule,
    email_rule,
    present,
    text_rule,
    timezone_rule,
)
from meetings.core import rules
from meetings.core.i18n import current_language
from meetings.core.vocabulary import CATEGORY_CODES, LANGUAGE_CODES, REGION_CODES
from meetings.organizations.models import Workstream, WorkstreamInterest
from meetings.organizations.operations import signed_up_numbers
from meetings.registrations import operations as ops

WORKSTREAM = {"minimum": 1, "maximum": 4, "description": "Workstream number, 1 to 4"}
NULLABLE_LANGUAGE = {"description": "en, fr or es; null: none", **choice_rule(LANGUAGE_CODES, nullable=True)}


class SessionSchema(ma.Schema):
    """A session of a meeting, with its seats left (never its join link)."""

    id = fields.Integer()
    label = fields.String()
    status = fields.String()
    start_utc = UTCString(attribute="starts_at")
    end_utc = UTCString(attribute="ends_at")
    duration_minutes = fields.Integer()
    capacity = fields.Integer()
    seats_left = fields.Function(lambda s: ops.seats_left(object_session(s), s), metadata={"type": "integer"})
    floor_languages = fields.Function(lambda s: list(s.floor_languages or []),
                                      metadata={"type": "array", "items": {"type": "string"}})


class MeetingSchema(ma.Schema):
    """A global meeting with its twin sessions, in the request's language."""

    id = fields.Integer()
    edition = fields.String()
    title = fields.Function(lambda m: m.title(current_language()), metadata={"type": "string"})
    description = fields.Function(lambda m: m.description(current_language()), metadata={"type": "string"})
    status = fields.String(metadata={"description": "draft, open, closed, held or cancelled"})
    conveners = fields.String()
    allowed_categories = fields.Function(lambda m: list(m.allowed_categories or []),
                                         metadata={"type": "array", "items": {"type": "string"}})
    duration_minutes = fields.Integer()
    sessions = fields.List(fields.Nested(SessionSchema))
    links = fields.Function(lambda m: {
        "page": url_for("registrations.meeting_page", meeting_id=m.id, _external=True),
        "feed_ics": url_for("calendar.meeting_feed", meeting_id=m.id, lang=current_language(), _external=True),
    }, metadata={"type": "object"})


class SessionRefSchema(ma.Schema):
    """The session a registration holds."""

    id = fields.Integer()
    label = fields.String()
    start_utc = UTCString(attribute="starts_at")
    end_utc = UTCString(attribute="ends_at")


class OrganizationRefSchema(ma.Schema):
    """The organization a person registers for."""

    name = fields.String()
    category = fields.String()
    country = fields.String()
    region = fields.String(allow_none=True)


def _workstream_numbers(registration) -> list[int]:
    """The numbers of the workstreams the registration's organization signed up to.

    From its sign-ups when they were loaded with it (registering loads them: nothing to query after the
    commit), else in one query.
    """
    loaded = signed_up_numbers(registration.organization)
    if loaded is not None:
        return loaded
    return list(object_session(registration).scalars(
        sa.select(Workstream.number).join(WorkstreamInterest, WorkstreamInterest.workstream_id == Workstream.id)
        .where(WorkstreamInterest.organization_id == registration.organization_id).order_by(Workstream.number)))


def _links(registration) -> dict[str, str]:
    token = registration.manage_token
    return {
        "self": url_for("registrations_api.Registration", token=token, _external=True),
        "manage": url_for("registrations.manage", token=token, _external=True),
        "invite_ics": url_for("calendar.invite", token=token, _external=True),
        "feed_ics": url_for("calendar.participant_feed", feed_token=registration.feed_token, _external=True),
    }


class RegistrationSchema(ma.Schema):
    """A registration as its owner sees it (the token is the key to it)."""

    token = fields.String(attribute="manage_token")
    status = fields.String(metadata={"description": "confirmed, waitlisted or cancelled"})
    meeting_id = fields.Integer()
    session = fields.Nested(SessionRefSchema)
    name = fields.String()
    email = fields.String()
    function = fields.String()
    organization = fields.Nested(OrganizationRefSchema)
    language = fields.String()
    spoken_language = fields.String(allow_none=True)
    listening_language = fields.String(allow_none=True)
    timezone = fields.String()
    liaison_email = fields.String(allow_none=True)
    email_verified = fields.Function(lambda r: r.email_verified_at is not None, metadata={
        "type": "boolean", "description": "Whether the address was confirmed with the link e-mailed to it: "
        "until then no join link, no liaison copy, no reminder"})
    workstreams = fields.Function(_workstream_numbers, metadata={"type": "array", "items": {"type": "integer"}})
    waitlist_position = fields.Function(lambda r: ops.waitlist_position(object_session(r), r),
                                        metadata={"type": "integer", "nullable": True})
    created_at = UTCString()
    updated_at = UTCString()
    links = fields.Function(_links, metadata={"type": "object"})


class RegistrationInSchema(ma.Schema):
    """What a client posts to register (the document states the rules that ``operations`` enforce)."""

    session_id = fields.Integer(required=True, strict=True,
                                metadata={"description": "Session A or B of this meeting (its id)"})
    name = fields.String(required=True, metadata=text_rule(rules.MAX_NAME))
    email = fields.String(required=True, metadata=email_rule())
    organization = fields.String(required=True, metadata=text_rule(rules.MAX_NAME))
    category = fields.String(required=True, metadata=choice_rule(CATEGORY_CODES))
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2", **country_rule()})
    region = fields.String(load_default=None, allow_none=True, validate=present(rules.check_region),
                           metadata=choice_rule(REGION_CODES, nullable=True))
    language = fields.String(required=True, metadata={"description": "en, fr or es", **choice_rule(LANGUAGE_CODES)})
    timezone = fields.String(required=True, metadata={"description": "IANA zone, e.g. Africa/Nairobi",
                                                      **timezone_rule()})
    function = fields.String(load_default="", metadata=text_rule(rules.MAX_FUNCTION, required=False))
    spoken_language = fields.String(load_default=None, allow_none=True, metadata=NULLABLE_LANGUAGE,
                                    validate=present(rules.check_language, "spoken_language"))
    listening_language = fields.String(load_default=None, allow_none=True, metadata=NULLABLE_LANGUAGE,
                                       validate=present(rules.check_language, "listening_language"))
    liaison_email = fields.String(load_default=None, allow_none=True, metadata={**email_rule(), "nullable": True},
                                  validate=present(rules.check_email, "liaison_email"))
    consent = StrictBoolean(required=True, metadata={"enum": [True],
                                                      "description": "Consent to the privacy notice (required)"})
    workstreams = fields.List(fields.Integer(strict=True, metadata=WORKSTREAM), load_default=list)


class RegistrationPatchSchema(ma.Schema):
    """What a participant may change with the token."""

    session_id = fields.Integer(strict=True, metadata={"description": "Session A or B of this meeting (its id)"})
    language = fields.String(metadata=choice_rule(LANGUAGE_CODES))
    spoken_language = fields.String(allow_none=True, metadata=NULLABLE_LANGUAGE,
                                    validate=present(rules.check_language, "spoken_language"))
    listening_language = fields.String(allow_none=True, metadata=NULLABLE_LANGUAGE,
                                       validate=present(rules.check_language, "listening_language"))
    timezone = fields.String(metadata=timezone_rule())
    function = fields.String(metadata=text_rule(rules.MAX_FUNCTION, required=False))
    liaison_email = fields.String(allow_none=True, metadata={**email_rule(), "nullable": True},
                                  validate=present(rules.check_email, "liaison_email"))
    workstreams = fields.List(fields.Integer(strict=True, metadata=WORKSTREAM))
    accept_waitlist = StrictBoolean(load_default=False)
