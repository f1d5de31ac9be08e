"""Every protected endpoint of the app, walked by each kind of visitor.

Anonymous visitors and participants (who have no account, only secret links) are sent to the login
page; a co-convener is refused (403) what belongs to the secretariat or to another organization;
allowed requests succeed (GET 200; POST with a valid CSRF token passes authorization and is then
answered by the form: 303, or 4xx for the empty form). The test fails when a route exists that is in
neither list below, and when a route under a staff prefix is not in the protected list, so a new
unprotected staff page cannot slip in.
"""

from __future__ import annotations

import pytest
from support.api import post_registration
from support.authorization import world_url
from support.logins import login
from support.pages import csrf_token
from support.support_matching import PROTECTED_ENDPOINTS, PUBLIC_ENDPOINTS

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
    # Operations: no account, but /metrics answers only to METRICS_ALLOWED_IPS or METRICS_TOKEN
    # (tests/test_observability.py).
    "readiness.readyz", "metrics.metrics",
    "accounts.forgot_password", "registrations.sign_in",
} | PUBLIC_ENDPOINTS

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
    "console.registrant": "secretariat", "console.cancel_registrant": "secretariat",
    "roundtables.index": "staff", "roundtables.new": "co_convener", "roundtables.detail": "org",
    "roundtables.edit": "co_convener_org", "roundtables.change_status": "org", "roundtables.schedule": "secretariat",
    "roundtables.registrations": "org", "roundtables.invitations": "org",
    "account_admin.accounts": "secretariat", "account_admin.deactivate": "secretariat",
    "account_admin.resend": "secretariat", "roundtable_admin.forum_topics": "secretariat",
    "roundtable_admin.delete_forum_topic": "secretariat",
    "topic_terms.vocabulary": "secretariat", "topic_terms.delete_term": "secretariat",
    "api_keys.api_keys": "secretariat", "api_keys.revoke": "secretariat",
} | PROTECTED_ENDPOINTS
ALLOWED = {  # role -> kinds of endpoint it may use
    "secretariat": {"secretariat", "staff", "org"},
    "co_convener_x": {"staff", "org", "co_convener", "co_convener_org"},
    "co_convener_y": {"staff", "co_convener"},
    "anonymous": set(),
    "participant": set(),
}
LAST = ("accounts.logout",)  # ends the login session: walked after everything else
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


def _visitor(client, role, world):
    """Log in as ``role`` (or register as a participant); returns a CSRF token of that login session."""
    if role == "participant":
        created = post_registration(client, world["meeting_id"], world["session_id"], "participant@example.org")
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
        url = world_url(app, rule, world)
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
