"""Carrying background tasks to their end in a test, as the scheduler process does after the request."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from meetings.core import db as dbmod
from meetings.core.db import utcnow
from meetings.core.tasks import Step, run_tasks
from meetings.jobs.definitions import TASK_STEPS


def run_background_tasks(app: Flask, db=None, *, batch_size: int = 200, max_batches: int | None = None,
                         steps: Mapping[str, Step] = TASK_STEPS) -> int:
    """Commit ``db`` (the request's work) if given, then run the tasks job's batches, each on a fresh session
    committing for itself (``steps``: the job's own unless a test wraps one); returns the batches run."""
    if db is not None:
        db.commit()
    with app.app_context():
        batches = run_tasks(lambda: dbmod.new_session(app), steps, utcnow, batch_size=batch_size,
                            max_batches=max_batches)
    if db is not None:
        db.expire_all()
    return batches
