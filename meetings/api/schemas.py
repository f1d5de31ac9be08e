"""Schemas every API blueprint shares: the one error document and UTC timestamps."""

from __future__ import annotations

from datetime import datetime

import marshmallow as ma
from marshmallow import fields


class ErrorBodySchema(ma.Schema):
    """Inside every error document."""

    status = fields.Integer(metadata={"description": "HTTP status"})
    code = fields.String(metadata={"description": "Stable machine-readable code, e.g. unknown_timezone"})
    message = fields.String(metadata={"description": "Human message in the request's language"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "Message per invalid field"})


class ErrorSchema(ma.Schema):
    """The one shape of every API error."""

    error = fields.Nested(ErrorBodySchema)


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix."""
    return value.isoformat().replace("+00:00", "Z")


class UTCString(fields.String):
    """An aware datetime written as an ISO 8601 string in UTC with a Z suffix."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("metadata", {}).setdefault("description", "ISO 8601, UTC")
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else iso_utc(value)
