"""Verb-named operations of twin-session planning. They validate, change models and flush; never commit.

The planning itself is pure (``scheduler.plan``); these functions turn the service's inputs into a
``PlanRequest`` (localized 422 on bad input), find the participants and the previous edition's
burden of a meeting, and apply a plan to sessions A and B.

Applying a plan moves sessions through :func:`meetings.sessions.operations.reschedule_session`, the
one place a session's time changes (it bumps SEQUENCE, audits and notifies registrants).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.core.audit import record_action
from meetings.core.errors import Conflict, InvalidInput
from meetings.core.vocabulary import CATEGORY_CODES, LANGUAGE_CODES
from meetings.models import GlobalMeeting, MeetingSession, Registration
from meetings.organizations.models import Organization
from meetings.planning.labels import ERROR_MESSAGES, plan_error
from meetings.sessions.operations import reschedule_session
from scheduler.comfort import parse_window
from scheduler.errors import PlanInputError
from scheduler.hours import REASONABLE_WINDOW
from scheduler.participants import Participant, member_state_participants
from scheduler.planner import DEFAULT_REFERENCE_ZONE, MAX_YEAR, MIN_YEAR, PlanRequest, plan
from scheduler.result import PlanResult
from scheduler.series import SeriesMeeting, suggest_series

MAX_PARTICIPANTS = 1000
MAX_DURATION = 720



@dataclass(frozen=True)
class PlanInputs:
    """What the page, the API and the CLI ask the planner; ``participants=None`` means the 193 member States."""

    date: date
    duration_minutes: int
    participants: tuple[Participant, ...] | None = None
    window: str = REASONABLE_WINDOW
    interpreters: str = "07:00-22:00"
    step_minutes: int = 15
    min_gap_minutes: int = 60
    same_day: bool = True
    tolerance_points: float = 0
    previous_burden: Mapping[str, float] | None = None
    reference_zone: str = DEFAULT_REFERENCE_ZONE


def _window(text: str, name: str):
    """A "HH:MM-HH:MM" window, its errors naming the input they come from."""
    try:
        return parse_window(text)
    except PlanInputError as error:
        raise PlanInputError(error.code, **{**error.params, "window": name}) from None


def plan_request(inputs: PlanInputs) -> PlanRequest:
    """The scheduler's request for ``inputs``; raise a localized InvalidInput on bad input."""
    participants = member_state_participants() if inputs.participants is None else tuple(inputs.participants)
    if len(participants) > MAX_PARTICIPANTS:
        raise InvalidInput("too_many_participants", ERROR_MESSAGES["too_many_participants"],
                           field="participants", max=MAX_PARTICIPANTS, count=len(participants))
    try:
        return PlanRequest(
            date=inputs.date,
            duration_minutes=inputs.duration_minutes,
            participants=participants,
            reference_zone=inputs.reference_zone,
            window=_window(inputs.window, "participants"),
            interpreters=_window(inputs.interpreters, "interpreters"),
            min_gap_minutes=inputs.min_gap_minutes,
            same_day=inputs.same_day,
            step_minutes=inputs.step_minutes,
            previous_burden=tuple(sorted((inputs.previous_burden or {}).items())),
            tolerance_points=inputs.tolerance_points,
        )
    except PlanInputError as error:
        raise plan_error(error) from None


def plan_twin_sessions(inputs: PlanInputs) -> PlanResult:
    """Plan sessions A and B for ``inputs`` (pure computation); localized InvalidInput on bad input."""
    request = plan_request(inputs)
    try:
        return plan(request)
    except PlanInputError as error:
        raise plan_error(error) from None


def session_a_date(meeting: GlobalMeeting) -> date | None:
    """The calendar day of session A in the meeting's reference zone (None without sessions)."""
    first = next((s for s in meeting.sessions if s.label == "A"), None) or next(iter(meeting.sessions), None)
    if first is None:
        return None
    return first.starts_at.astimezone(ZoneInfo(meeting.reference_timezone)).date()


def meeting_participants(db: Session, meeting: GlobalMeeting) -> tuple[Participant, ...]:
    """The zones of this meeting's registrations (not cancelled), weighted by their number of people.

    One participant per (time zone, region, country) of the registrations' organizations: no names.
    """
    rows = db.execute(
        sa.select(Registration.timezone, Organization.region, Organization.country, sa.func.count())
        .join(Organization, Registration.organization_id == Organization.id)
        .where(Registration.meeting_id == meeting.id, Registration.status != "cancelled")
        .group_by(Registration.timezone, Organization.region, Organization.country)
        .order_by(Registration.timezone, Organization.country)
    )
    return tuple(Participant(zone=zone, weight=int(count), region=region, country=country)
                 for zone, region, country, count in rows)


def previous_burden(db: Session, edition: str, *, exclude_id: int | None = None) -> dict[str, float] | None:
    """The per-region burden of the latest applied plan of an edition before ``edition`` (rotation)."""
    query = (sa.select(GlobalMeeting.plan_burden)
             .where(GlobalMeeting.edition < edition, GlobalMeeting.plan_burden.is_not(None))
             .order_by(GlobalMeeting.edition.desc()).limit(1))
    if exclude_id is not None:
        query = query.where(GlobalMeeting.id != exclude_id)
    burden = db.scalar(query)
    return {str(k): float(v) for k, v in burden.items()} if burden else None


