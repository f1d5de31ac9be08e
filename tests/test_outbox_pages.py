"""Secretariat pages for webhooks and failed messages: role-protected, CSRF, audited."""

from __future__ import annotations

import sqlalchemy as sa
from support.logins import login_as
from support.pages import csrf_token, post_form

from meetings.core.audit import AuditEntry
from meetings.core.db import utcnow
from meetings.outbox.models import OutboxMessage, Webhook
from meetings.outbox.test_email import queue_test_email


def test_pages_need_the_secretariat(client, db):
    assert client.get("/secretariat/webhooks").status_code == 302
    assert client.get("/api/v1/meetings").status_code == 200
    login_as(client, db, "co_convener")
    assert client.get("/secretariat/webhooks").status_code == 403
    assert client.get("/secretariat/outbox").status_code == 403


def test_add_a_webhook_shows_its_secret_once(client, db):
    login_as(client, db)
    response = post_form(client, "/secretariat/webhooks", {"url": "https://partner.example.org/acsg",
                                                           "events": ["registration.created"]})
    assert response.status_code == 200
    hook = db.scalar(sa.select(Webhook))
    assert hook.secret in response.get_data(as_text=True)
    assert hook.secret not in client.get("/secretariat/webhooks").get_data(as_text=True)
    assert db.scalar(sa.select(AuditEntry.action)) == "webhook.added"


def test_bad_webhook_address_is_a_localized_422(client, db):
    login_as(client, db)
    response = post_form(client, "/secretariat/webhooks", {"url": "ftp://partner.example.org",
                                                           "events": ["registration.created"]},
                         headers={"Accept-Language": "es"})
    assert response.status_code == 422
    assert "dirección" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Webhook)) == 0


def test_failed_messages_are_listed_and_requeued(client, db):
    login_as(client, db)
    row = queue_test_email(db, "a@example.org", "en", utcnow(), key="x")
    row.status, row.last_error = "failed", "550 No such user"
    db.commit()
    page = client.get("/secretariat/outbox").get_data(as_text=True)
    assert "550 No such user" in page
    assert client.post("/secretariat/outbox/requeue").status_code == 400  # no CSRF token
    response = client.post("/secretariat/outbox/requeue", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    db.expire_all()
    assert db.scalar(sa.select(OutboxMessage.status)) == "pending"


def test_messages_are_listed_with_their_status_and_searchable(client, db):
    login_as(client, db)
    for key, address, subject, status in (("m1", "awa@example.org", "Votre inscription", "sent"),
                                          ("m2", "ben@example.org", "Your registration", "pending"),
                                          ("m3", "chen%_@example.org", "Session moved", "failed"),
                                          ("m4", "dan@example.org", "", "superseded")):
        row = queue_test_email(db, address, "en", utcnow(), key=key)
        row.status, row.subject = status, subject  # the subject is written when the message is composed
    db.commit()
    page = client.get("/secretariat/outbox").get_data(as_text=True)
    assert page.count('<tr data-status="') == 4 and "awa@example.org" in page and "Votre inscription" in page
    assert "Not sent: a newer message said it" in page  # a message replaced by a newer one, or no longer needed
    by_address = client.get("/secretariat/outbox?q=BEN@").get_data(as_text=True)
    assert by_address.count('<tr data-status="') == 1 and "ben@example.org" in by_address
    by_subject = client.get("/secretariat/outbox?q=moved").get_data(as_text=True)
    assert by_subject.count('<tr data-status="failed"') == 1
    wildcard = client.get("/secretariat/outbox?q=%25_").get_data(as_text=True)  # % and _ are literal
    assert wildcard.count('<tr data-status="') == 1
    sent = client.get("/secretariat/outbox?status=sent", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert sent.count('<tr data-status="') == 1 and 'data-status="sent"' in sent
    assert client.get("/secretariat/outbox?status=bogus&q=" + "x" * 3000).status_code == 200
