"""``/api/v1`` for support matching: requests, offers, candidates with reasons, matches, pledges.

Same rules as the pages: the secretariat through its login session; a party through its private
token (``Authorization: Bearer <token>``, the token of its e-mailed link), for its own entry or its
side of a match only; everyone else reads only consented public data and may submit a new request or
offer (it waits for the contact to confirm it from the e-mailed link). Writes with the session cookie
must be JSON bodies, which a cross-site form cannot send.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort, jsonify, request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from marshmallow import fields, validate

from meetings.api.schemas import (
    ErrorSchema,
    StrictBoolean,
    choice_rule,
    country_rule,
    email_rule,
    present,
    text_rule,
)
from meetings.core import rules
from meetings.core.actor import current_actor
from meetings.core.db import get_db, utcnow
from meetings.core.errors import InvalidInput
from meetings.core.vocabulary import CATEGORY_CODES, LANGUAGE_CODES, REGION_CODES
from meetings.support import operations as ops
from meetings.support import states, vocabulary
from meetings.support.labels import reason_label

blp = Blueprint("support_api", __name__, url_prefix="/api/v1",
                description="Asylum capacity support: requests, offers, matches with transparent scores, pledges")


ERRORS = {401: "No login session and no private token", 403: "This account or token may not do this",
          404: "Unknown, or not visible to this reader", 409: "Not possible in the current state",
          429: "Too many entries waiting for confirmation"}


def errors(*codes: int):
    """Document the error answers an endpoint can give (always the one error shape)."""
    def decorator(function):
        for code in codes:
            function = blp.alt_response(code, schema=ErrorSchema, description=ERRORS[code])(function)
        return function
    return decorator


LANGUAGES = {"type": "array", "minItems": 1, "maxItems": vocabulary.MAX_WORKING_LANGUAGES,
             "description": "ISO 639-1 codes"}


def _few_languages(values: list) -> None:
    """As many codes as the document allows (``operations.parse_languages`` also drops repeated ones)."""
    if len(values) > vocabulary.MAX_WORKING_LANGUAGES:
        raise InvalidInput("too_many", _l("Give at most %(max)d working languages."), field="working_languages",
                           max=vocabulary.MAX_WORKING_LANGUAGES)


class EntryInSchema(ma.Schema):
    """A new offer with its organization and contact (the document states the rules it must pass)."""

    organization = fields.String(required=True, metadata=text_rule(rules.MAX_NAME))
    category = fields.String(required=True, metadata={"description": "Stakeholder category code",
                                                      **choice_rule(CATEGORY_CODES)})
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2", **country_rule()})
    organization_region = fields.String(load_default=None, allow_none=True, validate=present(rules.check_region),
                                        metadata=choice_rule(REGION_CODES, nullable=True))
    contact_name = fields.String(required=True, metadata=text_rule(rules.MAX_NAME))
    contact_email = fields.String(required=True, metadata=email_rule())
    contact_language = fields.String(load_default="en", metadata={"description": "en, fr or es",
                                                                  **choice_rule(LANGUAGE_CODES)})
    title = fields.String(required=True, metadata=text_rule(ops.MAX_TITLE))
    area = fields.String(required=True, metadata={"description": "Area code (see the vocabulary)",
                                                  **choice_rule(vocabulary.AREA_CODES)})
    kind = fields.String(required=True, metadata=choice_rule(vocabulary.KIND_CODES))
    working_languages = fields.List(fields.String(metadata=choice_rule(vocabulary.language_names())),
                                    required=True, validate=_few_languages, metadata=LANGUAGES)
    region = fields.String(load_default=None, allow_none=True, validate=present(rules.check_region),
                           metadata={"description": "null: any region", **choice_rule(REGION_CODES, nullable=True)})
    period_from = fields.Date(load_default=None, allow_none=True)
    period_to = fields.Date(load_default=None, allow_none=True, metadata={"description": "On or after period_from"})
    description = fields.String(load_default="", metadata=text_rule(ops.MAX_DESCRIPTION, required=False))
    text_language = fields.String(load_default="en", metadata={"description": "Language of title and description",
                                                               **choice_rule(LANGUAGE_CODES)})
    with_pledge = StrictBoolean(load_default=False)


class RequestInSchema(EntryInSchema):
    """A new request: only States request support."""

    category = fields.String(required=True, metadata={
        "description": "Stakeholder category code: a State's (national_asylum_authority or permanent_mission)",
        **choice_rule(vocabulary.STATE_CATEGORIES)})


class EntryPatchSchema(ma.Schema):
    """Changes to a request or offer (fields left out keep their value)."""

    title = fields.String(metadata=text_rule(ops.MAX_TITLE))
    area = fields.String(metadata=choice_rule(vocabulary.AREA_CODES))
    kind = fields.String(metadata=choice_rule(vocabulary.KIND_CODES))
    working_languages = fields.List(fields.String(metadata=choice_rule(vocabulary.language_names())),
                                    validate=_few_languages, metadata=LANGUAGES)
    region = fields.String(allow_none=True, validate=present(rules.check_region),
                           metadata=choice_rule(REGION_CODES, nullable=True))
    period_from = fields.Date(allow_none=True)
    period_to = fields.Date(allow_none=True, metadata={"description": "On or after period_from"})
    description = fields.String(metadata=text_rule(ops.MAX_DESCRIPTION, required=False))
    text_language = fields.String(metadata=choice_rule(LANGUAGE_CODES))
    with_pledge = StrictBoolean()
    status = fields.String(validate=validate.OneOf(("open", "closed")),
                           metadata={"description": "\"closed\" closes it; \"open\" confirms it (contact)"})


class EntryOrganizationSchema(ma.Schema):
    """The organization a request or offer is from."""

    id = fields.Integer()
    name = fields.String()
    category = fields.String()
    country = fields.String()


class EntrySchema(ma.Schema):
    """A request or offer as its contact and the secretariat see it."""

    id = fields.Integer()
    side = fields.String()
    status = fields.String()
    organization = fields.Nested(EntryOrganizationSchema)
    contact = fields.Function(lambda e: {"name": e.contact_name, "email": e.contact_email,
                                         "language": e.contact_language}, metadata={"type": "object"})
    title = fields.String()
    description = fields.String()
    text_language = fields.String()
    area = fields.String()
    kind = fields.String()
    working_languages = fields.List(fields.String())
    region = fields.String(allow_none=True)
    period_from = fields.Date(allow_none=True)
    period_to = fields.Date(allow_none=True)
    with_pledge = StrictBoolean()
    created_at = fields.DateTime()


class ReasonSchema(ma.Schema):
    """One reason of a score (a scoring.Reason or its stored form): its code, points and the sentence shown."""

    code = fields.String()
    points = fields.Integer()
    text = fields.Function(reason_label, metadata={"type": "string"})


class CandidateSchema(ma.Schema):
    """A candidate offer, its score and the reasons that make it."""

    offer = fields.Nested(EntrySchema)
    score = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonSchema))


class MatchInSchema(ma.Schema):
    """The secretariat proposes an offer for a request."""

    request_id = fields.Integer(required=True)
    offer_id = fields.Integer(required=True)
    note = fields.String(load_default="", metadata=text_rule(ops.MAX_OUTCOME, required=False))


class TransitionInSchema(ma.Schema):
    """A status change: accept/decline (parties), start/complete (anyone of the match), withdraw/close."""

    action = fields.String(required=True, metadata={"description": ", ".join(states.TRANSITIONS) + ", consent",
                                                    **choice_rule([*states.TRANSITIONS, "consent"])})
    outcome = fields.String(load_default="", metadata=text_rule(ops.MAX_OUTCOME, required=False))
    consent = StrictBoolean(load_default=None, allow_none=True,
                             metadata={"description": "Parties: may the match be shown publicly"})


class PublicMatchSchema(ma.Schema):
    """What anyone may read of a match both parties agreed to show."""

    id = fields.Integer()
    status = fields.String()
    area = fields.String(attribute="request.area")
    kind = fields.String(attribute="offer.kind")
    region = fields.String(attribute="request.region", allow_none=True)
    requester = fields.String(attribute="request.organization.name",
                              metadata={"description": "Requesting organization"})
    offerer = fields.String(attribute="offer.organization.name", metadata={"description": "Offering organization"})
    agreed_at = fields.DateTime(allow_none=True)


def _match_dates(match) -> dict:
    return {name: getattr(match, f"{name}_at") and getattr(match, f"{name}_at").isoformat()
            for name in ("proposed", "agreed", "started", "completed", "ended")}


class MatchSchema(PublicMatchSchema):
    """A match; public readers get only area, kind, region, organizations, status and dates."""

    request_id = fields.Integer()
    offer_id = fields.Integer()
    score = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonSchema))
    responses = fields.Function(lambda m: {"requester": m.requester_response, "offerer": m.offerer_response},
                                metadata={"type": "object"})
    consents = fields.Function(lambda m: {"requester": m.requester_consent, "offerer": m.offerer_consent},
                               metadata={"type": "object"})
    dates = fields.Function(_match_dates, metadata={"type": "object"})
    outcome = fields.String()


class PledgeInSchema(ma.Schema):
    """A pledge and its follow-up."""

    title = fields.String(required=True, metadata=text_rule(ops.MAX_TITLE))
    organization_id = fields.Integer(required=True)
    area = fields.String(required=True, metadata=choice_rule(vocabulary.AREA_CODES))
    kind = fields.String(required=True, metadata=choice_rule(vocabulary.KIND_CODES))
    grf_edition = fields.String(required=True, metadata={"description": "GRF 2019, GRF 2023, GRF 2027...",
                                                         **choice_rule(vocabulary.GRF_EDITIONS)})
    status = fields.String(load_default="announced", metadata=choice_rule(vocabulary.PLEDGE_STATUS_CODES))
    region = fields.String(load_default=None, allow_none=True, validate=present(rules.check_region),
                           metadata=choice_rule(REGION_CODES, nullable=True))
    forum = fields.String(load_default="", metadata=text_rule(ops.MAX_FORUM, required=False))
    public_consent = StrictBoolean(load_default=False)
    request_ids = fields.List(fields.Integer(), load_default=list)


class PledgePatchSchema(ma.Schema):
    """Changes to a pledge (fields left out keep their value)."""

    title = fields.String(metadata=text_rule(ops.MAX_TITLE))
    organization_id = fields.Integer()
    area = fields.String(metadata=choice_rule(vocabulary.AREA_CODES))
    kind = fields.String(metadata=choice_rule(vocabulary.KIND_CODES))
    grf_edition = fields.String(metadata=choice_rule(vocabulary.GRF_EDITIONS))
    status = fields.String(metadata=choice_rule(vocabulary.PLEDGE_STATUS_CODES))
    region = fields.String(allow_none=True, validate=present(rules.check_region),
                           metadata=choice_rule(REGION_CODES, nullable=True))
    forum = fields.String(metadata=text_rule(ops.MAX_FORUM, required=False))
    public_consent = StrictBoolean()
    request_ids = fields.List(fields.Integer())


class PledgeSchema(ma.Schema):
    """A pledge (public readers: only fulfilled pledges the entity agreed to show)."""

    id = fields.Integer()
    title = fields.String()
    organization = fields.String(attribute="organization.name")
    area = fields.String()
    kind = fields.String()
    region = fields.String(allow_none=True)
    grf_edition = fields.String()
    status = fields.String()
    forum = fields.String()
    request_ids = fields.Function(lambda p: [r.id for r in p.requests],
                                  metadata={"type": "array", "items": {"type": "integer"}})
    public_consent = StrictBoolean()


def _is_secretariat() -> bool:
    actor = current_actor()
    return actor is not None and actor.role == states.SECRETARIAT


def _require_secretariat():
    """The secretariat account acting; 401 without a login session, 403 for another account."""
    actor = current_actor()
    if actor is None:
        abort(401)
    if actor.role != states.SECRETARIAT:
        abort(403)
    return actor


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _entry_for_reader(entry_id: int, side: str):
    """The entry for the secretariat or the holder of its token; 401 without either, 404 for a wrong token."""
    db = get_db()
    token = _bearer()
    if token is not None:
        entry = ops.entry_by_token(db, token)
        if entry.id != entry_id or entry.side != side:
            abort(404)
        return entry, None
    actor = _require_secretariat()
    return ops.get_entry(db, entry_id, side=side), actor


def _entry_input(data: dict, side: str) -> ops.EntryInput:
    return ops.EntryInput(side=side, **{k: v for k, v in data.items()})


def _patched(entry, data: dict) -> ops.EntryInput:
    current = {name: getattr(entry, name) for name in ("title", "area", "kind", "region", "period_from",
                                                       "period_to", "description", "text_language", "with_pledge")}
    current["working_languages"] = tuple(entry.working_languages)
    current.update({k: v for k, v in data.items() if k != "status"})
    return ops.EntryInput(side=entry.side, **current)


def _collection(side: str):
    class Collection(MethodView):
        @errors(401, 403)
        @blp.response(200, EntrySchema(many=True))
        def get(self):
            """Every request or offer (secretariat only)."""
            _require_secretariat()
            return ops.list_entries(get_db(), side)

        @blp.arguments(RequestInSchema if side == "request" else EntryInSchema)
        @errors(429)
        @blp.response(201, EntrySchema)
        def post(self, data: dict):
            """Enter one: by the secretariat (open at once) or anyone (waits for the contact's confirmation).

            The private link is e-mailed to the contact; it is never in the answer.
            """
            db = get_db()
            actor = current_actor() if _is_secretariat() else None
            entry, _token = ops.create_entry(db, _entry_input(data, side), utcnow(), actor=actor,
                                             client=request.remote_addr)
            db.commit()
            return entry, 201

    Collection.__name__ = f"Support{side.title()}s"
    return Collection


def _item(side: str):
    class Item(MethodView):
        @errors(401, 403, 404)
        @blp.response(200, EntrySchema)
        def get(self, entry_id: int):
            """One request or offer (secretariat, or its contact with ``Authorization: Bearer <token>``)."""
            entry, _actor = _entry_for_reader(entry_id, side)
            return entry

        @blp.arguments(EntryPatchSchema)
        @errors(401, 403, 404, 409)
        @blp.response(200, EntrySchema)
        def patch(self, data: dict, entry_id: int):
            """Change, confirm (``status: open``) or close (``status: closed``) a request or offer."""
            db = get_db()
            entry, actor = _entry_for_reader(entry_id, side)
            now = utcnow()
            if set(data) - {"status"}:
                ops.update_entry(db, entry, _patched(entry, data), now, actor=actor)
            if data.get("status") == "closed":
                ops.close_entry(db, entry, now, actor=actor)
            elif data.get("status") == "open":
                ops.confirm_entry(db, entry, now)
            db.commit()
            return entry

    Item.__name__ = f"Support{side.title()}"
    return Item


blp.route("/support-requests")(_collection("request"))
blp.route("/support-offers")(_collection("offer"))
blp.route("/support-requests/<int:entry_id>")(_item("request"))
blp.route("/support-offers/<int:entry_id>")(_item("offer"))


@blp.route("/support-requests/<int:entry_id>/candidates")
class SupportCandidates(MethodView):
    @errors(401, 403, 404)
    @blp.response(200, CandidateSchema(many=True))
    def get(self, entry_id: int):
        """Candidate offers of an open request, best first, each with the reasons of its score (secretariat)."""
        _require_secretariat()
        db = get_db()
        return ops.candidates_for(db, ops.get_entry(db, entry_id, side="request"))


@blp.route("/matches")
class Matches(MethodView):
    @blp.response(200, MatchSchema(many=True))
    def get(self):
        """Matches: every one for the secretariat; otherwise only those both parties agreed to show."""
        db = get_db()
        if _is_secretariat():
            return ops.list_matches(db, request.args.get("status"))
        return jsonify(PublicMatchSchema(many=True).dump(ops.public_matches(db)))

    @blp.arguments(MatchInSchema)
    @errors(401, 403, 404, 409)
    @blp.response(201, MatchSchema)
    def post(self, data: dict):
        """Propose an offer for a request (secretariat); both parties get their answer link by e-mail."""
        actor = _require_secretariat()
        db = get_db()
        match = ops.propose_match(db, ops.get_entry(db, data["request_id"], side="request"),
                                  ops.get_entry(db, data["offer_id"], side="offer"), actor, utcnow(),
                                  note=data["note"])
        db.commit()
        return match, 201


def _match_for_actor(match_id: int):
    """(match, role): a party by its token, the secretariat by its session; 401 otherwise."""
    db = get_db()
    token = _bearer()
    if token is not None:
        match, role = ops.match_by_token(db, token)
        if match.id != match_id:
            abort(404)
        return match, role
    _require_secretariat()
    return ops.get_match(db, match_id), states.SECRETARIAT


@blp.route("/matches/<int:match_id>")
class Match(MethodView):
    @errors(404)
    @blp.response(200, MatchSchema)
    def get(self, match_id: int):
        """One match: in full for the secretariat and its parties; public fields only if both consented."""
        db = get_db()
        if _bearer() is not None or _is_secretariat():
            match, _role = _match_for_actor(match_id)
            return match
        match = ops.get_match(db, match_id)
        if not match.public:
            abort(404)
        return jsonify(PublicMatchSchema().dump(match))


@blp.route("/matches/<int:match_id>/transitions")
class MatchTransitions(MethodView):
    @blp.arguments(TransitionInSchema)
    @errors(401, 403, 404, 409)
    @blp.response(200, MatchSchema)
    def post(self, data: dict, match_id: int):
        """Move the match (the state machine decides who may) or, for a party, give or take back consent."""
        db = get_db()
        match, role = _match_for_actor(match_id)
        actor = current_actor() if role == states.SECRETARIAT else None
        if data["action"] == "consent":
            ops.set_consent(db, match, role, bool(data["consent"]), utcnow())
        else:
            ops.change_match(db, match, role, data["action"], utcnow(), outcome=data["outcome"],
                             consent=data["consent"], actor=actor)
        db.commit()
        return match


@blp.route("/pledges")
class Pledges(MethodView):
    @blp.response(200, PledgeSchema(many=True))
    def get(self):
        """Pledges: every one for the secretariat; otherwise fulfilled ones their entity agreed to show."""
        db = get_db()
        return ops.list_pledges(db) if _is_secretariat() else ops.public_pledges(db)

    @blp.arguments(PledgeInSchema)
    @errors(401, 403)
    @blp.response(201, PledgeSchema)
    def post(self, data: dict):
        """Record a pledge (secretariat)."""
        actor = _require_secretariat()
        db = get_db()
        data["request_ids"] = tuple(data["request_ids"])
        pledge = ops.record_pledge(db, ops.PledgeInput(**data), actor, utcnow())
        db.commit()
        return pledge, 201


@blp.route("/pledges/<int:pledge_id>")
class Pledge(MethodView):
    @errors(404)
    @blp.response(200, PledgeSchema)
    def get(self, pledge_id: int):
        """One pledge (public only when fulfilled and its entity agreed)."""
        pledge = ops.get_pledge(get_db(), pledge_id)
        if not _is_secretariat() and not (pledge.public_consent and pledge.status == "fulfilled"):
            abort(404)
        return pledge

    @blp.arguments(PledgePatchSchema)
    @errors(401, 403, 404)
    @blp.response(200, PledgeSchema)
    def patch(self, data: dict, pledge_id: int):
        """Follow a pledge up: status, forum, requests, consent (fields left out keep their value)."""
        actor = _require_secretariat()
        db = get_db()
        pledge = ops.get_pledge(db, pledge_id)
        current = {"title": pledge.title, "organization_id": pledge.organization_id, "area": pledge.area,
                   "kind": pledge.kind, "grf_edition": pledge.grf_edition, "status": pledge.status,
                   "region": pledge.region, "forum": pledge.forum, "public_consent": pledge.public_consent,
                   "request_ids": tuple(r.id for r in pledge.requests)}
        current.update({k: tuple(v) if k == "request_ids" else v for k, v in data.items()})
        ops.record_pledge(db, ops.PledgeInput(**current), actor, utcnow(), pledge)
        db.commit()
        return pledge
