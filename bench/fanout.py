"""Bench: the secretariat moves a session of 2,000 confirmed registrants; the scheduler tells them all.

On PostgreSQL (BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench_fanout;
the database is dropped and recreated). Prints, in the same run:
- the old way: the move and every registrant's message queued inside one transaction (what the request
  used to do), timed on a twin meeting of the same size;
- the request time of the real page (``POST /secretariat/meetings/<id>/plan/apply``, logged in, CSRF);
- then the scheduler's background task and e-mail delivery running side by side, as in the scheduler
  process, to an aiosmtpd server on loopback in a child process: the time until the last message
  arrives and messages per second; every registrant must receive exactly one update whose SEQUENCE is
  higher than their previous invite's.
Run: .venv/bin/python bench/fanout.py [registrants]   (default 2000)
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.databases import recreate_database  # noqa: E402
from support.pages import csrf_token  # noqa: E402
from support.smtp_server import SmtpServer  # noqa: E402

from meetings import create_app, demo  # noqa: E402
from meetings.accounts import operations as accounts  # noqa: E402
from meetings.core.db import new_session, utcnow  # noqa: E402
from meetings.core.migrate import upgrade_database  # noqa: E402
from meetings.core.tasks import BackgroundTask, run_tasks  # noqa: E402
from meetings.core.vocabulary import CATEGORY_CODES  # noqa: E402
from meetings.jobs.definitions import TASK_STEPS  # noqa: E402
from meetings.jobs.runner import configure_interpreter  # noqa: E402
from meetings.models import GlobalMeeting, MeetingSession, Registration  # noqa: E402
from meetings.organizations.models import Organization  # noqa: E402
from meetings.outbox.delivery import deliver_due  # noqa: E402
from meetings.outbox.models import OutboxMessage  # noqa: E402
from meetings.outbox.transports import Transports  # noqa: E402
from meetings.sessions.messages import notify_session_batch  # noqa: E402
from meetings.sessions.operations import reschedule_session  # noqa: E402
from notifications.smtp import SmtpSettings  # noqa: E402

PASSWORD = "correct horse battery staple"
PLAN = {"date": "2027-03-17", "duration": "180", "window": "08:00-20:00", "interpreters": "07:00-22:00",
        "step": "15", "min_gap": "60", "same_day": "y", "tolerance": "0", "rotate": "y", "source": "member_states"}
ZONES = ("Europe/Berlin", "America/Mexico_City", "Asia/Bangkok", "Africa/Nairobi", "Pacific/Auckland")
SEQUENCE = re.compile(rb"^SEQUENCE:(\d+)", re.M)


class Receiver:
    """aiosmtpd on loopback in a child process; reports per recipient the SEQUENCE of each invite received."""

    def __enter__(self) -> Receiver:
        self._pipe, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        self.host, self.port = self._pipe.recv()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=10)

    def count(self) -> int:
        """Messages received so far."""
        self._pipe.send("count")
        return self._pipe.recv()

    def sequences(self) -> dict[str, list[int]]:
        """Recipient -> SEQUENCE of every message received."""
        self._pipe.send("sequences")
        return self._pipe.recv()


def _serve(pipe: Connection) -> None:
    with SmtpServer() as server:
        pipe.send((server.host, server.port))
        while (command := pipe.recv()) != "stop":
            with server.lock:
                messages = list(server.messages)
            if command == "count":
                pipe.send(len(messages))
            else:
                found: dict[str, list[int]] = {}
                for message in messages:
                    match = SEQUENCE.search(message.data.replace(b"\r\n", b"\n"))
                    for rcpt in message.rcpt_tos:
                        found.setdefault(rcpt, []).append(int(match.group(1)) if match else -1)
                pipe.send(found)


def make_meeting(db, edition: str, registrants: int) -> GlobalMeeting:
    """An open meeting whose session A holds ``registrants`` confirmed registrations (invited at SEQUENCE 0)."""
    meeting = GlobalMeeting(edition=edition, title_en="Bench", title_fr="Banc", title_es="Banco", status="open",
                            description_en="", description_fr="", description_es="",
                            allowed_categories=list(CATEGORY_CODES), duration_minutes=180)
    for label, hour in (("A", 7), ("B", 15)):
        meeting.sessions.append(MeetingSession(label=label, capacity=100_000, duration_minutes=180,
                                               starts_at=datetime(2027, 3, 17, hour, tzinfo=UTC),
                                               join_url=f"https://meet.example.org/{edition}-{label}",
                                               floor_languages=["en", "fr", "es"]))
    organization = Organization(name=f"Agency {edition}", name_key=f"agency {edition}",
                                category="national_asylum_authority", country="DE")
    db.add_all([meeting, organization])
    db.flush()
    now = utcnow()
    session = meeting.sessions[0]
    db.add_all([Registration(meeting_id=meeting.id, session_id=session.id, organization_id=organization.id,
                             name=f"Person {n}", email=f"{edition}-{n}@example.org",
                             email_key=f"{edition}-{n}@example.org", language=("en", "fr", "es")[n % 3],
                             timezone=ZONES[n % len(ZONES)], consent_given_at=now, status="confirmed",
                             email_verified_at=now)
                for n in range(registrants)])
    db.commit()
    return meeting


def old_way(app, meeting_id: int) -> float:
    """The move as the request used to do it: every registrant's message queued in its transaction.

    (Since issue 13 a queued message records facts and is composed at delivery, so this is cheaper than when
    the request rendered every e-mail.)
    """
    with app.test_request_context(), new_session(app) as db:
        session = db.scalars(sa.select(MeetingSession).where(MeetingSession.meeting_id == meeting_id,
                                                             MeetingSession.label == "A")).one()
        started = time.perf_counter()
        now = utcnow()
        reschedule_session(db, session, session.starts_at + timedelta(hours=2), 180, None, now)
        notify_session_batch(db, session, now, limit=None)
        db.commit()
        seconds = time.perf_counter() - started
        db.execute(sa.delete(BackgroundTask))  # the new code also recorded a task: not part of the old way
        db.execute(sa.delete(OutboxMessage))
        db.commit()
    return seconds


def main() -> None:
    configure_interpreter()  # the background steps and the delivery run here as in the scheduler process
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "2000"))
    url = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench_fanout")
    recreate_database(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_BASE_URL": "https://dialogue.example.org"})
    upgrade_database(app.extensions["db_engine"])
    with app.app_context(), new_session(app) as db:
        demo.seed_workstreams(db)
        old_meeting = make_meeting(db, "old", count).id
        meeting_id = make_meeting(db, "new", count).id
        accounts.create_account(db, email="sec@example.org", name="Secretariat", role="secretariat",
                                password=PASSWORD)
        db.commit()

    old_seconds = old_way(app, old_meeting)

    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    assert client.post("/account/login", data={"email": "sec@example.org", "password": PASSWORD,
                                               "csrf_token": csrf_token(page)}).status_code == 303
    page = client.post(f"/secretariat/meetings/{meeting_id}/plan",
                       data={**PLAN, "csrf_token": csrf_token(client.get(
                           f"/secretariat/meetings/{meeting_id}/plan").get_data(as_text=True))}).get_data(as_text=True)
    started = time.perf_counter()
    response = client.post(f"/secretariat/meetings/{meeting_id}/plan/apply",
                           data={**PLAN, "confirmed": "yes", "csrf_token": csrf_token(page)})
    request_seconds = time.perf_counter() - started
    assert response.status_code == 303, response.status_code

    with Receiver() as receiver:
        transports = Transports(mail_from="ACSG Dialogue Platform <dialogue@acsg.example.org>",
                                smtp=SmtpSettings(receiver.host, receiver.port, timeout=30), mail_folder=None)
        tasks_done = threading.Event()
        started = time.perf_counter()

        def background_tasks() -> None:
            with app.app_context():
                run_tasks(lambda: new_session(app), TASK_STEPS, utcnow, batch_size=app.config["BACKGROUND_TASK_BATCH"])
            tasks_done.set()

        worker = threading.Thread(target=background_tasks)
        worker.start()
        sent = 0
        with app.app_context():
            while True:
                finished = tasks_done.is_set()
                sent += deliver_due(lambda: new_session(app), transports, utcnow, channel="email",
                                    batch_size=200).sent
                if finished:
                    break
                time.sleep(0.2)
        while receiver.count() < sent:
            time.sleep(0.01)
        delivered_seconds = time.perf_counter() - started
        worker.join()
        sequences = receiver.sequences()

    with app.app_context(), new_session(app) as db:
        task = db.scalars(sa.select(BackgroundTask).join(
            MeetingSession, MeetingSession.id == BackgroundTask.subject_id).where(
            MeetingSession.meeting_id == meeting_id, MeetingSession.label == "A")).one()
        leftovers = db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status != "sent"))
    per_person = Counter(len(v) for k, v in sequences.items() if k.startswith("new-"))
    assert task.status == "done" and task.done == count and task.failures == 0, task
    assert per_person == Counter({1: count}), per_person
    assert all(v[0] >= 1 for k, v in sequences.items() if k.startswith("new-")), "SEQUENCE not above the invite's"
    assert leftovers == 0 and sent == count
    app.extensions["db_engine"].dispose()

    print(f"moving a session of {count} confirmed registrants (PostgreSQL, aiosmtpd on loopback)")
    print(f"old way (move + {count} messages queued in the request's transaction): {old_seconds:7.3f} s")
    print(f"secretariat's move request (POST .../plan/apply, background task recorded): {request_seconds:7.3f} s")
    print(f"request speed-up: {old_seconds / request_seconds:.1f}x")
    print(f"background: last of {sent} messages received after {delivered_seconds:7.2f} s "
          f"({sent / delivered_seconds:.1f} messages/s, batches of {app.config['BACKGROUND_TASK_BATCH']}); "
          f"each registrant exactly one update with SEQUENCE {min(v[0] for v in sequences.values())}"
          f" > 0 (the previous invite's)")


if __name__ == "__main__":
    main()
