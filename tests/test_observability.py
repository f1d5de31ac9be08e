"""Operating the service: request ids and logs, /metrics and who may read it, /readyz, db-status, job logs."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY
from support.api import registration_payload
from support.factories import make_meeting
from support.pages import csrf_token, post_form

from meetings import create_app
from meetings.accounts import operations as accounts
from meetings.core.audit import AuditEntry
from meetings.core.db import utcnow
from meetings.core.migrate import upgrade_database
from meetings.jobs.runner import Job, run_logged
from meetings.observability.requestlog import JsonFormatter, TextFormatter
from meetings.outbox.models import OutboxMessage

PASSWORD = "correct horse battery staple"
PLAN = {"date": "2027-03-18", "duration": "180", "window": "08:00-20:00", "interpreters": "07:00-22:00",
        "step": "15", "min_gap": "60", "same_day": "y", "tolerance": "0", "rotate": "y", "source": "member_states"}


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _metric_lines(text: str, name: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line.startswith(name + "{") or line.startswith(name + " ")}


def test_every_answer_carries_a_request_id_and_a_sane_incoming_one_is_kept(client):
    fresh = client.get("/healthz").headers["X-Request-ID"]
    assert len(fresh) == 32 and int(fresh, 16) >= 0
    assert client.get("/healthz").headers["X-Request-ID"] != fresh
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a:42_x.y-z"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a:42_x.y-z"
    for hostile in ("short", "has spaces in it", "<script>alert(1)</script>", "x" * 65, "id\tSet-Cookie: a=b"):
        replaced = client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
        assert replaced != hostile and len(replaced) == 32


def test_outbox_rows_remember_the_request_that_caused_them(client, db):
    meeting = make_meeting(db)
    response = client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                           json=registration_payload(meeting.sessions[0].id), headers={"X-Request-ID": "req-00000001"})
    assert response.status_code == 201
    rows = db.scalars(sa.select(OutboxMessage)).all()
    assert rows and {row.request_id for row in rows} == {"req-00000001"}


def test_audit_entries_remember_the_request_that_caused_them(client, db):
    meeting = make_meeting(db)
    accounts.create_account(db, email="sec@unhcr.example.org", name="Staff", role="secretariat", password=PASSWORD)
    db.commit()
    assert post_form(client, "/account/login", {"email": "sec@unhcr.example.org", "password": PASSWORD}).status_code \
        == 303
    page = client.get(f"/secretariat/meetings/{meeting.id}/plan").get_data(as_text=True)
    response = client.post(f"/secretariat/meetings/{meeting.id}/plan/apply",
                           data={**PLAN, "confirmed": "yes", "csrf_token": csrf_token(page)},
                           headers={"X-Request-ID": "apply-plan-0001"})
    assert response.status_code == 303
    entries = db.scalars(sa.select(AuditEntry)).all()
    assert entries and {entry.request_id for entry in entries} == {"apply-plan-0001"}
    updates = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic != "registration.confirmed")).all()
    assert all(row.request_id == "apply-plan-0001" for row in updates)


def test_rows_written_outside_a_request_have_no_request_id(app_context, db):
    from meetings.core.audit import record_action

    entry = record_action(db, None, "test.action", "meeting", None, utcnow())
    assert entry.request_id is None


def test_one_log_line_per_request_as_text_or_json(client, caplog):
    with caplog.at_level(logging.INFO, logger="meetings.requests"):
        response = client.get("/healthz", headers={"X-Request-ID": "log-line-0001"})
    records = [r for r in caplog.records if r.name == "meetings.requests"]
    assert len(records) == 1
    record = records[0]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "log-line-0001" == response.headers["X-Request-ID"]
    assert line["status"] == 200 and line["method"] == "GET" and line["path"] == "/healthz"
    assert line["endpoint"] == "health.healthz" and line["duration_ms"] >= 0
    text = TextFormatter().format(record)
    assert "[log-line-0001]" in text and "status=200" in text and "\n" not in text


def test_a_crafted_path_cannot_forge_log_lines(client, caplog):
    with caplog.at_level(logging.INFO, logger="meetings.requests"):
        client.get("/nothing%0A2026-01-01 INFO forged")
    record = next(r for r in caplog.records if r.name == "meetings.requests")
    assert "\n" not in TextFormatter().format(record) and "\\n2026-01-01" in record.getMessage()


def test_scheduler_logs_every_job_run_and_reports_its_outcome(caplog):
    seen = []

    def broken():
        raise RuntimeError("no database")

    with caplog.at_level(logging.INFO, logger="meetings.jobs.runner"):
        run_logged(Job("fine", lambda: None, 60), lambda *args: seen.append(args))
        run_logged(Job("broken", broken, 60), lambda *args: seen.append(args))
    assert [(name, outcome) for name, _seconds, outcome in seen] == [("fine", "ok"), ("broken", "error")]
    fields = [r.fields for r in caplog.records if getattr(r, "fields", None)]
    assert [(f["job"], f["outcome"]) for f in fields] == [("fine", "ok"), ("broken", "error")]
    assert any(r.exc_info and "no database" in str(r.exc_info[1]) for r in caplog.records)


def test_metrics_count_requests_and_read_the_database(client, db):
    meeting = make_meeting(db)
    endpoint = "registrations_api.MeetingRegistrations"
    before = _sample("acsg_http_requests_total", endpoint=endpoint, method="POST", status="201")
    for index in range(3):
        client.post(f"/api/v1/meetings/{meeting.id}/registrations",
                    json=registration_payload(meeting.sessions[0].id, f"m{index}@example.org"))
    assert _sample("acsg_http_requests_total", endpoint=endpoint, method="POST", status="201") == before + 3
    assert _sample("acsg_http_request_duration_seconds_count", endpoint=endpoint, method="POST") >= 3
    row = db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).first()
    row.next_attempt_at = utcnow() - timedelta(minutes=10)
    db.commit()
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    assert _metric_lines(text, "acsg_registrations")['acsg_registrations{status="confirmed"}'] == 3
    assert _metric_lines(text, "acsg_outbox_messages")['acsg_outbox_messages{channel="email",state="pending"}'] == 3
    assert _metric_lines(text, "acsg_outbox_messages")['acsg_outbox_messages{channel="email",state="failed"}'] == 0
    assert 'state="sent"' not in text  # sent rows are history, not depth
    age = _metric_lines(text, "acsg_outbox_oldest_due_age_seconds")["acsg_outbox_oldest_due_age_seconds"]
    assert 590 <= age <= 900
    assert _metric_lines(text, "acsg_database_up")["acsg_database_up"] == 1
    assert "acsg_http_request_duration_seconds_bucket" in text


def test_deliveries_are_counted_by_channel_and_outcome(live_app, committed, monkeypatch):
    from support.smtp_server import SmtpServer

    from meetings.core import db as dbmod

    with dbmod.new_session(live_app) as session:
        meeting = make_meeting(session, edition="2032-1")
        meeting_id, session_id = meeting.id, meeting.sessions[0].id
    client = live_app.test_client()
    for index in range(2):
        client.post(f"/api/v1/meetings/{meeting_id}/registrations",
                    json=registration_payload(session_id, f"d{index}@example.org"))
    sent = _sample("acsg_outbox_deliveries_total", channel="email", outcome="sent")
    retrying = _sample("acsg_outbox_deliveries_total", channel="email", outcome="retrying")
    with SmtpServer() as server:
        server.refuse["d1@example.org"] = "451 4.3.0 Try again later"
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        result = live_app.test_cli_runner().invoke(args=["outbox", "deliver"])
        assert result.exit_code == 0, result.output
    assert _sample("acsg_outbox_deliveries_total", channel="email", outcome="sent") == sent + 1
    assert _sample("acsg_outbox_deliveries_total", channel="email", outcome="retrying") == retrying + 1


def test_rate_limit_refusals_are_counted(client, db):
    accounts.create_account(db, email="sec@unhcr.example.org", name="Staff", role="secretariat", password=PASSWORD)
    db.commit()
    before = _sample("acsg_rate_limit_refusals_total", endpoint="accounts.login")
    statuses = [post_form(client, "/account/login", {"email": "sec@unhcr.example.org", "password": "wrong"})
                .status_code for _ in range(7)]
    refused = statuses.count(429)  # the login throttle refuses after a few failures
    assert refused >= 1
    assert _sample("acsg_rate_limit_refusals_total", endpoint="accounts.login") == before + refused


def test_metrics_only_for_allowed_addresses_or_the_token(app, client, monkeypatch):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"}).status_code == 200
    hidden = client.get("/metrics", environ_base=outside)
    assert hidden.status_code == 404 and "acsg_" not in hidden.get_data(as_text=True)
    # A reverse proxy on loopback must not open /metrics to every visitor.
    assert client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 404
    assert client.get("/metrics", headers={"Forwarded": "for=198.51.100.7"}).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-token-123")
    assert client.get("/metrics", environ_base=outside).status_code == 403
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": "Bearer wrong"}).status_code == 403
    allowed = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer scrape-token-123"})
    assert allowed.status_code == 200 and "acsg_http_requests_total" in allowed.get_data(as_text=True)
    monkeypatch.setitem(app.extensions, "metrics_networks", [])
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403


def test_allowed_networks_come_from_the_setting(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "x",
                      "METRICS_ALLOWED_IPS": "10.0.0.0/8, 2001:db8::/32"})
    try:
        client = app.test_client()
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "2001:db8::5"}).status_code == 200
        assert client.get("/metrics").status_code == 404  # loopback is no longer in the list
    finally:
        app.extensions["db_engine"].dispose()


def test_readyz_is_ok_then_names_a_stuck_outbox(app, client, db):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["migrations"]["current"] == body["checks"]["migrations"]["head"]
    meeting = make_meeting(db)
    client.post(f"/api/v1/meetings/{meeting.id}/registrations", json=registration_payload(meeting.sessions[0].id))
    db.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(hours=2)))
    db.commit()
    stuck = client.get("/readyz")
    assert stuck.status_code == 503
    assert stuck.get_json()["failed"] == ["outbox"]
    assert stuck.get_json()["checks"]["outbox"]["oldest_due_age_seconds"] >= 7000
    assert client.get("/healthz").status_code == 200  # liveness does not care


def test_readyz_and_db_status_when_the_database_is_behind(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "x"})
    try:
        engine = app.extensions["db_engine"]
        upgrade_database(engine, "0007")
        behind = app.test_client().get("/readyz")
        assert behind.status_code == 503 and behind.get_json()["failed"] == ["migrations"]
        assert behind.get_json()["checks"]["migrations"]["current"] == ["0007"]
        runner = app.test_cli_runner()
        result = runner.invoke(args=["db-status"])
        assert result.exit_code == 1 and "behind" in result.output and "db-upgrade" in result.output
        french = runner.invoke(args=["db-status", "--language", "fr"])
        assert french.exit_code == 1 and "en retard" in french.output
        upgrade_database(engine)
        assert app.test_client().get("/readyz").status_code == 200
        done = runner.invoke(args=["db-status", "--language", "es"])
        assert done.exit_code == 0 and "al día" in done.output
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = 'f00d'"))
        ahead = runner.invoke(args=["db-status"])
        assert ahead.exit_code == 1 and "f00d" in ahead.output and "newer code" in ahead.output
    finally:
        app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_a_database_that_does_not_answer(path):
    app = create_app({"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2",
                      "TESTING": True, "SECRET_KEY": "x"})
    response = app.test_client().get(path)
    if path == "/readyz":
        assert response.status_code == 503 and response.get_json()["failed"] == ["database"]
    else:
        assert response.status_code == 200 and "acsg_database_up 0.0" in response.get_data(as_text=True)
