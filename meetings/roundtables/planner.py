"""The twin-session planner offered for a roundtable, over the zones of its workstream's organizations."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from meetings.organizations.models import Organization, WorkstreamInterest
from meetings.organizations.zones import organization_zone
from meetings.planning.operations import PlanInputs, plan_twin_sessions
from meetings.roundtables.models import Roundtable
from scheduler.participants import Participant, member_state_participants
from scheduler.result import PlanResult


def planner_participants(db: Session, roundtable: Roundtable) -> tuple[tuple[Participant, ...], str]:
    """The organizations signed up to the roundtable's workstream (one each, at their country's zone).

    Without any, the member States of the regions the roundtable concerns. Returns (participants, source)
    with source "workstream" or "regions".
    """
    rows = db.execute(
        sa.select(Organization.name, Organization.country, Organization.region)
        .join(WorkstreamInterest, WorkstreamInterest.organization_id == Organization.id)
        .where(WorkstreamInterest.workstream_id == roundtable.workstream_id).order_by(Organization.id)
    ).all()
    participants = []
    for name, country, region in rows:
        zone, capital_region = organization_zone(country)
        if zone:
            participants.append(Participant(zone=zone, weight=1, label=name, region=region or capital_region,
                                            country=country))
    if participants:
        return tuple(participants), "workstream"
    return tuple(p for p in member_state_participants() if p.region in roundtable.regions), "regions"


def suggest_sessions(db: Session, roundtable: Roundtable, day: date, duration_minutes: int,
                     reference_zone: str) -> tuple[PlanResult, str]:
    """The planner's twin sessions for ``day`` (localized 422 on bad input) and the participants' source."""
    participants, source = planner_participants(db, roundtable)
    result = plan_twin_sessions(PlanInputs(date=day, duration_minutes=duration_minutes,
                                           participants=participants, reference_zone=reference_zone))
    return result, source
