"""The two recurring jobs (sweep reminders, deliver the outbox) and the lock that keeps one scheduler."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from meetings.db import new_session, utcnow
from meetings.outbox.delivery import DeliveryReport, deliver_due
from meetings.outbox.session_messages import parse_offsets, sweep_reminders
from meetings.outbox.transports import transports_from_config
from scheduler.runner import Job

log = logging.getLogger(__name__)
ADVISORY_LOCK_KEY = 0x41435347  # "ACSG"


def sweep_job(app: Flask) -> int:
    """Queue due reminders (own transaction)."""
    with app.app_context():
        db = new_session(app)
        try:
            count = sweep_reminders(db, utcnow(), parse_offsets(app.config["REMINDER_OFFSETS"]))
            db.commit()
            return count
        finally:
            db.close()


def deliver_job(app: Flask, on_progress=None) -> DeliveryReport:
    """Deliver everything due."""
    with app.app_context():
        transports = transports_from_config(app.config, app.instance_path)
        report = deliver_due(lambda: new_session(app), transports, utcnow, on_progress=on_progress,
                             lease=timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"]))
        if report.claimed:
            log.info("outbox: %s sent, %s retrying, %s failed", report.sent, report.retrying, report.failed)
        return report


def scheduler_jobs(app: Flask) -> list[Job]:
    """The jobs of the scheduler process."""
    return [Job("sweep-reminders", lambda: sweep_job(app), app.config["REMINDER_SWEEP_SECONDS"]),
            Job("deliver-outbox", lambda: deliver_job(app), app.config["OUTBOX_DELIVER_SECONDS"])]


@contextmanager
def single_scheduler(app: Flask) -> Iterator[None]:
    """Hold the scheduler lock: a PostgreSQL advisory lock, or a file lock beside a SQLite database.

    A second copy started by mistake waits here instead of running every job twice.
    """
    engine = app.extensions["db_engine"]
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(sa.select(sa.func.pg_advisory_lock(ADVISORY_LOCK_KEY)))
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sa.select(sa.func.pg_advisory_unlock(ADVISORY_LOCK_KEY)))
                connection.commit()
        return
    path = Path(app.instance_path) / "scheduler.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
