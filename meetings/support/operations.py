"""Verb-named operations on support requests, offers, matches and pledges. Flush, never commit.

Every status change of a match goes through :func:`change_match`, which asks
:mod:`meetings.support.states` whether the actor may make it, stamps the date of the new state,
keeps the request and the offer in step, audits secretariat actions and queues the e-mails.
Private links are random (32 bytes); only their SHA-256 digests are stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.core import rules
from meetings.core.audit import record_action
from meetings.core.errors import REQUIRED, Conflict, DomainError, FieldChecks, Forbidden, InvalidInput, NotFound
from meetings.organizations.models import Organization
from meetings.organizations.operations import find_or_create_organization
from meetings.support import messages, scoring, states, textmatch
from meetings.support.labels import match_status_label
from meetings.support.models import Pledge, SupportEntry, SupportMatch
from meetings.support.vocabulary import (
    AREA_CODES,
    GRF_EDITIONS,
    KIND_CODES,
    MAX_WORKING_LANGUAGES,
    PLEDGE_STATUS_CODES,
    SIDE_CODES,
    STATE_CATEGORIES,
    language_names,
)

MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_OUTCOME = 2000
MAX_FORUM = 200
MAX_LIST = 500
UNCONFIRMED_PER_DAY = 5
ANONYMOUS_PER_CLIENT_PER_DAY = 20
FORBIDDEN = _l("You are not allowed to do this.")


class TooMany(DomainError):
    """Too many entries waiting for confirmation at this address (429)."""

    status = 429


def digest(token: str) -> str:
    """Private links are stored as SHA-256 digests."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh private link token (32 random bytes) and its digest."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


@dataclass(frozen=True)
class EntryInput:
    """What a contact or the secretariat writes about a request or an offer (typed, not yet validated)."""

    side: str
    area: str
    kind: str
    title: str
    description: str = ""
    text_language: str = "en"
    working_languages: tuple[str, ...] = ()
    region: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    with_pledge: bool = False
    organization: str = ""
    category: str = ""
    country: str = ""
    organization_region: str | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_language: str = "en"


def _code(value: str | None, allowed: Sequence[str], field_name: str) -> str:
    if value not in allowed:
        raise InvalidInput("unknown_choice", _l("Choose from the list."), field=field_name)
    return value


def parse_languages(values: Sequence[str] | str) -> list[str]:
    """ISO 639-1 codes (two letters), from a list or text separated by commas or spaces; at least one."""
    raw = re.split(r"[\s,;]+", values) if isinstance(values, str) else list(values or ())
    codes: list[str] = []
    for value in raw:
        code = str(value).strip().lower()
        if not code or code in codes:
            continue
        if code not in language_names():
            raise InvalidInput("unknown_language", _l("“%(value)s” is not a two-letter ISO 639-1 language code."),
                               field="working_languages", value=code[:10])
        codes.append(code)
    if not codes:
        raise InvalidInput("required", _l("Give at least one working language."), field="working_languages")
    if len(codes) > MAX_WORKING_LANGUAGES:
        raise InvalidInput("too_many", _l("Give at most %(max)d working languages."), field="working_languages",
                           max=MAX_WORKING_LANGUAGES)
    return codes


