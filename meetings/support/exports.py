"""The secretariat's CSV/XLSX exports of requests, offers, matches, pledges and the gap (formula-injection safe)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from meetings.core.vocabulary import REGIONS
from meetings.support import operations as ops
from meetings.support.labels import area_label, entry_status_label, kind_label, match_status_label, pledge_status_label

KINDS = ("requests", "offers", "matches", "pledges", "gap")


@dataclass(frozen=True)
class Table:
    """Headers and rows of one export."""

    headers: list[str]
    rows: list[list[object]]


def _region(code: str | None) -> str:
    return str(REGIONS[code]) if code in REGIONS else _("Any region")


def _entries(db: Session, side: str) -> Table:
    headers = [_("Id"), _("Organization"), _("Country"), _("Contact person"), _("E-mail"), _("Short title"),
               _("Area of the asylum system"), _("Kind of support"), _("Working languages"), _("Region"), _("From"),
               _("To"), _("Formal pledge"), _("Status"), _("Created")]
    rows = [[e.id, e.organization.name, e.organization.country, e.contact_name, e.contact_email, e.title,
             area_label(e.area), kind_label(e.kind), ", ".join(e.working_languages), _region(e.region),
             e.period_from, e.period_to, e.with_pledge, entry_status_label(e.status), e.created_at]
            for e in ops.list_entries(db, side)]
    return Table(headers, rows)


def build_table(db: Session, kind: str) -> Table:
    """The table of one export kind."""
    if kind == "requests":
        return _entries(db, "request")
    if kind == "offers":
        return _entries(db, "offer")
    if kind == "matches":
        return Table([_("Id"), _("Request"), _("Requesting organization"), _("Offer"), _("Offering organization"),
                      _("Score"), _("Status"), _("Proposed"), _("Agreed"), _("Under way"), _("Completed"),
                      _("Outcome"), _("Public")],
                     [[m.id, m.request.title, m.request.organization.name, m.offer.title, m.offer.organization.name,
                       m.score, match_status_label(m.status), m.proposed_at, m.agreed_at, m.started_at,
                       m.completed_at, m.outcome, m.public] for m in ops.list_matches(db)])
    if kind == "pledges":
        return Table([_("Id"), _("Title"), _("Pledging entity"), _("Area of the asylum system"), _("Kind of support"),
                      _("Region"), _("Global Refugee Forum"), _("Follow-up status"), _("Forum or event"),
                      _("Requests it answers"), _("Public")],
                     [[p.id, p.title, p.organization.name, area_label(p.area), kind_label(p.kind), _region(p.region),
                       p.grf_edition, pledge_status_label(p.status), p.forum,
                       ", ".join(str(r.id) for r in p.requests), p.public_consent] for p in ops.list_pledges(db)])
    return Table([_("Area of the asylum system"), _("Region"), _("Open requests"), _("Open offers"),
                  _("Requests without an offer")],
                 [[area_label(r.area), _region(r.region), r.requests, r.offers, r.unmet] for r in ops.gap(db)])
