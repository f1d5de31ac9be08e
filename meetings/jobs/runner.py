"""The job runner: APScheduler with interval jobs, started by one process only (never in create_app).

Takes plain callables, so it knows nothing of Flask or the database. ``run_forever`` blocks (the
``flask ... scheduler`` process); ``start_in_background`` is for the single-process development server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A callable run every ``seconds``; a run never overlaps the previous one."""

    name: str
    func: Callable[[], object]
    seconds: float


def _configure(scheduler, jobs: Sequence[Job], first_run: datetime):
    for job in jobs:
        scheduler.add_job(job.func, "interval", seconds=job.seconds, id=job.name, name=job.name,
                          max_instances=1, coalesce=True, next_run_time=first_run, misfire_grace_time=None)
    return scheduler


def run_forever(jobs: Sequence[Job], now: datetime | None = None) -> None:
    """Run the jobs in this thread until interrupted."""
    scheduler = _configure(BlockingScheduler(timezone=UTC), jobs, now or datetime.now(UTC))
    log.info("scheduler started with %s", ", ".join(j.name for j in jobs))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


def start_in_background(jobs: Sequence[Job], now: datetime | None = None) -> BackgroundScheduler:
    """Run the jobs in a daemon thread; the caller shuts the returned scheduler down."""
    scheduler = _configure(BackgroundScheduler(timezone=UTC, daemon=True), jobs, now or datetime.now(UTC))
    scheduler.start()
    return scheduler
