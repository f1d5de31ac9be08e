"""Schemas every API blueprint shares: the one error document and UTC timestamps."""

from __future__ import annotations

from datetime import datetime

import marshmallow as ma
from marshmallow import fields

from meetings.core.rules import known_countries, known_timezones


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


# What the OpenAPI document states of a field that the shared input rules (``core.rules``) enforce, so
# that a schema-valid request passes them. The rules keep raising their own localized, coded 422s; these
# helpers only describe them (marshmallow metadata that apispec copies into the document).
# A character that Python's str.strip() keeps (the rules strip text): not one of str.isspace()'s, written
# out because the regex engines differ on what \s means (ECMA's leaves out \x1c-\x1f and \x85).
NOT_SPACE = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def text_rule(max_length: int, *, required: bool = True) -> dict:
    """``rules.require_text`` (something besides spaces, at most ``max_length``) or ``rules.limit_text``."""
    rule = {"maxLength": max_length}
    return {**rule, "minLength": 1, "pattern": NOT_SPACE} if required else rule


def choice_rule(codes, *, nullable: bool = False) -> dict:
    """One of ``codes`` (``rules.check_category``, ``check_language``, ``check_region``...), or null."""
    return {"enum": [*sorted(codes), *([None] if nullable else [])]}


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


# email_validator refuses the special-use domains of RFC 6761 and others (no mail can reach them).
UNDELIVERABLE_DOMAINS = "|".join(_any_case(d) for d in ("arpa", "invalid", "local", "localhost", "onion", "test"))


def email_rule() -> dict:
    """``rules.check_email``: an address, not in a special-use domain, at most 254 characters."""
    return {"format": "email", "maxLength": 254, "pattern": rf"^(?!.*[@.](?:{UNDELIVERABLE_DOMAINS})\.?$)"}


def present(check, *args):
    """A marshmallow validator running ``check`` (a ``core.rules`` function) on a value that was sent.

    Its localized, coded 422 (InvalidInput) is the answer. Null means "none" in the API; an empty string
    is not a value of the field and gets the same answer as any other value outside it.
    """
    def validator(value) -> None:
        check(value or " ", *args)
    return validator


class StrictBoolean(fields.Boolean):
    """JSON true or false only (marshmallow's Boolean also takes 1, "yes", "on"... which the document does not
    allow)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def timezone_rule() -> dict:
    """``rules.check_timezone``: a zone of the tz database."""
    return {"enum": sorted(known_timezones())}


def country_rule() -> dict:
    """``rules.check_country``: an ISO 3166-1 alpha-2 code."""
    return {"enum": sorted(known_countries())}
