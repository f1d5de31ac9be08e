"""The scheduler process: APScheduler runs the jobs, one copy at a time, and the operator commands work."""

from __future__ import annotations

import sys
import threading
import time

import pytest
import sqlalchemy as sa
from support.api import post_registration
from support.factories import make_meeting
from support.smtp_server import SmtpServer

from meetings.core import db as dbmod
from meetings.jobs.definitions import single_scheduler
from meetings.jobs.runner import SWITCH_INTERVAL_SECONDS, Job, start_in_background
from meetings.outbox.models import OutboxMessage


def test_background_scheduler_runs_its_jobs():
    ran = threading.Event()
    scheduler = start_in_background([Job("probe", ran.set, seconds=3600)])
    try:
        assert ran.wait(5), "the job did not run"
    finally:
        scheduler.shutdown(wait=False)


def test_a_second_scheduler_waits_for_the_first(live_app):
    entered = threading.Event()
    release = threading.Event()

    def second():
        with single_scheduler(live_app):
            entered.set()

    with single_scheduler(live_app):
        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        time.sleep(1.0)
        assert not entered.is_set(), "a second scheduler ran beside the first"
        release.set()
    assert entered.wait(10), "the second scheduler never got the lock after the first stopped"
    thread.join(5)


def test_outbox_deliver_command_sends_everything_due(live_app, committed, monkeypatch):
    with dbmod.new_session(live_app) as db:
        meeting = make_meeting(db, edition="2031-1")
        meeting_id, session_id = meeting.id, meeting.sessions[0].id
    client = live_app.test_client()
    for index in range(3):
        post_registration(client, meeting_id, session_id, f"cli{index}@example.org")
    with SmtpServer() as server:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        result = live_app.test_cli_runner().invoke(args=["outbox", "deliver"])
        assert result.exit_code == 0, result.output
        assert "sent 3" in result.output
        assert sorted(m.parsed()["To"] for m in server.messages) == [f"cli{i}@example.org" for i in range(3)]
    status = live_app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "sent: 3" in " ".join(status.output.split())
    with dbmod.new_session(live_app) as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                         .where(OutboxMessage.status == "sent")) == 3


def test_operator_commands_speak_the_chosen_language(live_app):
    french = live_app.test_cli_runner().invoke(args=["outbox", "status", "--language", "fr"])
    assert french.exit_code == 0 and "en attente" in french.output
    spanish = live_app.test_cli_runner().invoke(args=["db-upgrade", "--language", "es"])
    assert spanish.exit_code == 0 and "actualizada" in spanish.output


def test_the_scheduler_process_switches_threads_often():
    """The e-mail job's sender thread gets the interpreter lock soon after its SMTP server answers."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)  # CPython's default
    scheduler = start_in_background([Job("probe", lambda: None, seconds=3600)])
    try:
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_SECONDS) and SWITCH_INTERVAL_SECONDS < 0.001
    finally:
        scheduler.shutdown(wait=False)
        sys.setswitchinterval(before)
