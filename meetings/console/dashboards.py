"""Queries for the console, turned into plain data (codes and counts); counting itself is pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.console.interpretation import InterpretationPlan, plan_interpretation
from meetings.console.models import InterpretationBooking
from meetings.core.charts import ZoneRow
from meetings.core.errors import NotFound
from meetings.core.i18n import current_language
from meetings.core.tasks import tasks_of_meeting
from meetings.models import GlobalMeeting, MeetingSession, Registration
from meetings.organizations.models import Organization, Workstream, WorkstreamInterest

ACTIVE = ("confirmed", "waitlisted")
NOT_STATED = ""


@dataclass(frozen=True)
class RegistrationFact:
    """What the dashboards count about one registration (no personal data)."""

    id: int
    session_id: int
    session_label: str
    status: str
    category: str
    region: str
    country: str
    language: str
    spoken: str
    listening: str
    timezone: str


@dataclass(frozen=True)
class SessionPlan:
    """A session's interpretation plan and what is already booked for it."""

    session: MeetingSession
    plan: InterpretationPlan
    booked: frozenset[str]

    @property
    def stale_bookings(self) -> list[str]:
        """Booked channels that the current registrations no longer need."""
        needed = {c.key for c in self.plan.channels}
        return sorted(self.booked - needed)


def console_session(db: Session, session_id: int) -> MeetingSession:
    """A session with its meeting, or a localized 404."""
    session = db.get(MeetingSession, session_id)
    if session is None:
        raise NotFound("unknown_session", _l("This session does not exist."))
    return session


def registration_facts(db: Session, meeting: GlobalMeeting) -> list[RegistrationFact]:
    """One fact per registration of the meeting (cancelled ones included)."""
    rows = db.execute(
        sa.select(Registration.id, Registration.session_id, MeetingSession.label, Registration.status,
                  Organization.category, Organization.region, Organization.country, Registration.language,
                  Registration.spoken_language, Registration.listening_language, Registration.timezone)
        .join(MeetingSession, MeetingSession.id == Registration.session_id)
        .join(Organization, Organization.id == Registration.organization_id)
        .where(Registration.meeting_id == meeting.id).order_by(Registration.id)
    ).all()
    return [RegistrationFact(id=r[0], session_id=r[1], session_label=r[2], status=r[3], category=r[4],
                             region=r[5] or NOT_STATED, country=r[6], language=r[7],
                             spoken=r[8] or r[7], listening=r[9] or r[7], timezone=r[10]) for r in rows]


def tally(values: Iterable[str]) -> list[tuple[str, int]]:
    """(value, count) pairs, most frequent first, then by value."""
    return sorted(Counter(values).items(), key=lambda item: (-item[1], item[0]))


def meeting_counts(facts: list[RegistrationFact]) -> dict[str, list[tuple[str, int]]]:
    """Counts of the meeting's active registrations (confirmed or waitlisted) per dimension; status of all."""
    active = [f for f in facts if f.status in ACTIVE]
    return {
        "session": tally(f.session_label for f in active),
        "status": tally(f.status for f in facts),
        "category": tally(f.category for f in active),
        "region": tally(f.region for f in active),
        "country": tally(f.country for f in active),
        "language": tally(f.language for f in active),
        "spoken": tally(f.spoken for f in active),
        "listening": tally(f.listening for f in active),
        "timezone": tally(f.timezone for f in active),
    }


