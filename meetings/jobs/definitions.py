"""The recurring jobs of the scheduler process and its lock.

Reminders are swept, e-mails and webhooks delivered by separate jobs (APScheduler runs jobs in
parallel threads, so a slow webhook receiver never holds e-mail back), and background tasks (a session
moved or cancelled, a meeting anonymized, a roundtable's follow-up invitations) continue in batches.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from meetings.console.privacy import ANONYMIZE_MEETING, anonymize_step
from meetings.core.db import new_session, utcnow
from meetings.core.tasks import Step, run_tasks
from meetings.jobs.runner import Job
from meetings.outbox.delivery import deliver_job
from meetings.roundtables.followup import INVITE_WORKSTREAM, invite_workstream_step
from meetings.sessions.messages import NOTIFY_SESSION, notify_session_step, parse_offsets, sweep_reminders

log = logging.getLogger(__name__)
ADVISORY_LOCK_KEY = 0x41435347  # "ACSG"
TASK_STEPS: dict[str, Step] = {NOTIFY_SESSION: notify_session_step, ANONYMIZE_MEETING: anonymize_step,
                               INVITE_WORKSTREAM: invite_workstream_step}


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


def tasks_job(app: Flask, budget_seconds: float | None = 60.0, max_batches: int | None = None) -> int:
    """Carry the background tasks forward, one committed batch at a time; returns the batches run."""
    with app.app_context():
        return run_tasks(lambda: new_session(app), TASK_STEPS, utcnow, batch_size=app.config["BACKGROUND_TASK_BATCH"],
                         budget_seconds=budget_seconds, max_batches=max_batches)


def scheduler_jobs(app: Flask) -> list[Job]:
    """The jobs of the scheduler process."""
    return [Job("sweep-reminders", lambda: sweep_job(app), app.config["REMINDER_SWEEP_SECONDS"]),
            Job("background-tasks", lambda: tasks_job(app), app.config["BACKGROUND_TASK_SECONDS"]),
            Job("deliver-email", lambda: deliver_job(app, channel="email"), app.config["OUTBOX_DELIVER_SECONDS"]),
            Job("deliver-webhooks", lambda: deliver_job(app, channel="webhook"),
                app.config["WEBHOOK_DELIVER_SECONDS"])]


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
