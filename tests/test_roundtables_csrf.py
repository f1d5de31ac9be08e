"""CSRF on every form: each HTML form endpoint of the app refuses a POST without the token (400), changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from support.authorization import world_url
from support.factories import PASSWORD
from support.logins import login
from support.roundtables import form_data

from meetings.core import db as dbmod

# Complete, valid-looking forms (only the token is missing), so a missing check would really write.
FORMS = {
    "roundtables.new": form_data(),
    "roundtables.edit": form_data(title_en="Changed"),
    "roundtables.change_status": {"action": "submit", "comment": "ok"},
    "roundtables.schedule": {"mode": "single", "date": "2030-01-10", "reference_zone": "Europe/Zurich",
                             "duration_minutes": "90", "start_a": "10:00", "capacity": "10",
                             "join_url_a": "https://meet.example.org/x", "schedule": "1"},
    "account_admin.accounts": {"name": "New", "email": "new@example.org", "role": "secretariat",
                                  "language": "en"},
    "roundtable_admin.forum_topics": {"forum": "F", "title_en": "T", "regions": ["europe"]},
    "topic_terms.vocabulary": {"concept_id": "reception", "language": "fr", "term": "mise à l'abri"},
    "accounts.login": {"email": "sec@unhcr.example.org", "password": PASSWORD},
}


def _counts(db) -> dict:
    """Rows per table, plus the fields the forms would change."""
    counts = {t.name: db.scalar(sa.select(sa.func.count()).select_from(t)) for t in dbmod.Base.metadata.sorted_tables}
    counts["statuses"] = db.execute(sa.text("SELECT id, status FROM roundtables ORDER BY id")).all()
    counts["users"] = db.execute(sa.text("SELECT id, active, invitation_hash FROM users ORDER BY id")).all()
    return counts


def test_every_form_refuses_a_post_without_its_token(app, client, db, world):
    html_posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/api/")]
    assert len(html_posts) >= 20
    before = _counts(db)
    for who in ("x@org-x.example.org", "sec@unhcr.example.org"):
        login(client, who)
        for rule in html_posts:
            if rule.endpoint in ("roundtables.new", "roundtables.edit") and who.startswith("sec"):
                continue
            url = world_url(app, rule, {**world, "token": "t" * 43})
            response = client.post(url, data=FORMS.get(rule.endpoint, {}))
            assert response.status_code == 400, (url, response.status_code)
    db.expire_all()
    assert _counts(db) == before


def test_a_csrf_refusal_is_localized(client, world):
    login(client, "x@org-x.example.org")
    response = client.post("/roundtables/new", data=form_data(), headers={"Accept-Language": "es"})
    assert response.status_code == 400 and "formulario" in response.get_data(as_text=True).lower()