def session_table(facts: list[RegistrationFact], sessions: list[MeetingSession]) -> list[dict]:
    """Per session: capacity and counts per status."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for fact in facts:
        counts[fact.session_id][fact.status] += 1
    return [{"session": s, "capacity": s.capacity, "confirmed": counts[s.id]["confirmed"],
             "waitlisted": counts[s.id]["waitlisted"], "cancelled": counts[s.id]["cancelled"]} for s in sessions]


def zone_rows(facts: list[RegistrationFact], at: datetime) -> list[ZoneRow]:
    """Active registrants grouped by their zone's UTC offset at ``at``, east to west."""
    by_offset: dict[int, Counter] = defaultdict(Counter)
    for fact in facts:
        if fact.status in ACTIVE:
            offset = at.astimezone(ZoneInfo(fact.timezone)).utcoffset()
            by_offset[int(offset.total_seconds() // 60)][fact.timezone] += 1
    return [ZoneRow(offset, tuple(sorted(zones)), sum(zones.values()))
            for offset, zones in sorted(by_offset.items(), reverse=True)]


def waitlist(db: Session, meeting: GlobalMeeting) -> list[dict]:
    """The waiting list of each session, in the order seats will be given."""
    rows = db.execute(
        sa.select(Registration, MeetingSession.label, Organization.name)
        .join(MeetingSession, MeetingSession.id == Registration.session_id)
        .join(Organization, Organization.id == Registration.organization_id)
        .where(Registration.meeting_id == meeting.id, Registration.status == "waitlisted")
        .order_by(MeetingSession.label, Registration.waitlisted_at, Registration.id)
    ).all()
    positions: Counter = Counter()
    out = []
    for registration, label, organization in rows:
        positions[label] += 1
        out.append({"session": label, "position": positions[label], "name": registration.name,
                    "organization": organization, "since": registration.waitlisted_at})
    return out


def interest_counts(db: Session) -> dict[str, list[tuple[str, int]]]:
    """Workstream interest (every organization) per workstream number, category and region."""
    rows = db.execute(
        sa.select(Workstream.number, Organization.category, Organization.region)
        .select_from(WorkstreamInterest)
        .join(Workstream, Workstream.id == WorkstreamInterest.workstream_id)
        .join(Organization, Organization.id == WorkstreamInterest.organization_id)
    ).all()
    return {
        "workstream": sorted(Counter(str(number) for number, _, _ in rows).items()),
        "category": tally(category for _, category, _ in rows),
        "region": tally(region or NOT_STATED for _, _, region in rows),
    }


def language_pairs(db: Session, session: MeetingSession) -> list[tuple[str, str]]:
    """(spoken, listening) of the session's confirmed registrants; an unstated need is their language."""
    rows = db.execute(
        sa.select(Registration.spoken_language, Registration.listening_language, Registration.language)
        .where(Registration.session_id == session.id, Registration.status == "confirmed")
    ).all()
    return [(spoken or language, listening or language) for spoken, listening, language in rows]


def booked_channels(db: Session, session: MeetingSession) -> frozenset[str]:
    """Keys ('fr-en') of the channels booked for ``session``."""
    rows = db.execute(sa.select(InterpretationBooking.source_language, InterpretationBooking.target_language)
                      .where(InterpretationBooking.session_id == session.id)).all()
    return frozenset(f"{source}-{target}" for source, target in rows)


def session_plans(db: Session, meeting: GlobalMeeting, settings: dict) -> list[SessionPlan]:
    """The interpretation plan of each session, from the current registrations and the settings."""
    return [
        SessionPlan(session, plan_interpretation(
            language_pairs(db, session), session.duration_minutes,
            long_minutes=settings["INTERPRETATION_LONG_MINUTES"],
            short_team=settings["INTERPRETERS_PER_BOOTH_SHORT"], long_team=settings["INTERPRETERS_PER_BOOTH_LONG"],
        ), booked_channels(db, session))
        for session in meeting.sessions
    ]


@dataclass(frozen=True)
class TaskProgress:
    """One background task of a meeting, as the console shows it."""

    title: str
    progress: str
    finished: bool
    failures: int
    last_error: str


def task_progress(db: Session, meeting: GlobalMeeting) -> list[TaskProgress]:
    """What the background tasks of a meeting have done so far ("1,240 of 2,000 notified"), newest first.

    A roundtable's invitation round is named by the titles its task stored (the console reads no roundtable).
    """
    labels = {s.id: s.label for s in meeting.sessions}
    rows = []
    for task in tasks_of_meeting(db, meeting.id):
        done, total = format_decimal(task.done), format_decimal(task.total)
        if task.kind == "meeting.anonymize":
            title = _("Anonymizing the registrations")
            progress = _("%(done)s of %(total)s anonymized", done=done, total=total)
        elif task.kind == "roundtable.invite":
            titles = (task.params or {}).get("titles") or {}
            title = _("Inviting the workstream to the roundtable “%(title)s”",
                      title=titles.get(current_language()) or titles.get("en") or "?")
            progress = _("%(done)s of %(total)s invited", done=done, total=total)
        else:
            title = _("Notifying the registrants of session %(label)s", label=labels.get(task.subject_id, "?"))
            progress = _("%(done)s of %(total)s notified", done=done, total=total)
        rows.append(TaskProgress(title, progress, task.finished, task.failures, task.last_error))
    return rows