def _document_sessions(document: Mapping) -> dict[str, tuple[datetime, int]]:
    """{"A": (start, minutes), "B": ...} from a plan document, or a localized 422."""
    bad = InvalidInput("bad_plan_document", _l("This plan cannot be applied: plan the sessions again."))
    sessions = document.get("sessions") if isinstance(document, Mapping) else None
    if not isinstance(sessions, list) or len(sessions) != 2:
        raise bad
    out = {}
    for item in sessions:
        try:
            start = datetime.fromisoformat(str(item["start_utc"]).replace("Z", "+00:00"))
            end = datetime.fromisoformat(str(item["end_utc"]).replace("Z", "+00:00"))
            label = item["label"]
        except (KeyError, TypeError, ValueError):
            raise bad from None
        minutes = (end - start) / timedelta(minutes=1)
        if start.tzinfo is None or label not in ("A", "B") or minutes != int(minutes) \
                or not 0 < minutes <= MAX_DURATION:
            raise bad
        out[label] = (start.astimezone(UTC), int(minutes))
    if set(out) != {"A", "B"}:
        raise bad
    return out


def apply_plan_to_sessions(db: Session, meeting: GlobalMeeting, plan_document: Mapping, actor,
                           now: datetime) -> list[MeetingSession]:
    """Give sessions A and B the plan's times; keep the plan and its burden for the next edition's rotation.

    Returns the sessions whose time changed (their SEQUENCE is bumped by :func:`reschedule_session`).
    """
    if meeting.status in ("held", "cancelled"):
        raise Conflict("meeting_not_plannable",
                       _l("This meeting was held or cancelled: its sessions can no longer be moved."))
    planned = _document_sessions(plan_document)
    by_label = {s.label: s for s in meeting.sessions}
    if set(by_label) != {"A", "B"}:
        raise Conflict("sessions_missing", _l("This meeting needs a session A and a session B."))
    changed = [by_label[label] for label in ("A", "B")
               if reschedule_session(db, by_label[label], *planned[label], actor, now)]
    meeting.duration_minutes = planned["A"][1]
    meeting.plan_document = dict(plan_document)
    meeting.plan_burden = dict(plan_document.get("burden") or {})
    record_action(db, actor, "meeting.plan_applied", "global_meeting", meeting.id, now,
                  sessions={label: start.isoformat() for label, (start, _m) in planned.items()},
                  coverage=plan_document.get("coverage"), changed=[s.label for s in changed])
    db.flush()
    return changed


def parse_blackout_dates(text: str) -> tuple[date, ...]:
    """Dates (YYYY-MM-DD) separated by commas, spaces or new lines; a localized 422 names a bad one."""
    out = []
    for token in text.replace(",", " ").split():
        try:
            out.append(date.fromisoformat(token))
        except ValueError:
            raise InvalidInput("bad_blackout_date", _l("“%(value)s” is not a date (YYYY-MM-DD)."),
                               field="blackout_dates", value=token) from None
    return tuple(sorted(set(out)))


def plan_series(db: Session, year: int, blackout_dates: Iterable[date], inputs: PlanInputs
                ) -> tuple[SeriesMeeting, SeriesMeeting]:
    """The two global meetings of ``year`` with their planned pairs (the first rotates from the last plan)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise plan_error(PlanInputError("bad_date", date=str(year)))
    if inputs.previous_burden is None:
        inputs = replace(inputs, previous_burden=previous_burden(db, f"{year}-1"))
    request = plan_request(replace(inputs, date=date(year, 1, 1)))
    try:
        return suggest_series(year, blackout_dates, request=request)
    except PlanInputError as error:
        raise plan_error(error) from None


def create_meetings_from_series(db: Session, year: int, series: Iterable[SeriesMeeting], actor,
                                now: datetime) -> list[GlobalMeeting]:
    """Create the series' meetings as drafts (editions YEAR-1 and YEAR-2) with their planned sessions."""
    created = []
    for item in series:
        edition = f"{year}-{item.half}"
        if db.scalar(sa.select(GlobalMeeting.id).where(GlobalMeeting.edition == edition)) is not None:
            raise Conflict("edition_exists", _l("A global meeting %(edition)s already exists."), edition=edition)
        document = item.plan.to_document()
        titles = {}
        for language in LANGUAGE_CODES:
            with force_locale(language):
                titles[f"title_{language}"] = str(_l("Global meeting %(edition)s", edition=edition))
        meeting = GlobalMeeting(
            edition=edition, status="draft", allowed_categories=list(CATEGORY_CODES),
            duration_minutes=item.plan.duration_minutes, reference_timezone=item.plan.reference_zone,
            plan_document=document, plan_burden=document["burden"], **titles,
        )
        for session in item.plan.sessions:
            meeting.sessions.append(MeetingSession(label=session.label, starts_at=session.start,
                                                   duration_minutes=item.plan.duration_minutes))
        db.add(meeting)
        db.flush()
        record_action(db, actor, "meeting.created_from_series", "global_meeting", meeting.id, now,
                      edition=edition, date=item.date.isoformat(),
                      sessions={s["label"]: s["start_utc"] for s in document["sessions"]})
        created.append(meeting)
    return created
