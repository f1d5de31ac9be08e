"""Bench: the delivery worker composing and sending one real message per registrant vs the bare transport.

A meeting's session A holds ``count`` verified, confirmed registrants (inserted directly, like
bench/fanout.py); the session is moved and the fan-out step queues one ``session_changed`` message per
registrant (recorded facts, composed at delivery). Then, in the same run, against the same local aiosmtpd
(a child process, bench/smtp.py):

(b) bare transport: the same messages composed first (untimed, into the bytes SMTP carries), then sent
    through one SMTP connection with no database: messages/s (sent once before (a) and once after, the mean
    counts, so a change of load on the machine during the run weighs on both alike);
(b') for comparison with figures measured before the worker wrote wire bytes (d05fb13 and earlier): the same
    messages as std-lib ``EmailMessage`` trees (compose_email), flattened by smtplib as they are sent, which is
    what (b) measured then; informative only, the target ratio is (a)/(b);
(a) full path: ``deliver_due`` (claim, compose in the recipient's language and zone, send on one connection,
    record the outcomes): messages/s; every registrant must receive exactly one message, every row ``sent``;

and prints both, the ratio (a)/(b), the composing cost per message (compose_batch, then wire bytes), and, unless
``--quick``, the old comparison: the full path again (the session moved once more) with one SMTP connection
per message.
Run: .venv/bin/python bench/outbox.py [count] [--sqlite] [--quick] [--batch N]
(default PostgreSQL at BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench_outbox,
dropped and recreated; --sqlite: a file in a temporary folder)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from fanout import make_meeting  # noqa: E402  (bench/fanout.py: a meeting with confirmed, verified registrants)
from smtp import RemoteServer  # noqa: E402  (bench/smtp.py: aiosmtpd in a child process)
from support.databases import recreate_database  # noqa: E402

from meetings import create_app  # noqa: E402
from meetings.core.db import new_session, utcnow  # noqa: E402
from meetings.core.migrate import upgrade_database  # noqa: E402
from meetings.core.tasks import BackgroundTask  # noqa: E402
from meetings.jobs.runner import configure_interpreter  # noqa: E402
from meetings.models import MeetingSession  # noqa: E402
from meetings.outbox.composing import Composed, app_composers  # noqa: E402
from meetings.outbox.delivery import build_email, deliver_due  # noqa: E402
from meetings.outbox.models import OutboxMessage  # noqa: E402
from meetings.outbox.transports import Transports  # noqa: E402
from meetings.sessions.messages import notify_session_batch  # noqa: E402
from meetings.sessions.operations import reschedule_session  # noqa: E402
from notifications.mail import compose_email  # noqa: E402
from notifications.smtp import SmtpSettings, SmtpTransport, send_one  # noqa: E402

MAIL_FROM = "ACSG Dialogue Platform <dialogue@acsg.example.org>"


class PerMessage(Transports):
    """The old baseline: a new SMTP connection for every message."""

    @contextmanager
    def mailer(self) -> Iterator[object]:
        settings = self.smtp

        class _Sender:
            def send(self, msg):
                send_one(settings, msg)
                return {}

        yield _Sender()


def move_session(app, meeting_id: int, hours: int) -> int:
    """Move session A by ``hours`` and queue every registrant's message (the fan-out step); returns how many."""
    with app.app_context(), new_session(app) as db:
        session = db.scalars(sa.select(MeetingSession).where(MeetingSession.meeting_id == meeting_id,
                                                             MeetingSession.label == "A")).one()
        now = utcnow()
        previous = (session.starts_at, session.ends_at)
        reschedule_session(db, session, session.starts_at + timedelta(hours=hours), session.duration_minutes,
                           None, now)
        notify_session_batch(db, session, now, limit=None, previous=previous)
        db.execute(sa.delete(BackgroundTask))  # the step ran here, untimed: no task for the scheduler
        db.commit()
        return db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.channel == "email", OutboxMessage.status == "pending"))


def precompose(app, transports: Transports) -> tuple[list, list, float, float]:
    """Every pending message composed into the bytes SMTP carries (as the worker does) and, for (b'), into
    std-lib trees; returns (messages, trees, compose_batch seconds, wire-bytes seconds)."""
    with app.app_context(), new_session(app) as db:
        rows = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email",
                                                         OutboxMessage.status == "pending")
                          .order_by(OutboxMessage.id)).all()
        started = time.perf_counter()
        composed = app_composers().compose_batch(db, rows, utcnow())
        compose_seconds = time.perf_counter() - started
        assert all(isinstance(c, Composed) for c in composed.values()), Counter(type(c) for c in composed.values())
        started = time.perf_counter()
        now = utcnow()
        messages = [build_email(row, composed[row.id], transports, now) for row in rows]
        mime_seconds = time.perf_counter() - started
        trees = [build_email(row, composed[row.id], transports, now, write=compose_email) for row in rows]
        db.rollback()
    return messages, trees, compose_seconds, mime_seconds


