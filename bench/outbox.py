"""Bench: 2,000 messages through the outbox to a local aiosmtpd, one reused connection vs one per message.

Both runs go through the real delivery path (claim with a lease, compose, send, record each outcome in
its own transaction) on the same database and server in the same run; only the transport differs.
Run: .venv/bin/python bench/outbox.py [count] [--postgres]   (default: SQLite in a temporary folder;
--postgres uses BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench_outbox)
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from smtp import ICS, RemoteServer  # noqa: E402  (bench/smtp.py: aiosmtpd in a child process)
from support.databases import recreate_database  # noqa: E402

from meetings import create_app  # noqa: E402
from meetings.core.db import new_session  # noqa: E402
from meetings.core.migrate import upgrade_database  # noqa: E402
from meetings.outbox.delivery import deliver_due  # noqa: E402
from meetings.outbox.enqueue import RenderedEmail, enqueue_email  # noqa: E402
from meetings.outbox.models import OutboxMessage  # noqa: E402
from meetings.outbox.transports import Transports  # noqa: E402
from notifications.smtp import SmtpSettings, send_one  # noqa: E402

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
TEXT = "Bonjour,\nVotre inscription est confirmée.\n" * 5
HTML = "<p>Bonjour,</p><p>Votre inscription est confirmée.</p>" * 5


class PerMessage(Transports):
    """The baseline: a new SMTP connection for every message."""

    @contextmanager
    def mailer(self) -> Iterator[object]:
        settings = self.smtp

        class _Sender:
            def send(self, msg):
                send_one(settings, msg)
                return {}

        yield _Sender()


def fill(app, run: str, count: int) -> None:
    """Queue ``count`` invitation e-mails."""
    with app.app_context(), new_session(app) as db:
        for n in range(count):
            enqueue_email(db, key=f"bench:{run}:{n}", topic="bench", to=[f"p{n}@example.org"], language="fr",
                          email=RenderedEmail(f"Invitation : réunion mondiale — session A ({n})", TEXT, HTML),
                          now=NOW, calendar=ICS, calendar_method="REQUEST")
        db.commit()


def deliver(app, transports: Transports) -> tuple[float, int]:
    """Deliver everything due; returns (seconds, messages sent)."""
    started = time.perf_counter()
    with app.app_context():
        report = deliver_due(lambda: new_session(app), transports, lambda: NOW, batch_size=200)
    assert report.failed == report.retrying == 0, report
    return time.perf_counter() - started, report.sent


def main() -> None:
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "2000"))
    with tempfile.TemporaryDirectory() as folder:
        if "--postgres" in sys.argv:
            import os

            url = recreate_database(os.environ.get(
                "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench_outbox"))
        else:
            url = f"sqlite:///{folder}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        upgrade_database(app.extensions["db_engine"])
        with RemoteServer() as server:
            settings = SmtpSettings(server.host, server.port, timeout=30)
            mail_from = "Secrétariat ACSG <secretariat@acsg.example>"
            reused = Transports(mail_from=mail_from, smtp=settings, mail_folder=None)
            baseline = PerMessage(mail_from=mail_from, smtp=settings, mail_folder=None)
            results = {}
            for label, transports in (("one connection per message", baseline), ("one reused connection", reused)):
                fill(app, label, count)
                before = server.stats()[1]
                seconds, sent = deliver(app, transports)
                results[label] = (seconds, sent, server.stats()[1] - before)
        with app.app_context(), new_session(app) as db:
            assert db.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == "sent")) == 2 * count
        app.extensions["db_engine"].dispose()
    backend = "PostgreSQL" if "--postgres" in sys.argv else "SQLite"
    print(f"outbox delivery of {count} messages to a local aiosmtpd ({backend}, batches of 200)")
    for label, (seconds, sent, connections) in results.items():
        print(f"{label:<28} {sent:>5} sent  {connections:>5} SMTP connections  {seconds:6.2f} s  "
              f"{sent / seconds:7.1f} msg/s")
    base, fast = results["one connection per message"], results["one reused connection"]
    print(f"ratio reused/per-message throughput: {(fast[1] / fast[0]) / (base[1] / base[0]):.2f}x")


if __name__ == "__main__":
    main()
