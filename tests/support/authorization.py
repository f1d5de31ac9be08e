"""The sample world the authorization and CSRF tests walk every endpoint in (the ``world`` fixture builds it)."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for

from meetings.core.db import utcnow
from meetings.organizations.api_keys import create_api_key
from meetings.outbox.models import Webhook
from meetings.registrations.operations import RegistrationInput, register_for_meeting
from meetings.roundtables import forum_topics
from meetings.roundtables import operations as ops
from meetings.topic_terms import operations as topic_terms
from support.factories import make_account, make_meeting, make_organization
from support.roundtables import advance, proposal_input
from support.support_matching import support_world

# Endpoints whose sample roundtable is the accepted one (scheduling needs it); others get the draft.
NEEDS_ACCEPTED = {"roundtables.schedule"}
QUERIES = {"planning.plan_chart": "?date=2027-03-17&duration=180&window=08:00-20:00&interpreters=07:00-22:00"
                                  "&step=15&min_gap=60&tolerance=0&source=member_states&same_day=y"}


def make_world(app, db) -> dict:
    """Organizations X and Y with a co-convener each, the secretariat, roundtables of X, a meeting, a topic.

    Returns the values of the URL arguments of every endpoint."""
    with app.app_context():
        org_x = make_organization(db)
        org_y = make_organization(db, "Bundesamt für Migration", country="DE", region="europe")
        x = make_account(db, "x@org-x.example.org", org=org_x)
        make_account(db, "y@org-y.example.org", org=org_y)
        sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
        pending = make_account(db, "pending@org-x.example.org", org=org_x, name="Pending", password=None)
        draft = ops.create_proposal(db, x, proposal_input(), utcnow())
        accepted = ops.create_proposal(db, x, proposal_input(titles={"en": "Another one"}), utcnow())
        advance(db, accepted, sec, "submit", "accept")
        meeting = make_meeting(db, start=utcnow() + timedelta(days=30))
        registrant = register_for_meeting(db, meeting, RegistrationInput(
            session_id=meeting.sessions[1].id, name="Registrant", email="registrant@example.org",
            organization="Org", category="civil_society", country="CO", language="es", timezone="America/Bogota",
            consent=True), utcnow()).registration
        topic = forum_topics.add_forum_topic(db, sec, "Quito Process", {"es": "Registro"}, ("americas",), utcnow())
        hook = Webhook(url="https://partner.example.org/h", secret="s" * 32, events=["roundtable.proposed"])
        db.add(hook)
        key, _secret = create_api_key(db, sec, org_x, "Mission system", utcnow())
        term = topic_terms.add_term(db, sec, topic_terms.TermInput("reception", "en", "welcome centres"), utcnow())
        db.commit()
        support = support_world(db, sec)
    return {**support, "draft": draft.id, "accepted": accepted.id, "meeting_id": meeting.id, "term_id": term.id,
            "key_id": key.id,
            "registration_id": registrant.id,
            "session_id": meeting.sessions[0].id, "user_id": pending.id, "topic_id": topic.id, "hook_id": hook.id,
            "kind": "registrations", "fmt": "csv", "channel": "en-fr"}


def world_url(app, rule, world) -> str:
    """The URL of ``rule`` with its arguments taken from ``world``."""
    values = {}
    for name in rule.arguments:
        if name == "roundtable_id":
            values[name] = world["accepted" if rule.endpoint in NEEDS_ACCEPTED else "draft"]
        else:
            values[name] = world[name]
    with app.test_request_context():
        return url_for(rule.endpoint, **values) + QUERIES.get(rule.endpoint, "")