def bare(server: RemoteServer, transports: Transports, messages: list) -> float:
    """Send pre-composed ``messages`` on one connection, no database; returns the seconds taken."""
    before = server.stats()[0]
    started = time.perf_counter()
    with SmtpTransport(transports.smtp) as transport:
        for message in messages:
            transport.send(message)
    seconds = time.perf_counter() - started
    assert server.stats()[0] - before == len(messages), "bare transport: messages lost"
    return seconds


def full(app, server: RemoteServer, transports: Transports, batch_size: int, expected: int) -> tuple[float, int]:
    """Deliver everything due through the real path; check one message per registrant; returns (seconds, sent)."""
    before = Counter(server.recipients())
    started = time.perf_counter()
    with app.app_context():
        report = deliver_due(lambda: new_session(app), transports, utcnow, batch_size=batch_size, channel="email")
    seconds = time.perf_counter() - started
    assert report.failed == report.retrying == report.superseded == 0, report
    received = Counter(server.recipients())
    received.subtract(before)
    per_person = Counter(n for n in received.values() if n)
    assert per_person == Counter({1: expected}), f"messages per registrant: {per_person}"
    with app.app_context(), new_session(app) as db:
        waiting = db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.channel == "email", OutboxMessage.status != "sent"))
    assert waiting == 0 and report.sent == expected, (waiting, report)
    return seconds, report.sent


def main() -> None:
    configure_interpreter()  # the delivery runs here as in the scheduler process, with its interpreter settings
    args = sys.argv[1:]
    count = int(next((a for a in args if a.isdigit() and args[args.index(a) - 1] != "--batch"), "2000"))
    batch_size = int(args[args.index("--batch") + 1]) if "--batch" in args else 100
    sqlite = "--sqlite" in args
    with tempfile.TemporaryDirectory() as folder:
        if sqlite:
            url = f"sqlite:///{folder}/bench.sqlite3"
        else:
            url = recreate_database(os.environ.get(
                "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench_outbox"))
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench",
                          "PUBLIC_BASE_URL": "https://dialogue.example.org"})
        upgrade_database(app.extensions["db_engine"])
        with app.app_context(), new_session(app) as db:
            meeting_id = make_meeting(db, "bench", count).id
        with RemoteServer() as server:
            settings = SmtpSettings(server.host, server.port, timeout=30)
            transports = Transports(mail_from=MAIL_FROM, smtp=settings, mail_folder=None)
            queued = move_session(app, meeting_id, 2)
            assert queued == count, queued
            messages, trees, compose_seconds, mime_seconds = precompose(app, transports)
            bare_before = bare(server, transports, messages)
            tree_seconds = bare(server, transports, trees)
            full_seconds, full_sent = full(app, server, transports, batch_size, count)
            bare_after = bare(server, transports, messages)  # again: load changes during the run hit both alike
            old = None
            if "--quick" not in args:
                assert move_session(app, meeting_id, 1) == count
                old = full(app, server, PerMessage(mail_from=MAIL_FROM, smtp=settings, mail_folder=None),
                           batch_size, count)
        app.extensions["db_engine"].dispose()
    bare_sent, bare_seconds = len(messages), (bare_before + bare_after) / 2
    bare_rate, full_rate = bare_sent / bare_seconds, full_sent / full_seconds
    print(f"outbox: {count} registrants told their session moved, local aiosmtpd in a child process "
          f"({'SQLite' if sqlite else 'PostgreSQL'}, delivery batches of {batch_size})")
    print(f"(b) bare transport, pre-composed wire bytes, one connection, no database: {bare_sent:>5} sent "
          f"{bare_seconds:6.2f} s {bare_rate:7.1f} msg/s (mean of a run before (a), "
          f"{bare_sent / bare_before:.1f} msg/s, and one after, {bare_sent / bare_after:.1f} msg/s)")
    print(f"(b') the same as std-lib EmailMessage trees flattened by smtplib at send (the transport before "
          f"wire bytes): {len(trees):>5} sent {tree_seconds:6.2f} s {len(trees) / tree_seconds:7.1f} msg/s")
    print(f"(a) full path (claim, compose, send, record), one connection/batch: {full_sent:>5} sent "
          f"{full_seconds:6.2f} s {full_rate:7.1f} msg/s")
    print(f"ratio (a)/(b): {full_rate / bare_rate:.2f} (target >= 0.5); for comparison with older figures, "
          f"(a)/(b'): {full_rate / (len(trees) / tree_seconds):.2f}")
    print(f"composing per message: {1000 * compose_seconds / bare_sent:.2f} ms (compose_batch incl. prepare) "
          f"+ {1000 * mime_seconds / bare_sent:.2f} ms (wire bytes)")
    if old is not None:
        seconds, sent = old
        print(f"old comparison, full path with one SMTP connection per message: {sent:>5} sent {seconds:6.2f} s "
              f"{sent / seconds:7.1f} msg/s (reused connection: {full_rate / (sent / seconds):.2f}x)")


if __name__ == "__main__":
    main()
