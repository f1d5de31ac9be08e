"""Marshmallow schemas of the JSON API (also the source of the OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate


class ErrorBodySchema(ma.Schema):
    """Inside every error document."""

    status = fields.Integer(metadata={"description": "HTTP status"})
    code = fields.String(metadata={"description": "Stable machine-readable code, e.g. unknown_timezone"})
    message = fields.String(metadata={"description": "Human message in the request's language"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "Message per invalid field"})


class ErrorSchema(ma.Schema):
    """The one shape of every API error."""

    error = fields.Nested(ErrorBodySchema)


class SessionSchema(ma.Schema):
    """A session of a meeting, with its seats left (never its join link)."""

    id = fields.Integer()
    label = fields.String()
    status = fields.String()
    start_utc = fields.String(metadata={"description": "ISO 8601, UTC"})
    end_utc = fields.String(metadata={"description": "ISO 8601, UTC"})
    duration_minutes = fields.Integer()
    capacity = fields.Integer()
    seats_left = fields.Integer()
    floor_languages = fields.List(fields.String())


class SessionRefSchema(ma.Schema):
    """The session a registration holds."""

    id = fields.Integer()
    label = fields.String()
    start_utc = fields.String()
    end_utc = fields.String()


class MeetingSchema(ma.Schema):
    """A global meeting with its twin sessions."""

    id = fields.Integer()
    edition = fields.String()
    title = fields.String()
    description = fields.String()
    status = fields.String(metadata={"description": "draft, open, closed, held or cancelled"})
    conveners = fields.String()
    allowed_categories = fields.List(fields.String())
    duration_minutes = fields.Integer()
    sessions = fields.List(fields.Nested(SessionSchema))
    links = fields.Dict()


class RegistrationInSchema(ma.Schema):
    """What a client posts to register."""

    session_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    organization = fields.String(required=True)
    category = fields.String(required=True)
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    region = fields.String(load_default=None, allow_none=True)
    language = fields.String(required=True, metadata={"description": "en, fr or es"})
    timezone = fields.String(required=True, metadata={"description": "IANA zone, e.g. Africa/Nairobi"})
    function = fields.String(load_default="")
    spoken_language = fields.String(load_default=None, allow_none=True)
    listening_language = fields.String(load_default=None, allow_none=True)
    liaison_email = fields.String(load_default=None, allow_none=True)
    consent = fields.Boolean(required=True)
    workstreams = fields.List(fields.Integer(), load_default=list)


class RegistrationPatchSchema(ma.Schema):
    """What a participant may change with the token."""

    session_id = fields.Integer()
    language = fields.String()
    spoken_language = fields.String(allow_none=True)
    listening_language = fields.String(allow_none=True)
    timezone = fields.String()
    function = fields.String()
    liaison_email = fields.String(allow_none=True)
    workstreams = fields.List(fields.Integer())
    accept_waitlist = fields.Boolean(load_default=False)


class RegistrationSchema(ma.Schema):
    """A registration as its owner sees it (the token is the key to it)."""

    token = fields.String()
    status = fields.String(metadata={"description": "confirmed, waitlisted or cancelled"})
    meeting_id = fields.Integer()
    session = fields.Nested(SessionRefSchema)
    name = fields.String()
    email = fields.String()
    function = fields.String()
    organization = fields.Dict()
    language = fields.String()
    spoken_language = fields.String(allow_none=True)
    listening_language = fields.String(allow_none=True)
    timezone = fields.String()
    liaison_email = fields.String(allow_none=True)
    workstreams = fields.List(fields.Integer())
    waitlist_position = fields.Integer(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    links = fields.Dict()


class InterestInSchema(ma.Schema):
    """An organization's sign-up to one or more workstreams."""

    organization = fields.String(required=True)
    category = fields.String(required=True)
    country = fields.String(required=True)
    region = fields.String(load_default=None, allow_none=True)
    contact_name = fields.String(required=True)
    contact_email = fields.String(required=True)
    workstreams = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))
    note = fields.String(load_default="")


class InterestSchema(ma.Schema):
    """A recorded workstream interest."""

    organization = fields.String()
    country = fields.String()
    workstream = fields.Integer()
    contact_name = fields.String()
    note = fields.String()
