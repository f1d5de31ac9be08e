"""Every protected endpoint of the app, walked by each kind of visitor.

Anonymous visitors and participants (who have no account, only secret links) are sent to the login
page; a co-convener is refused (403) what belongs to the secretariat or to another organization;
allowed requests succeed (GET 200; POST with a valid CSRF token passes authorization and is then
answered by the form: 303, or 4xx for the empty form). The test fails when a route exists that is in
neither list below, and when a route under a staff prefix is not in the protected list, so a new
unprotected staff page cannot slip in.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import make_meeting, registration_payload
from pagehelpers import csrf_token
from roundtablehelpers import account, advance, login, organization, proposal_input

from meetings.accounts.operations import create_account
from meetings.core.db import utcnow
from meetings.organizations.api_keys import create_api_key
from meetings.outbox.models import Webhook
from meetings.roundtables import forum_topics as staff
from meetings.roundtables import operations as ops

STAFF_PREFIXES = ("/secretariat", "/roundtables", "/console")

PUBLIC = {
    "static", "health.healthz", "api-docs.openapi_json",
    "home.index", "registrations.meeting_page", "registrations.register", "registrations.confirmation",
    "registrations.updated",
    "registrations.manage", "registrations.cancel", "organizations.workstreams", "home.privacy",
    "home.choose_language", "calendar.invite", "calendar.participant_feed", "calendar.meeting_feed",
    "calendar.all_meetings_feed", "mydata.download", "mydata.delete",
    "registrations_api.Meetings", "registrations_api.Meeting", "registrations_api.MeetingRegistrations",
    "registrations_api.Registration", "organizations_api.WorkstreamInterests",
    "plans.Plans", "plans.PlanChart",
    "accounts.login", "accounts.set_password", "roundtable_public.decline",
    "accounts.forgot_password", "registrations.sign_in",
}

# endpoint -> who may use it: "secretariat"; "staff" (any account); "org" (the secretariat and the
# co-conveners of the roundtable's organization); "co_convener" (any co-convener); "co_convener_org"
# (co-conveners of the roundtable's organization only).
PROTECTED = {
    "accounts.logout": "staff",
    "planning.plan_meeting": "secretariat", "planning.apply_plan": "secretariat", "planning.plan_chart": "secretariat",
    "planning.series": "secretariat", "planning.create_series": "secretariat",
    "outbox.outbox": "secretariat", "outbox.requeue": "secretariat", "outbox.webhooks": "secretariat",
    "outbox.disable_webhook": "secretariat",
    "console.index": "secretariat", "console.audit": "secretariat", "console.list_page": "secretariat",
    "console.list_export": "secretariat", "console.dashboard": "secretariat", "console.anonymize": "secretariat",
    "console.cancel_meeting": "secretariat", "console.interpretation": "secretariat",
    "console.interpretation_export": "secretariat", "console.attendance": "secretariat",
    "console.cancel_session": "secretariat", "console.book": "secretariat",
    "roundtables.index": "staff", "roundtables.new": "co_convener", "roundtables.detail": "org",
    "roundtables.edit": "co_convener_org", "roundtables.change_status": "org", "roundtables.schedule": "secretariat",
    "roundtables.registrations": "org", "roundtables.invitations": "org",
    "account_admin.accounts": "secretariat", "account_admin.deactivate": "secretariat",
    "account_admin.resend": "secretariat", "roundtable_admin.forum_topics": "secretariat",
    "roundtable_admin.delete_forum_topic": "secretariat",
    "api_keys.api_keys": "secretariat", "api_keys.revoke": "secretariat",
}
ALLOWED = {  # role -> kinds of endpoint it may use
    "secretariat": {"secretariat", "staff", "org"},
    "co_convener_x": {"staff", "org", "co_convener", "co_convener_org"},
    "co_convener_y": {"staff", "co_convener"},
    "anonymous": set(),
    "participant": set(),
}
# Endpoints whose sample roundtable is the accepted one (scheduling needs it); others get the draft.
NEEDS_ACCEPTED = {"roundtables.schedule"}
LAST = ("accounts.logout",)  # ends the session: walked after everything else
QUERIES = {"planning.plan_chart": "?date=2027-03-17&duration=180&window=08:00-20:00&interpreters=07:00-22:00"
                                  "&step=15&min_gap=60&tolerance=0&source=member_states&same_day=y"}
KNOWN_BUGS: set[str] = set()


def _rules(app):
    return [r for r in app.url_map.iter_rules()]


def test_every_route_is_classified_and_staff_routes_are_protected(live_app):
    unknown, unprotected = [], []
    for rule in _rules(live_app):
        if rule.endpoint not in PUBLIC and rule.endpoint not in PROTECTED:
            unknown.append(f"{rule.rule} ({rule.endpoint})")
        if rule.rule.startswith(STAFF_PREFIXES) and rule.endpoint not in PROTECTED:
            unprotected.append(rule.rule)
    assert unknown == [], "classify these routes in tests/test_authorization_matrix.py"
    assert unprotected == []
    stale = set(PROTECTED) - {r.endpoint for r in _rules(live_app)}
    assert stale == set(), "these endpoints no longer exist"


@pytest.fixture
def world(app, db):
    """Organizations X and Y with a co-convener each, the secretariat, roundtables of X, a meeting, a topic."""
    with app.app_context():
        org_x = organization(db)
        org_y = organization(db, "Bundesamt für Migration", country="DE", region="europe")
        x = account(db, "x@org-x.example.org", org=org_x)
        account(db, "y@org-y.example.org", org=org_y)
        sec = account(db, "sec@unhcr.example.org", role="secretariat")
        pending = create_account(db, email="pending@org-x.example.org", name="Pending", role="co_convener",
                                 organization=org_x)
        draft = ops.create_proposal(db, x, proposal_input(), utcnow())
        accepted = ops.create_proposal(db, x, proposal_input(titles={"en": "Another one"}), utcnow())
        advance(db, accepted, sec, "submit", "accept")
        meeting = make_meeting(db, start=utcnow() + timedelta(days=30))
        topic = staff.add_forum_topic(db, sec, "Quito Process", {"es": "Registro"}, ("americas",), utcnow())
        hook = Webhook(url="https://partner.example.org/h", secret="s" * 32, events=["roundtable.proposed"])
        db.add(hook)
        key, _secret = create_api_key(db, sec, org_x, "Mission system", utcnow())
        db.commit()
    return {"key_id": key.id, "draft": draft.id, "accepted": accepted.id, "meeting_id": meeting.id,
            "session_id": meeting.sessions[0].id, "user_id": pending.id, "topic_id": topic.id, "hook_id": hook.id,
            "kind": "registrations", "fmt": "csv", "channel": "en-fr"}


def _url(app, rule, world):
    values = {}
    for name in rule.arguments:
        if name == "roundtable_id":
            values[name] = world["accepted" if rule.endpoint in NEEDS_ACCEPTED else "draft"]
        else:
            values[name] = world[name]
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values) + QUERIES.get(rule.endpoint, "")


def _visitor(client, role, world):
    """Log in as ``role`` (or register as a participant); returns a CSRF token of that session."""
    if role == "participant":
        created = client.post(f"/api/v1/meetings/{world['meeting_id']}/registrations",
                              json=registration_payload(world["session_id"], "participant@example.org"))
        return csrf_token(client.get(f"/manage/{created.json['token']}").get_data(as_text=True))
    if role != "anonymous":
        login(client, {"secretariat": "sec@unhcr.example.org", "co_convener_x": "x@org-x.example.org",
                       "co_convener_y": "y@org-y.example.org"}[role])
        return csrf_token(client.get("/roundtables/").get_data(as_text=True))
    return csrf_token(client.get("/account/login").get_data(as_text=True))


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_against_each_protected_endpoint(app, client, world, role):
    token = _visitor(client, role, world)
    rules = sorted((r for r in _rules(app) if r.endpoint in PROTECTED),
                   key=lambda r: (r.endpoint in LAST, "GET" not in r.methods, r.rule))
    problems = []
    for rule in rules:
        url = _url(app, rule, world)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        allowed = PROTECTED[rule.endpoint] in ALLOWED[role]
        location = response.headers.get("Location", "")
        status = response.status_code
        if role in ("anonymous", "participant"):
            ok = status == 302 and "/account/login" in location
        elif not allowed:
            ok = status == 403
        elif method == "GET":
            ok = status == 200
        else:  # authorized; the empty form is then accepted (303) or refused by the form's own rules
            ok = status in (200, 303, 400, 409, 422) and "/account/login" not in location
        if not ok and not (allowed and rule.endpoint in KNOWN_BUGS):
            problems.append(f"{method} {url} ({rule.endpoint}): {status} {location}")
    assert problems == []


def test_create_series_with_an_empty_form_is_a_client_error(client, world):
    login(client, "sec@unhcr.example.org")
    token = csrf_token(client.get("/roundtables/").get_data(as_text=True))
    assert client.post("/secretariat/series/create", data={"csrf_token": token}).status_code < 500
