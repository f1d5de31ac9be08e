"""Helpers for support-matching tests: entries, private links read from the outbox, matches."""

from __future__ import annotations

import re

import sqlalchemy as sa

from meetings.core.db import utcnow
from meetings.outbox.models import OutboxMessage
from meetings.support import operations as ops
from support.mail import text_of

LINK = re.compile(r"http://localhost(/support/(?:entry|match)/[A-Za-z0-9_-]{40,})")


def entry_input(side="request", **overrides) -> ops.EntryInput:
    """A valid request of a French-speaking State (or an offer, with ``side``)."""
    values = dict(side=side, area="country_information", kind="training", title="Formation COI",
                  description="Former les officiers de protection à l'information sur les pays d'origine.",
                  text_language="fr", working_languages=("fr",), region="west_central_africa",
                  organization="Commission nationale pour les réfugiés", category="national_asylum_authority",
                  country="SN", organization_region="west_central_africa", contact_name="Awa Diop",
                  contact_email="awa@cnr.example.org", contact_language="fr")
    values.update(overrides)
    return ops.EntryInput(**values)


def offer_input(**overrides) -> ops.EntryInput:
    """A valid offer of a Spanish-speaking agency."""
    values = dict(side="offer", area="country_information", kind="training", title="Formación COI",
                  description="Cursos sobre información de países de origen para funcionarios de asilo.",
                  text_language="es", working_languages=("es", "fr"), region=None,
                  organization="Agencia de Asilo", category="national_asylum_authority", country="ES",
                  organization_region="europe", contact_name="Luis Gómez", contact_email="luis@agencia.example.org",
                  contact_language="es")
    values.update(overrides)
    return ops.EntryInput(**values)


def make_entry(db, data: ops.EntryInput, actor=None, confirm=True):
    """An entry (confirmed unless told otherwise), committed; returns (entry, token)."""
    entry, token = ops.create_entry(db, data, utcnow(), actor=actor)
    if confirm:
        ops.confirm_entry(db, entry, utcnow())
    db.commit()
    return entry, token


def links_sent_to(db, address: str) -> list[str]:
    """The private-link paths e-mailed to ``address``, oldest first."""
    rows = db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
    return [m for row in rows if address in row.to_addresses and row.channel == "email"
            for m in LINK.findall(text_of(db, row))]


def proposed_match(db, secretariat, request_data=None, offer_data=None):
    """A request, an offer and a proposed match; returns (match, requester_link, offerer_link)."""
    request, _ = make_entry(db, request_data or entry_input())
    offer, _ = make_entry(db, offer_data or offer_input())
    match = ops.propose_match(db, request, offer, secretariat, utcnow())
    db.commit()
    return (match, links_sent_to(db, request.contact_email)[-1], links_sent_to(db, offer.contact_email)[-1])


# Routes of the support feature for tests/test_authorization_matrix.py: the public ones (private links,
# showcase, feed; the API checks its own rules, see tests/test_support_authorization.py) and the
# secretariat's pages.
PUBLIC_ENDPOINTS = {
    "support_public.new_entry", "support_public.entry", "support_public.confirm_entry",
    "support_public.close_entry", "support_public.match", "support_public.showcase", "support_public.feed",
    "support_api.SupportRequests", "support_api.SupportOffers", "support_api.SupportRequest",
    "support_api.SupportOffer", "support_api.SupportCandidates", "support_api.Matches", "support_api.Match",
    "support_api.MatchTransitions", "support_api.Pledges", "support_api.Pledge",
}
PROTECTED_ENDPOINTS = {endpoint: "secretariat" for endpoint in (
    "support_admin.index", "support_admin.new", "support_admin.detail", "support_admin.edit", "support_admin.close",
    "support_admin.propose", "support_admin.matches", "support_admin.match_detail", "support_admin.pledges",
    "support_admin.new_pledge", "support_admin.edit_pledge", "support_admin.export", "support_admin.entry_followup",
    "support_admin.area_followup", "support_admin.workstream_followup")}


def support_world(db, secretariat) -> dict:
    """URL values for the support routes: a request, an offer, a proposed match, a pledge."""
    match, _, _ = proposed_match(db, secretariat)
    pledge = ops.record_pledge(db, ops.PledgeInput(
        title="Pledge", organization_id=match.offer.organization_id, area="training", kind="training",
        grf_edition="GRF 2023"), secretariat, utcnow())
    db.commit()
    return {"entry_id": match.request_id, "match_id": match.id, "pledge_id": pledge.id, "area": "training",
            "table": "gap"}
