"""Filterable lists of registrations, organizations and workstream interest, as tables (headers + rows).

The same table feeds the page, the CSV and the XLSX export, so what is exported is what was seen.
Filters on a registration (meeting, session, status, language) narrow organizations and interests to
those with such a registration; category, region and country are the organization's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from meetings.console.models import Attendance
from meetings.core.labels import (
    category_label,
    country_label,
    language_label,
    region_label,
    registration_status_label,
    session_label,
)
from meetings.models import GlobalMeeting, MeetingSession, Registration
from meetings.organizations.models import Organization, Workstream, WorkstreamInterest

KINDS = ("registrations", "organizations", "interests")


@dataclass(frozen=True)
class Filters:
    """What a list is narrowed to (None = any)."""

    meeting_id: int | None = None
    session_id: int | None = None
    status: str | None = None
    category: str | None = None
    region: str | None = None
    country: str | None = None
    language: str | None = None
    workstream: int | None = None
    q: str | None = None

    def as_query(self) -> dict[str, str]:
        """The filters as query-string arguments (for export links)."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}

    @property
    def narrows_registrations(self) -> bool:
        """Whether a registration-level filter is set."""
        return any(v is not None for v in (self.meeting_id, self.session_id, self.status, self.language, self.q))


@dataclass(frozen=True)
class Table:
    """Translated headers and rows of plain values; ``ids`` are the rows' record ids."""

    headers: list[str]
    rows: list[list[object]]
    ids: list[int]


def _organization_conditions(filters: Filters) -> list:
    conditions = []
    if filters.category:
        conditions.append(Organization.category == filters.category)
    if filters.region:
        conditions.append(Organization.region == filters.region)
    if filters.country:
        conditions.append(Organization.country == filters.country)
    return conditions


def _registration_conditions(filters: Filters) -> list:
    conditions = []
    if filters.meeting_id is not None:
        conditions.append(Registration.meeting_id == filters.meeting_id)
    if filters.session_id is not None:
        conditions.append(Registration.session_id == filters.session_id)
    if filters.status:
        conditions.append(Registration.status == filters.status)
    if filters.language:
        conditions.append(Registration.language == filters.language)
    if filters.q:
        needle = filters.q.strip().lower()
        conditions.append(sa.or_(
            sa.func.lower(Registration.name).contains(needle, autoescape=True),
            Registration.email_key.contains(needle, autoescape=True),
            Registration.organization_id.in_(sa.select(Organization.id).where(
                sa.func.lower(Organization.name).contains(needle, autoescape=True)))))
    return conditions


def workstream_numbers(db: Session, organization_ids: list[int]) -> dict[int, list[int]]:
    """Organization id -> the numbers of the workstreams it signed up to."""
    out: dict[int, list[int]] = {}
    if not organization_ids:
        return out
    for organization_id, number in db.execute(
            sa.select(WorkstreamInterest.organization_id, Workstream.number)
            .join(Workstream, Workstream.id == WorkstreamInterest.workstream_id)
            .where(WorkstreamInterest.organization_id.in_(set(organization_ids)))
            .order_by(Workstream.number)):
        out.setdefault(organization_id, []).append(number)
    return out


