"""Staff accounts: CLI creation, login with rate limiting, one-time password links, logout."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from support.factories import PASSWORD, make_account, make_organization
from support.pages import csrf_token, post_form

from meetings.accounts import operations as accounts
from meetings.accounts.models import User
from meetings.core.db import utcnow


def _secretariat(db):
    return make_account(db, "sec@unhcr.example.org", role="secretariat", name="Secretariat")


def test_cli_creates_a_secretariat_account_that_can_log_in(app, client, db):
    result = app.test_cli_runner().invoke(args=["create-secretariat", "--email", "Head@UNHCR.example.org",
                                                "--name", "Head", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    stored = db.scalar(sa.select(User))
    assert stored.role == "secretariat" and stored.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert PASSWORD not in stored.password_hash
    response = post_form(client, "/account/login", {"email": "head@unhcr.example.org", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/secretariat/console/"  # lands there


def test_cli_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(args=["create-secretariat", "--email", "a@b.org", "--name", "A",
                                                "--password", "short"])
    assert result.exit_code != 0 and "12" in result.output


def test_wrong_passwords_are_rate_limited(client, db):
    _secretariat(db)
    for _ in range(3):  # free failures, then each attempt waits longer after the last one
        response = post_form(client, "/account/login", {"email": "sec@unhcr.example.org", "password": "wrong"},
                             headers={"Accept-Language": "fr"})
        assert response.status_code == 422
        assert "mot de passe" in response.get_data(as_text=True)
    blocked = post_form(client, "/account/login", {"email": "sec@unhcr.example.org", "password": PASSWORD},
                        headers={"Accept-Language": "es"})
    assert blocked.status_code == 429
    assert "segundos" in blocked.get_data(as_text=True)


def test_unknown_account_and_wrong_password_look_the_same(client, db):
    _secretariat(db)
    unknown = post_form(client, "/account/login", {"email": "nobody@example.org", "password": PASSWORD})
    wrong = post_form(client, "/account/login", {"email": "sec@unhcr.example.org", "password": "nope-nope"})
    assert unknown.status_code == wrong.status_code == 422


def test_invitation_link_sets_a_password_once(client, db):
    organization = make_organization(db, "Asylum Agency", "national_asylum_authority", "DE", "europe")
    user = accounts.create_account(db, email="co@agency.example.org", name="Co", role="co_convener",
                                   organization=organization)
    token = accounts.issue_invitation(db, user, utcnow())
    db.commit()
    assert user.invitation_hash != token  # only the digest is stored
    url = f"/account/set-password/{token}"
    short = post_form(client, url, {"password": "short", "confirm": "short"})
    assert short.status_code == 422
    done = post_form(client, url, {"password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 303
    assert client.get(url).status_code == 404  # spent
    login = post_form(client, "/account/login", {"email": "co@agency.example.org", "password": PASSWORD})
    assert login.status_code == 303 and login.headers["Location"] == "/"  # a co-convener: not the console


def test_expired_invitation_is_refused(client, db):
    user = accounts.create_account(db, email="late@example.org", name="Late", role="secretariat")
    token = accounts.issue_invitation(db, user, utcnow() - timedelta(days=8))
    db.commit()
    response = client.get(f"/account/set-password/{token}", headers={"Accept-Language": "fr"})
    assert response.status_code == 404 and "expiré" in response.get_data(as_text=True)


def test_logout_needs_a_post_with_csrf(client, db):
    _secretariat(db)
    post_form(client, "/account/login", {"email": "sec@unhcr.example.org", "password": PASSWORD})
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 400
    page = client.get("/").get_data(as_text=True)
    assert client.post("/account/logout", data={"csrf_token": csrf_token(page)}).status_code == 303


def test_login_redirect_refuses_other_sites(client, db):
    _secretariat(db)
    response = post_form(client, "/account/login?next=//evil.example/x",
                         {"email": "sec@unhcr.example.org", "password": PASSWORD})
    assert "evil.example" not in response.headers["Location"]
