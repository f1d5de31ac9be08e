"""Targeted follow-up meetings with the parties of a request, an offer, a match or a workstream.

The parties' own zones (their organizations' countries, as for roundtables) go to the existing
twin-session planner; when one session fits every party's working hours there is one session,
otherwise twin sessions A and B at the planner's times. The meeting is an ordinary meeting open for
registration (same pages, API, invites and feeds); each party's contact is invited by e-mail.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.core import rules
from meetings.core.audit import record_action
from meetings.core.errors import InvalidInput
from meetings.core.localtime import in_zone
from meetings.core.vocabulary import CATEGORY_CODES
from meetings.models import GlobalMeeting, MeetingSession
from meetings.organizations.zones import organization_zone
from meetings.planning.operations import PlanInputs, plan_twin_sessions
from meetings.support import messages
from meetings.support.models import SupportEntry, SupportMatch
from scheduler.participants import Participant
from scheduler.result import PlanResult

MAX_PARTIES = 200


@dataclass(frozen=True)
class FollowupInput:
    """What the secretariat decides: title, day, length, reference zone, join link, seats."""

    title: str
    day: date
    duration_minutes: int
    reference_zone: str
    join_url: str
    capacity: int


def parties_of(db: Session, *, entry: SupportEntry | None = None, match: SupportMatch | None = None,
               area: str | None = None) -> list[SupportEntry]:
    """The parties: an entry and its partners, a match's two sides, an area's or the workstream's open entries."""
    if match is not None:
        return [match.request, match.offer]
    if entry is not None:
        column, other = ((SupportMatch.request_id, SupportMatch.offer_id) if entry.side == "request"
                         else (SupportMatch.offer_id, SupportMatch.request_id))
        partner_ids = db.scalars(sa.select(other).where(column == entry.id, SupportMatch.status.in_(
            ("proposed", "agreed", "under_way", "completed"))))
        return [entry, *(db.get(SupportEntry, i) for i in partner_ids)]
    query = sa.select(SupportEntry).where(SupportEntry.status.in_(("open", "matched")))
    if area is not None:
        query = query.where(SupportEntry.area == area)
    return list(db.scalars(query.order_by(SupportEntry.id).limit(MAX_PARTIES)))


def party_participants(parties: list[SupportEntry]) -> tuple[Participant, ...]:
    """One planner participant per organization, at its country's zone."""
    seen, participants = set(), []
    for party in parties:
        organization = party.organization
        if organization.id in seen:
            continue
        seen.add(organization.id)
        zone, capital_region = organization_zone(organization.country)
        if zone:
            participants.append(Participant(zone=zone, weight=1, label=organization.name,
                                            region=organization.region or capital_region,
                                            country=organization.country))
    return tuple(participants)


def sessions_needed(result: PlanResult) -> tuple[str, ...]:
    """("A",) or ("B",) when one session fits every party; ("A", "B") when their zones need both."""
    for label, side in (("A", "a"), ("B", "b")):
        if all(getattr(row, side).fits for row in result.rows):
            return (label,)
    return ("A", "B")


def plan_followup(parties: list[SupportEntry], data: FollowupInput) -> tuple[PlanResult, tuple[str, ...]]:
    """The planner's pair on the parties' zones and which of its sessions are needed."""
    result = plan_twin_sessions(PlanInputs(date=data.day, duration_minutes=data.duration_minutes,
                                           participants=party_participants(parties),
                                           reference_zone=data.reference_zone))
    return result, sessions_needed(result)


def invite_to_followup(db: Session, parties: list[SupportEntry], data: FollowupInput, actor,
                       now: datetime) -> GlobalMeeting:
    """Create the follow-up meeting (open for registration) and e-mail each party's contact."""
    if not parties:
        raise InvalidInput("no_parties", _l("There is nobody to invite."), field="title")
    title = rules.require_text(data.title, "title", 200)
    url = (data.join_url or "").strip()
    if not re.fullmatch(r"https://[\x21-\x7e]{3,490}", url):
        raise InvalidInput("bad_join_url", _l("Enter the join link as a full https:// address."), field="join_url")
    if isinstance(data.capacity, bool) or not 1 <= data.capacity <= 5000:
        raise InvalidInput("bad_capacity", _l("The number of seats must be between 1 and %(max)d."),
                           field="capacity", max=5000)
    result, needed = plan_followup(parties, data)
    starts = {s.label: s.start for s in result.sessions}
    if any(starts[label] <= now for label in needed):
        raise InvalidInput("start_past", _l("The sessions must start in the future."), field="date")
    edition = f"SF-{now:%y%m%d}-{secrets.token_hex(3)}"
    meeting = GlobalMeeting(edition=edition, status="open", conveners="UNHCR", title_en=title, title_fr=title,
                            title_es=title, allowed_categories=list(CATEGORY_CODES),
                            duration_minutes=data.duration_minutes,
                            reference_timezone=rules.check_timezone(data.reference_zone, "reference_zone"),
                            plan_document=result.to_document())
    for index, label in enumerate(needed):
        meeting.sessions.append(MeetingSession(label="AB"[index], starts_at=starts[label],
                                               duration_minutes=data.duration_minutes, capacity=data.capacity,
                                               join_url=url, floor_languages=["en", "fr", "es"]))
    db.add(meeting)
    db.flush()
    sessions = [(s, in_zone(s.starts_at, meeting.reference_timezone)) for s in meeting.sessions]
    invited = []
    for party in parties:
        if party.contact_email not in invited:
            invited.append(party.contact_email)
            messages.send_followup_invitation(db, party, meeting, sessions, now)
    record_action(db, actor, "support.followup_invited", "global_meeting", meeting.id, now,
                  parties=[p.id for p in parties], sessions=[s.label for s in meeting.sessions],
                  invited=len(invited))
    return meeting


def default_day(now: datetime) -> date:
    """Three weeks ahead: time enough to register."""
    return (now + timedelta(days=21)).date()
