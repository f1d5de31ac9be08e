"""The secretariat invites co-conveners (pending account, localized one-time link, audit) and deactivates accounts."""

from __future__ import annotations

import re

import sqlalchemy as sa
from support.factories import PASSWORD, make_account
from support.logins import login
from support.mail import subject_of, text_of
from support.pages import post_form
from support.roundtables import user_by_email

from meetings.core.audit import AuditEntry
from meetings.outbox.models import OutboxMessage
from meetings.roundtables.forum_topics import seed_forum_topics
from meetings.roundtables.models import RegionalForumTopic


def _invite(client, **overrides):
    data = {"name": "Awa Koné", "email": "Awa.Kone@CNR.example.org", "role": "co_convener",
            "organization": "Commission nationale pour les réfugiés", "category": "national_asylum_authority",
            "country": "CI", "language": "fr"}
    data.update(overrides)
    return post_form(client, "/secretariat/accounts", data)


def test_invited_co_convener_gets_a_french_link_and_can_then_log_in(client, db):
    make_account(db, "sec@unhcr.example.org", role="secretariat")
    login(client, "sec@unhcr.example.org")
    assert _invite(client).status_code == 303
    user = user_by_email(db, "awa.kone@cnr.example.org")
    assert user.role == "co_convener" and user.password_hash is None and user.language == "fr"
    assert user.organization.name == "Commission nationale pour les réfugiés" and user.organization.country == "CI"
    page = client.get("/secretariat/accounts").get_data(as_text=True)
    assert "Awa Koné" in page and "Commission nationale pour les réfugiés" in page
    mail = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.topic == "account.invitation"))
    assert mail.to_addresses == ["Awa.Kone@cnr.example.org"] and mail.language == "fr"
    assert "Votre compte" in subject_of(db, mail)
    link = re.search(r"http://localhost(/account/set-password/\S+)", text_of(db, mail)).group(1)
    assert link.rsplit("/", 1)[1] not in (user.invitation_hash or "")
    audit = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.invited"))
    assert audit.subject_id == user.id and audit.actor_label == "sec@unhcr.example.org"
    client.post("/account/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    assert post_form(client, link, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 303
    login(client, "awa.kone@cnr.example.org")
    assert client.get("/roundtables/new").status_code == 200


def test_invitation_errors_are_shown_and_nothing_is_created(client, db):
    make_account(db, "sec@unhcr.example.org", role="secretariat")
    login(client, "sec@unhcr.example.org")
    response = _invite(client, organization="")
    assert response.status_code == 422
    duplicate = _invite(client, email="sec@unhcr.example.org")
    assert duplicate.status_code == 409
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_deactivated_accounts_cannot_log_in_and_a_new_link_replaces_the_old(client, db):
    make_account(db, "sec@unhcr.example.org", role="secretariat")
    login(client, "sec@unhcr.example.org")
    _invite(client)
    pending = user_by_email(db, "awa.kone@cnr.example.org")
    first_hash = pending.invitation_hash
    assert post_form(client, f"/secretariat/accounts/{pending.id}/resend", {}, page="/secretariat/accounts"
                     ).status_code == 303
    db.expire_all()
    assert pending.invitation_hash != first_hash
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2
    other = make_account(db, "otto@bamf.example.org", role="secretariat")
    assert post_form(client, f"/secretariat/accounts/{other.id}/deactivate", {}, page="/secretariat/accounts"
                     ).status_code == 303
    db.expire_all()
    assert other.active is False
    me = user_by_email(db, "sec@unhcr.example.org")
    post_form(client, f"/secretariat/accounts/{me.id}/deactivate", {}, page="/secretariat/accounts")
    db.expire_all()
    assert me.active is True  # never one's own account
    client2 = client.application.test_client()
    refused = post_form(client2, "/account/login", {"email": "otto@bamf.example.org", "password": PASSWORD})
    assert refused.status_code == 422


def test_forum_topics_page_and_demo_seed(app, client, db):
    make_account(db, "sec@unhcr.example.org", role="secretariat")
    login(client, "sec@unhcr.example.org")
    bad = post_form(client, "/secretariat/forum-topics", {"forum": "Quito Process", "regions": ["americas"]})
    assert bad.status_code == 422
    added = post_form(client, "/secretariat/forum-topics", {"forum": "Quito Process", "title_es": "Registro regional",
                                                             "regions": ["americas"]})
    assert added.status_code == 303
    topic = db.scalar(sa.select(RegionalForumTopic))
    assert topic.title("en") == "Registro regional" and topic.regions == ["americas"]
    assert post_form(client, f"/secretariat/forum-topics/{topic.id}/delete", {},
                     page="/secretariat/forum-topics").status_code == 303
    assert db.scalar(sa.select(sa.func.count()).select_from(RegionalForumTopic)) == 0
    # The page deleted the topic in its own session; this one still maps its id, which SQLite hands out again.
    db.expunge(topic)
    with app.app_context():
        from meetings.core.db import utcnow

        seed_forum_topics(db, utcnow())
        seed_forum_topics(db, utcnow())
    assert db.scalar(sa.select(sa.func.count()).select_from(RegionalForumTopic)) == 4