def registrations_table(db: Session, filters: Filters) -> Table:
    """Registrations (newest meeting first) with their organization, needs, consent and attendance."""
    rows = db.execute(
        sa.select(Registration, GlobalMeeting.edition, MeetingSession.label, Organization, Attendance.present)
        .join(GlobalMeeting, GlobalMeeting.id == Registration.meeting_id)
        .join(MeetingSession, MeetingSession.id == Registration.session_id)
        .join(Organization, Organization.id == Registration.organization_id)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(*_registration_conditions(filters), *_organization_conditions(filters))
        .order_by(GlobalMeeting.edition.desc(), MeetingSession.label, Registration.id)
    ).all()
    headers = [_("Meeting"), _("Session"), _("Status"), _("Name"), _("E-mail"), _("Function"), _("Organization"),
               _("Stakeholder category"), _("Region"), _("Country"), _("Language"), _("Speaks"),
               _("Listens in"), _("Time zone"), _("Liaison e-mail"), _("Workstreams"), _("Registered on"),
               _("Consent given on"), _("Attended")]
    streams = workstream_numbers(db, [o.id for _r, _e, _l, o, _p in rows])
    body = [[edition, session_label(label), registration_status_label(r.status), r.name, r.email, r.function, o.name,
             category_label(o.category), region_label(o.region), country_label(o.country), language_label(r.language),
             language_label(r.spoken_language), language_label(r.listening_language), r.timezone,
             r.liaison_email or "", ", ".join(str(n) for n in streams.get(o.id, [])), r.created_at,
             r.consent_given_at, _attended(present)]
            for r, edition, label, o, present in rows]
    return Table(headers, body, [row[0].id for row in rows])


def _attended(present: bool | None) -> str:
    if present is None:
        return ""
    return _("Yes") if present else _("No")


def organizations_table(db: Session, filters: Filters) -> Table:
    """Organizations with the number of (matching) registrations and of workstreams they signed up to."""
    registrations = (sa.select(Registration.organization_id, sa.func.count().label("n"))
                     .where(*_registration_conditions(filters), Registration.status != "cancelled")
                     .group_by(Registration.organization_id).subquery())
    interests = (sa.select(WorkstreamInterest.organization_id, sa.func.count().label("n"))
                 .group_by(WorkstreamInterest.organization_id).subquery())
    query = (sa.select(Organization, sa.func.coalesce(registrations.c.n, 0), sa.func.coalesce(interests.c.n, 0))
             .outerjoin(registrations, registrations.c.organization_id == Organization.id)
             .outerjoin(interests, interests.c.organization_id == Organization.id)
             .where(*_organization_conditions(filters)).order_by(Organization.name, Organization.id))
    if filters.narrows_registrations:
        query = query.where(registrations.c.n > 0)
    rows = db.execute(query).all()
    headers = [_("Organization"), _("Stakeholder category"), _("Region"), _("Country"), _("Registrations"),
               _("Workstreams")]
    body = [[o.name, category_label(o.category), region_label(o.region), country_label(o.country), count, streams]
            for o, count, streams in rows]
    return Table(headers, body, [o.id for o, _c, _s in rows])


def interests_table(db: Session, filters: Filters, locale: str) -> Table:
    """Workstream interests with the organization and its contact person."""
    query = (sa.select(WorkstreamInterest, Workstream, Organization)
             .join(Workstream, Workstream.id == WorkstreamInterest.workstream_id)
             .join(Organization, Organization.id == WorkstreamInterest.organization_id)
             .where(*_organization_conditions(filters))
             .order_by(Workstream.number, Organization.name, WorkstreamInterest.id))
    if filters.workstream is not None:
        query = query.where(Workstream.number == filters.workstream)
    if filters.narrows_registrations:
        query = query.where(Organization.id.in_(
            sa.select(Registration.organization_id).where(*_registration_conditions(filters))))
    rows = db.execute(query).all()
    headers = [_("Workstream"), _("Organization"), _("Stakeholder category"), _("Region"), _("Country"),
               _("Contact person"), _("Contact e-mail"), _("Note"), _("Signed up on")]
    body = [[f"{w.number}. {w.title(locale)}", o.name, category_label(o.category), region_label(o.region),
             country_label(o.country), i.contact_name, i.contact_email, i.note, i.created_at]
            for i, w, o in rows]
    return Table(headers, body, [i.id for i, _w, _o in rows])


def build_table(db: Session, kind: str, filters: Filters, locale: str) -> Table:
    """The table of ``kind`` (one of KINDS)."""
    if kind == "registrations":
        return registrations_table(db, filters)
    if kind == "organizations":
        return organizations_table(db, filters)
    return interests_table(db, filters, locale)
