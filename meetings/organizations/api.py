"""``POST /api/v1/workstream-interests``: an organization signs up to workstreams."""

from __future__ import annotations

import marshmallow as ma
from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from meetings import api
from meetings.api.schemas import choice_rule, country_rule, email_rule, present, text_rule
from meetings.core import rules
from meetings.core.db import get_db, utcnow
from meetings.core.limits import limited
from meetings.core.transactions import commit_with_retry
from meetings.core.vocabulary import CATEGORY_CODES, REGION_CODES
from meetings.organizations import operations as ops

blp = Blueprint("organizations_api", __name__, url_prefix="/api/v1", description="Workstream sign-ups")


class InterestInSchema(ma.Schema):
    """An organization's sign-up to one or more workstreams (the document states the rules it must pass)."""

    organization = fields.String(required=True, metadata=text_rule(rules.MAX_NAME))
    category = fields.String(required=True, metadata=choice_rule(CATEGORY_CODES))
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2", **country_rule()})
    region = fields.String(load_default=None, allow_none=True, validate=present(rules.check_region),
                           metadata=choice_rule(REGION_CODES, nullable=True))
    contact_name = fields.String(required=True, metadata=text_rule(rules.MAX_NAME))
    contact_email = fields.String(required=True, metadata=email_rule())
    workstreams = fields.List(fields.Integer(strict=True, metadata={"minimum": 1, "maximum": 4}), required=True,
                              validate=validate.Length(min=1))
    note = fields.String(load_default="")


class InterestSchema(ma.Schema):
    """A recorded workstream interest."""

    organization = fields.Function(lambda i: i.organization.name, metadata={"type": "string"})
    country = fields.Function(lambda i: i.organization.country, metadata={"type": "string"})
    workstream = fields.Function(lambda i: i.workstream.number, metadata={"type": "integer"})
    contact_name = fields.String()
    note = fields.String()


@blp.route("/workstream-interests")
class WorkstreamInterests(MethodView):
    @limited("RATELIMIT_SIGN_UP")
    @blp.arguments(InterestInSchema)
    @blp.response(201, InterestSchema(many=True))
    def post(self, data: dict):
        """Sign an organization up to one or more workstreams (idempotent)."""
        db = get_db()
        return commit_with_retry(lambda: ops.sign_up_organization(
            db, organization=data["organization"], category=data["category"], country=data["country"],
            region=data.get("region"), contact_name=data["contact_name"], contact_email=data["contact_email"],
            workstreams=tuple(data["workstreams"]), note=data.get("note", ""), now=utcnow()))


def init_app(app: Flask) -> None:
    """Add the endpoint to /api/v1."""
    api.register_blueprint(app, blp)
