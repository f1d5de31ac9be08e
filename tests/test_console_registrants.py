"""Secretariat: registrant search, a page per registrant with its history and actions, workstreams in exports."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from support.console import populated_meeting
from support.logins import login_as
from support.pages import csrf_token, post_form

from meetings.core.audit import AuditEntry
from meetings.models import Registration
from meetings.outbox.models import OutboxMessage


def _registration(db, email: str) -> Registration:
    return db.scalar(sa.select(Registration).where(Registration.email == email))


def test_search_finds_registrants_by_name_address_or_organization(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    base = "/secretariat/console/lists/registrations"
    by_name = client.get(f"{base}?q=person+AWA").get_data(as_text=True)
    assert "awa@example.org" in by_name and "ben@example.org" not in by_name
    by_address = client.get(f"{base}?q=BEN@EXAMPLE").get_data(as_text=True)
    assert "ben@example.org" in by_address and "awa@example.org" not in by_address
    by_organization = client.get(f"{base}?q=org+th").get_data(as_text=True)
    assert "chen@example.org" in by_organization and "ana@example.org" not in by_organization
    assert "ana@example.org" not in client.get(f"{base}?q=%25").get_data(as_text=True)  # % is literal
    link = f'href="/secretariat/console/registrations/{_registration(db, "awa@example.org").id}"'
    assert link in by_name
    export = client.get(f"{base}.csv?q=awa&meeting_id={meeting.id}")
    rows = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig"))))
    assert len(rows) == 2 and "Workstreams" in rows[0]
    assert rows[1][rows[0].index("Workstreams")] == "1, 3"


def test_registrant_page_shows_history_and_cancels_after_confirmation(client, db):
    _meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    awa = _registration(db, "awa@example.org")
    url = f"/secretariat/console/registrations/{awa.id}"
    page = client.get(url, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Person awa" in page and "Français" in page and 'id="history"' in page
    assert page.count("<li><time") >= 2  # registered, and the confirmation message
    confirm = client.get(f"{url}/cancel").get_data(as_text=True)
    assert "One person will receive a cancellation." in confirm
    unticked = post_form(client, f"{url}/cancel", {}, page=f"{url}/cancel")
    assert unticked.status_code == 422
    db.expire_all()
    assert _registration(db, "awa@example.org").status == "confirmed"
    done = post_form(client, f"{url}/cancel", {"confirm": "y"}, page=f"{url}/cancel")
    assert done.status_code == 303
    db.expire_all()
    assert _registration(db, "awa@example.org").status == "cancelled"
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                     .where(OutboxMessage.registration_id == awa.id)) >= 2
    assert db.scalar(sa.select(AuditEntry.action).where(AuditEntry.subject_id == awa.id,
                                                        AuditEntry.subject_type == "registration"))
    after = client.get(url).get_data(as_text=True)
    assert "Cancelled" in after and f"{url}/cancel" not in after
    audit = client.get("/secretariat/console/audit").get_data(as_text=True)
    assert f"cancelled registration #{awa.id} (session A)." in audit


def test_registrant_pages_are_for_the_secretariat_only(client, db):
    _meeting, _tokens = populated_meeting(client, db)
    awa = _registration(db, "awa@example.org")
    assert client.get(f"/secretariat/console/registrations/{awa.id}").status_code == 302
    login_as(client, db, role="co_convener")
    assert client.get(f"/secretariat/console/registrations/{awa.id}").status_code == 403
    page = client.get("/account/login").get_data(as_text=True)
    assert client.post(f"/secretariat/console/registrations/{awa.id}/cancel",
                       data={"confirm": "y", "csrf_token": csrf_token(page)}).status_code == 403


def test_unknown_registrant_is_a_localized_404(client, db):
    login_as(client, db)
    response = client.get("/secretariat/console/registrations/999999", headers={"Accept-Language": "es"})
    assert response.status_code == 404
