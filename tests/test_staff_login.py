"""Staff login as an attacker tries it: strangers guessing never lock the owner out; logout really ends
the session; "forgot password" sends a one-time link."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from support.mail import text_of
from support.pages import csrf_token, post_form

from meetings.accounts import operations as ops
from meetings.accounts.models import User
from meetings.core.db import utcnow
from meetings.outbox.models import OutboxMessage

EMAIL, PASSWORD = "sec@unhcr.example.org", "correct horse battery staple"


def _account(db):
    ops.create_account(db, email=EMAIL, name="Sec", role="secretariat", password=PASSWORD)
    db.commit()


def _login(client, password, address, email=EMAIL):
    """Log in from the client address ``address``."""
    page = client.get("/account/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/account/login", data={"email": email, "password": password, "csrf_token": csrf_token(page)},
                       environ_base={"REMOTE_ADDR": address})


def test_strangers_guessing_from_many_addresses_never_lock_the_owner_out(app, client, db):
    _account(db)
    for index in range(25):
        stranger = app.test_client()
        assert _login(stranger, "guess", f"203.0.113.{index}").status_code == 422
    for _ in range(8):  # one stranger keeps trying: only that address waits, longer each time
        _login(app.test_client(), "guess", "198.51.100.66")
    assert _login(app.test_client(), PASSWORD, "198.51.100.66").status_code == 429
    assert _login(client, PASSWORD, "192.0.2.10").status_code == 303  # the owner, from their own address


def test_delays_grow_with_each_failure_and_end_after_the_wait(db):
    _account(db)
    now = utcnow()
    assert [ops.login_delay(n).total_seconds() for n in range(7)] == [0, 0, 0, 5, 10, 20, 40]
    assert ops.login_delay(40) == timedelta(minutes=15)

    def attempt(password, seconds):
        try:
            ops.authenticate(db, EMAIL, password, "198.51.100.1", now + timedelta(seconds=seconds))
        except ops.DomainError as error:
            return error.status, error.params.get("seconds")
        return 200, None

    assert [attempt("guess", 0) for _ in range(3)] == [(422, None)] * 3  # three free failures
    assert attempt(PASSWORD, 1) == (429, 4)  # then 5 s after the last failure, even with the password
    assert attempt("guess", 5) == (422, None)
    assert attempt(PASSWORD, 10) == (429, 5)  # then 10 s
    assert attempt(PASSWORD, 15) == (200, None)
    assert attempt(PASSWORD, 15) == (200, None)  # success forgets the failures of this address


def test_logout_ends_the_session_on_the_server(app, client, db):
    _account(db)
    assert post_form(client, "/account/login", {"email": EMAIL, "password": PASSWORD}).status_code == 303
    copied = client.get_cookie("session").value
    assert client.get("/secretariat/console/").status_code == 200
    page = client.get("/secretariat/console/").get_data(as_text=True)
    assert client.post("/account/logout", data={"csrf_token": csrf_token(page)}).status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/secretariat/console/").status_code in (302, 401)


def test_forgot_password_sends_a_one_time_link(client, db):
    _account(db)
    for address in (EMAIL.upper(), "nobody@example.org"):
        response = post_form(client, "/account/forgot-password", {"email": address},
                             headers={"Accept-Language": "fr"})
        assert response.status_code == 303
    post_form(client, "/account/forgot-password", {"email": EMAIL})  # again at once: no second e-mail
    db.expire_all()
    (message,) = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == "account.password_reset")).all()
    assert message.to_addresses == [EMAIL]
    link = re.search(r"/account/set-password/([A-Za-z0-9_-]+)", text_of(db, message)).group(0)
    new = "a brand new long password"
    assert post_form(client, link, {"password": new, "confirm": new}).status_code == 303
    assert client.get(link).status_code == 404  # used once
    assert _login(client, new, "192.0.2.10").status_code == 303
    assert db.scalar(sa.select(User.invitation_hash)) is None