def _period(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if start and end and end < start:
        raise InvalidInput("period_order", _l("A period must end on or after the day it starts."),
                           field="period_to")
    return start, end


def clean_entry(data: EntryInput, *, with_contact: bool) -> dict:
    """Every field checked (all errors at once, as InvalidFields); the values to store."""
    checks = FieldChecks()
    values = {
        "side": checks.check(_code, data.side, SIDE_CODES, "side"),
        "area": checks.check(_code, data.area, AREA_CODES, "area"),
        "kind": checks.check(_code, data.kind, KIND_CODES, "kind"),
        "title": checks.check(rules.require_text, data.title, "title", MAX_TITLE),
        "description": checks.check(rules.limit_text, data.description, "description", MAX_DESCRIPTION),
        "text_language": checks.check(rules.check_language, data.text_language, "text_language"),
        "working_languages": checks.check(parse_languages, data.working_languages),
        "region": checks.check(rules.check_region, data.region),
        "period": checks.check(_period, data.period_from, data.period_to),
        "with_pledge": bool(data.with_pledge),
    }
    if with_contact:
        values.update({
            "organization": checks.check(rules.require_text, data.organization, "organization", rules.MAX_NAME),
            "category": checks.check(rules.check_category, data.category),
            "country": checks.check(rules.check_country, data.country),
            "organization_region": checks.check(rules.check_region, data.organization_region),
            "contact_name": checks.check(rules.require_text, data.contact_name, "contact_name", rules.MAX_NAME),
            "contact_email": checks.check(rules.check_email, data.contact_email, "contact_email"),
            "contact_language": checks.check(rules.check_language, data.contact_language, "contact_language"),
        })
    checks.raise_errors()
    return values


def is_state(category: str) -> bool:
    """Whether an organization of ``category`` speaks for a State (and so may request support)."""
    return category in STATE_CATEGORIES


def _check_requester(side: str, category: str) -> None:
    if side == "request" and not is_state(category):
        raise InvalidInput("states_request", _l("Only States (a national asylum authority or a permanent mission) "
                                                "request support; other stakeholders can offer it."),
                           field="category")


def _apply(entry: SupportEntry, values: dict) -> None:
    for name in ("area", "kind", "title", "description", "text_language", "working_languages", "region",
                 "with_pledge"):
        setattr(entry, name, values[name])
    entry.period_from, entry.period_to = values["period"]


def create_entry(db: Session, data: EntryInput, now: datetime, actor=None,
                 client: str | None = None) -> tuple[SupportEntry, str]:
    """A new request or offer and its private link, e-mailed to the contact.

    Entered by the secretariat (``actor``) it is open at once; entered by anyone else it waits until
    the contact confirms it from the link, which proves the address. Anonymous entries are limited per
    address waiting for confirmation and per ``client`` (the caller's network address) and day.
    """
    if actor is not None and actor.role != states.SECRETARIAT:
        raise Forbidden("forbidden", FORBIDDEN)
    values = clean_entry(data, with_contact=True)
    _check_requester(values["side"], values["category"])
    client_hash = digest(client) if client and actor is None else None
    if actor is None:
        _limit_anonymous(db, values["contact_email"], client_hash, now)
    organization = find_or_create_organization(db, values["organization"], values["category"], values["country"],
                                               values["organization_region"])
    _check_requester(values["side"], organization.category)
    token, token_hash = new_token()
    entry = SupportEntry(side=values["side"], organization=organization, contact_name=values["contact_name"],
                         contact_email=values["contact_email"], contact_language=values["contact_language"],
                         status="open" if actor is not None else "unconfirmed", token_hash=token_hash,
                         entered_by_id=getattr(actor, "id", None), client_hash=client_hash, created_at=now,
                         updated_at=now)
    _apply(entry, values)
    db.add(entry)
    db.flush()
    if actor is not None:
        record_action(db, actor, f"support.{entry.side}_entered", "support_entry", entry.id, now,
                      organization=organization.name, area=entry.area, kind=entry.kind)
    messages.send_entry_link(db, entry, token, now)
    return entry, token


def _limit_anonymous(db: Session, email: str, client_hash: str | None, now: datetime) -> None:
    since = now - timedelta(days=1)
    count = sa.select(sa.func.count()).select_from(SupportEntry).where(SupportEntry.created_at >= since)
    waiting = db.scalar(count.where(SupportEntry.contact_email == email, SupportEntry.status == "unconfirmed"))
    from_client = db.scalar(count.where(SupportEntry.client_hash == client_hash)) if client_hash else 0
    if from_client >= ANONYMOUS_PER_CLIENT_PER_DAY:
        raise TooMany("too_many_entries", _l("Too many attempts. Please wait a moment and try again."))
    if waiting >= UNCONFIRMED_PER_DAY:
        raise TooMany("too_many_unconfirmed", _l("Several entries from this address are waiting for "
                                                 "confirmation. Use the links we e-mailed, or try again "
                                                 "tomorrow."))


def entry_by_token(db: Session, token: str) -> SupportEntry:
    """The request or offer behind a private link, or a localized 404."""
    entry = None
    if token and len(token) <= 64:
        entry = db.scalar(sa.select(SupportEntry).where(SupportEntry.token_hash == digest(token)))
    if entry is None:
        raise NotFound("unknown_token", _l("This link is not valid. Use the link from your e-mail."))
    return entry


def get_entry(db: Session, entry_id: int, side: str | None = None) -> SupportEntry:
    """A request or offer by id (of ``side`` if given), or a localized 404."""
    entry = db.get(SupportEntry, entry_id)
    if entry is None or (side is not None and entry.side != side):
        raise NotFound("unknown_entry", _l("This request or offer does not exist."))
    return entry


def confirm_entry(db: Session, entry: SupportEntry, now: datetime) -> SupportEntry:
    """The contact confirms an entry from the link: it opens (confirming twice changes nothing)."""
    if entry.status == "unconfirmed":
        entry.status = "open"
        entry.updated_at = now
        db.flush()
    return entry


def update_entry(db: Session, entry: SupportEntry, data: EntryInput, now: datetime, actor=None) -> SupportEntry:
    """Change what a request or offer says (not its organization or contact); not once closed."""
    if entry.status == "closed":
        raise Conflict("entry_closed", _l("This request or offer is closed."))
    values = clean_entry(data, with_contact=False)
    if values["side"] != entry.side:
        raise InvalidInput("unknown_choice", _l("Choose from the list."), field="side")
    _apply(entry, values)
    entry.updated_at = now
    db.flush()
    if actor is not None:
        record_action(db, actor, "support.entry_updated", "support_entry", entry.id, now)
    return entry


def close_entry(db: Session, entry: SupportEntry, now: datetime, actor=None) -> SupportEntry:
    """Close a request or offer (it leaves the candidates and the gap); proposed matches are withdrawn."""
    if entry.status != "closed":
        for match in _matches_of(db, entry):
            if match.status == "proposed":
                _move(match, "withdrawn", now)
        entry.status = "closed"
        entry.updated_at = now
        db.flush()
        if actor is not None:
            record_action(db, actor, "support.entry_closed", "support_entry", entry.id, now)
    return entry


def list_entries(db: Session, side: str, *, status: str | None = None, area: str | None = None,
                 region: str | None = None) -> list[SupportEntry]:
    """Requests or offers (newest first), optionally of one status, area or region.

    Entries still waiting for their contact's confirmation are left out unless asked for by status.
    """
    query = sa.select(SupportEntry).where(SupportEntry.side == side)
    if status:
        query = query.where(SupportEntry.status == status)
    else:
        query = query.where(SupportEntry.status != "unconfirmed")
    if area:
        query = query.where(SupportEntry.area == area)
    if region:
        query = query.where(SupportEntry.region == region)
    return list(db.scalars(query.order_by(SupportEntry.created_at.desc(), SupportEntry.id.desc()).limit(MAX_LIST)))


def profile(entry: SupportEntry) -> scoring.Profile:
    """What the score reads from an entry."""
    return scoring.Profile(key=entry.id, area=entry.area, kind=entry.kind,
                           languages=tuple(entry.working_languages or ()), region=entry.region,
                           period_from=entry.period_from, period_to=entry.period_to,
                           texts=(entry.title, entry.description), organization=entry.organization_id)


@dataclass(frozen=True)
class CandidateOffer:
    """An offer ranked for a request, with its reasons."""

    offer: SupportEntry
    score: int
    reasons: tuple[scoring.Reason, ...]


def candidates_for(db: Session, request: SupportEntry, limit: int = 20) -> list[CandidateOffer]:
    """Open offers ranked for an open request, with the reasons of each score; already proposed ones left out."""
    if request.side != "request":
        raise NotFound("unknown_entry", _l("This request or offer does not exist."))
    proposed = set(db.scalars(sa.select(SupportMatch.offer_id).where(SupportMatch.request_id == request.id)))
    offers = [o for o in db.scalars(sa.select(SupportEntry).where(
        SupportEntry.side == "offer", SupportEntry.status.in_(("open", "matched"))).order_by(SupportEntry.id)
        .limit(MAX_LIST)) if o.id not in proposed]
    by_id = {o.id: o for o in offers}
    ranked = scoring.rank_offers(profile(request), [profile(o) for o in offers], textmatch.similarity_scores,
                                 limit=limit)
    return [CandidateOffer(by_id[c.key], c.score, c.reasons) for c in ranked]


def _matches_of(db: Session, entry: SupportEntry) -> list[SupportMatch]:
    column = SupportMatch.request_id if entry.side == "request" else SupportMatch.offer_id
    return list(db.scalars(sa.select(SupportMatch).where(column == entry.id).order_by(SupportMatch.id)))


def matches_of(db: Session, entry: SupportEntry) -> list[SupportMatch]:
    """The matches a request or an offer is part of, oldest first."""
    return _matches_of(db, entry)


def propose_match(db: Session, request: SupportEntry, offer: SupportEntry, actor, now: datetime,
                  note: str = "") -> SupportMatch:
    """The secretariat proposes an offer for a request; each party gets its own answer link by e-mail."""
    if getattr(actor, "role", None) != states.SECRETARIAT:
        raise Forbidden("forbidden", FORBIDDEN)
    if request.side != "request" or offer.side != "offer":
        raise InvalidInput("wrong_sides", _l("A match joins a request and an offer."), field="offer_id")
    if request.status != "open" or offer.status not in ("open", "matched"):
        raise Conflict("not_open", _l("Only open requests and offers can be matched."))
    if request.organization_id == offer.organization_id:
        raise Conflict("same_organization", _l("An organization cannot be matched with itself."))
    if db.scalar(sa.select(SupportMatch.id).where(SupportMatch.request_id == request.id,
                                                  SupportMatch.offer_id == offer.id)) is not None:
        raise Conflict("already_proposed", _l("This offer was already proposed for this request."))
    note = rules.limit_text(note, "note", MAX_OUTCOME)
    scored = {c.offer.id: c for c in candidates_for(db, request, limit=MAX_LIST)}
    candidate = scored.get(offer.id)
    reasons = candidate.reasons if candidate else scoring.reasons_for(profile(request), profile(offer), 0.0)
    requester_token, requester_hash = new_token()
    offerer_token, offerer_hash = new_token()
    match = SupportMatch(request=request, offer=offer, status="proposed",
                         score=sum(r.points for r in reasons), reasons=[r.to_document() for r in reasons],
                         note=note, requester_token_hash=requester_hash, offerer_token_hash=offerer_hash,
                         proposed_by_id=actor.id, proposed_at=now, updated_at=now)
    db.add(match)
    db.flush()
    record_action(db, actor, "support.match_proposed", "support_match", match.id, now, request_id=request.id,
                  offer_id=offer.id, score=match.score)
    messages.send_match_proposed(db, match, states.REQUESTER, requester_token, now)
    messages.send_match_proposed(db, match, states.OFFERER, offerer_token, now)
    return match


def match_by_token(db: Session, token: str) -> tuple[SupportMatch, str]:
    """The match behind a party's answer link and that party's role, or a localized 404."""
    if token and len(token) <= 64:
        hashed = digest(token)
        match = db.scalar(sa.select(SupportMatch).where(sa.or_(SupportMatch.requester_token_hash == hashed,
                                                               SupportMatch.offerer_token_hash == hashed)))
        if match is not None:
            return match, states.REQUESTER if match.requester_token_hash == hashed else states.OFFERER
    raise NotFound("unknown_token", _l("This link is not valid. Use the link from your e-mail."))


def get_match(db: Session, match_id: int) -> SupportMatch:
    """A match by id, or a localized 404."""
    match = db.get(SupportMatch, match_id)
    if match is None:
        raise NotFound("unknown_match", _l("This match does not exist."))
    return match


def _move(match: SupportMatch, target: str, now: datetime) -> None:
    match.status = target
    match.updated_at = now
    column = states.DATE_COLUMNS.get(target)
    if column:
        setattr(match, column, now)


def _sync_entries(db: Session, match: SupportMatch, now: datetime) -> None:
    """A request or offer is 'matched' while it has an agreed match, 'open' again when none is left."""
    for entry in (match.request, match.offer):
        if entry.status == "closed":
            continue
        engaged = any(m.status in ("agreed", "under_way", "completed", "closed") for m in _matches_of(db, entry))
        wanted = "matched" if engaged else "open"
        if entry.status in ("open", "matched") and entry.status != wanted:
            entry.status = wanted
            entry.updated_at = now


def change_match(db: Session, match: SupportMatch, role: str, action: str, now: datetime, *,
                 outcome: str = "", consent: bool | None = None, actor=None) -> SupportMatch:
    """The one place a match's status changes: permission, answer, date, entries, audit, e-mails."""
    if role == states.SECRETARIAT and getattr(actor, "role", None) != states.SECRETARIAT:
        raise Forbidden("forbidden", FORBIDDEN)
    if not states.permitted(action, match.status, role):
        if states.allowed_somewhere(action, role):
            raise Conflict("wrong_status", _l("This is not possible while the match is “%(state)s”."),
                           state=match_status_label(match.status))
        raise Forbidden("forbidden", FORBIDDEN)
    transition = states.TRANSITIONS[action]
    outcome = rules.limit_text(outcome, "outcome", MAX_OUTCOME)
    if transition.outcome_required and not outcome:
        raise InvalidInput("outcome_required", _l("Describe the outcome in a few words."), field="outcome")
    previous = match.status
    if action in ("accept", "decline"):
        response = "accepted" if action == "accept" else "declined"
        if getattr(match, f"{role}_response") == response:
            return match
        setattr(match, f"{role}_response", response)
        if consent is not None:
            setattr(match, f"{role}_consent", bool(consent))
    target = states.next_status(action, match.status, {p: getattr(match, f"{p}_response") for p in states.PARTIES},
                                role)
    if outcome:
        match.outcome = outcome
    match.updated_at = now
    if target != previous:
        _move(match, target, now)
    db.flush()
    _sync_entries(db, match, now)
    db.flush()
    if actor is not None:
        record_action(db, actor, f"support.match_{action}", "support_match", match.id, now,
                      from_status=previous, to_status=match.status, outcome=outcome)
    if target != previous and target in ("agreed", "declined", "withdrawn"):
        messages.send_match_decided(db, match, now)
    return match


def set_consent(db: Session, match: SupportMatch, role: str, consent: bool, now: datetime) -> SupportMatch:
    """A party says whether the match may be shown on the public page (changeable at any time)."""
    if role not in states.PARTIES:
        raise Forbidden("forbidden", FORBIDDEN)
    setattr(match, f"{role}_consent", bool(consent))
    match.updated_at = now
    db.flush()
    return match


def list_matches(db: Session, status: str | None = None) -> list[SupportMatch]:
    """Every match (optionally of one status), newest first."""
    query = sa.select(SupportMatch).order_by(SupportMatch.proposed_at.desc(), SupportMatch.id.desc())
    if status in states.STATES:
        query = query.where(SupportMatch.status == status)
    return list(db.scalars(query.limit(MAX_LIST)))


@dataclass(frozen=True)
class GapRow:
    """Open requests and open offers of one area in one region (None: any region)."""

    area: str
    region: str | None
    requests: int
    offers: int

    @property
    def unmet(self) -> int:
        """How many more requests than offers."""
        return max(0, self.requests - self.offers)


def gap(db: Session) -> list[GapRow]:
    """Unmatched requests against open offers by area and region, the largest gap first.

    An offer open to every region counts in each region of its area.
    """
    requests = Counter((e.area, e.region) for e in db.scalars(sa.select(SupportEntry).where(
        SupportEntry.side == "request", SupportEntry.status == "open")))
    offers = Counter((e.area, e.region) for e in db.scalars(sa.select(SupportEntry).where(
        SupportEntry.side == "offer", SupportEntry.status.in_(("open", "matched")))))
    rows = []
    for (area, region), count in requests.items():
        available = offers.get((area, region), 0) + (offers.get((area, None), 0) if region is not None else 0)
        rows.append(GapRow(area, region, count, available))
    return sorted(rows, key=lambda r: (-r.unmet, -r.requests, r.area, r.region or ""))


def public_matches(db: Session, limit: int = MAX_LIST) -> list[SupportMatch]:
    """Matches both parties agreed to show, newest agreement first (nothing else ever leaves)."""
    query = (sa.select(SupportMatch).where(SupportMatch.requester_consent.is_(True),
                                           SupportMatch.offerer_consent.is_(True),
                                           SupportMatch.status.in_(("agreed", "under_way", "completed", "closed")))
             .order_by(SupportMatch.agreed_at.desc(), SupportMatch.id.desc()).limit(limit))
    return list(db.scalars(query))


def public_pledges(db: Session) -> list[Pledge]:
    """Fulfilled pledges whose pledging entity agreed to show them."""
    return list(db.scalars(sa.select(Pledge).where(Pledge.public_consent.is_(True), Pledge.status == "fulfilled")
                           .order_by(Pledge.updated_at.desc(), Pledge.id.desc()).limit(MAX_LIST)))


@dataclass(frozen=True)
class PledgeInput:
    """A pledge as the secretariat records it."""

    title: str
    organization_id: int | None
    area: str
    kind: str
    grf_edition: str
    status: str = "announced"
    region: str | None = None
    forum: str = ""
    public_consent: bool = False
    request_ids: tuple[int, ...] = ()


def _clean_pledge(db: Session, data: PledgeInput) -> dict:
    checks = FieldChecks()
    organization = db.get(Organization, data.organization_id) if data.organization_id else None
    if organization is None:
        checks.errors.append(InvalidInput("required", REQUIRED, field="organization_id"))
    requests = [db.get(SupportEntry, i) for i in dict.fromkeys(data.request_ids)]
    if any(r is None or r.side != "request" for r in requests):
        checks.errors.append(InvalidInput("unknown_choice", _l("Choose from the list."), field="request_ids"))
    values = {
        "title": checks.check(rules.require_text, data.title, "title", MAX_TITLE),
        "organization": organization,
        "area": checks.check(_code, data.area, AREA_CODES, "area"),
        "kind": checks.check(_code, data.kind, KIND_CODES, "kind"),
        "grf_edition": checks.check(_code, data.grf_edition, GRF_EDITIONS, "grf_edition"),
        "status": checks.check(_code, data.status, PLEDGE_STATUS_CODES, "status"),
        "region": checks.check(rules.check_region, data.region),
        "forum": checks.check(rules.limit_text, data.forum, "forum", MAX_FORUM),
        "public_consent": bool(data.public_consent),
        "requests": requests,
    }
    checks.raise_errors()
    return values


def record_pledge(db: Session, data: PledgeInput, actor, now: datetime, pledge: Pledge | None = None) -> Pledge:
    """Create a pledge, or change one (its follow-up status, the forum where it was reported...)."""
    if getattr(actor, "role", None) != states.SECRETARIAT:
        raise Forbidden("forbidden", FORBIDDEN)
    values = _clean_pledge(db, data)
    created = pledge is None
    if created:
        pledge = Pledge(created_at=now)
        db.add(pledge)
    for name, value in values.items():
        setattr(pledge, name, value)
    pledge.updated_at = now
    db.flush()
    record_action(db, actor, "support.pledge_recorded" if created else "support.pledge_updated", "support_pledge",
                  pledge.id, now, status=pledge.status, grf_edition=pledge.grf_edition)
    return pledge


def get_pledge(db: Session, pledge_id: int) -> Pledge:
    """A pledge by id, or a localized 404."""
    pledge = db.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound("unknown_pledge", _l("This pledge does not exist."))
    return pledge


def pledging_entities(db: Session) -> list[Organization]:
    """The organizations a pledge may name, by name."""
    return list(db.scalars(sa.select(Organization).order_by(Organization.name).limit(2000)))


def list_pledges(db: Session) -> list[Pledge]:
    """Every pledge, newest first."""
    return list(db.scalars(sa.select(Pledge).order_by(Pledge.updated_at.desc(), Pledge.id.desc()).limit(MAX_LIST)))
