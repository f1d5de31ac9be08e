"""The job runner: APScheduler with interval jobs, started by one process only (never in create_app).

Takes plain callables, so it knows nothing of Flask or the database. ``run_forever`` blocks (the
``flask ... scheduler`` process); ``start_in_background`` is for the single-process development server.
"""

from __future__ import annotations

import logging
import sys
import time
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


Observer = Callable[[str, float, str], None]

# The jobs run in threads of one process, and the e-mail job sends from a thread of its own that mostly waits
# for its SMTP server while the job's main thread composes the next messages (pure CPU). With CPython's
# default switch interval (5 ms), a thread whose reply has arrived waits up to that long for the interpreter
# lock, four times a message (MAIL, RCPT, DATA, end of data): measured with bench/outbox.py, the composing
# thread then spent about half of its time waiting for the sender to catch up. At 0.2 ms it barely waits.
SWITCH_INTERVAL_SECONDS = 0.0002


def configure_interpreter() -> None:
    """The interpreter settings of a process that runs the jobs (the switch interval above)."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)


def run_logged(job: Job, observe: Observer | None = None) -> None:
    """Run ``job`` once; log its name, duration and outcome (``ok`` or ``error``) and tell ``observe``."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        job.func()
    except Exception:
        outcome = "error"
        log.exception("job %s failed", job.name)
    seconds = time.perf_counter() - started
    log.info("job %s %s in %.3fs", job.name, outcome, seconds,
             extra={"fields": {"job": job.name, "outcome": outcome, "duration_s": round(seconds, 3)}})
    if observe is not None:
        observe(job.name, seconds, outcome)


def _configure(scheduler, jobs: Sequence[Job], first_run: datetime, observe: Observer | None = None):
    for job in jobs:
        scheduler.add_job(run_logged, "interval", args=(job, observe), seconds=job.seconds, id=job.name, name=job.name,
                          max_instances=1, coalesce=True, next_run_time=first_run, misfire_grace_time=None)
    return scheduler


def run_forever(jobs: Sequence[Job], now: datetime | None = None, observe: Observer | None = None) -> None:
    """Run the jobs in this thread until interrupted; ``observe(name, seconds, outcome)`` after each run."""
    configure_interpreter()
    scheduler = _configure(BlockingScheduler(timezone=UTC), jobs, now or datetime.now(UTC), observe)
    log.info("scheduler started with %s", ", ".join(j.name for j in jobs))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


def start_in_background(jobs: Sequence[Job], now: datetime | None = None,
                        observe: Observer | None = None) -> BackgroundScheduler:
    """Run the jobs in a daemon thread; the caller shuts the returned scheduler down."""
    configure_interpreter()
    scheduler = _configure(BackgroundScheduler(timezone=UTC, daemon=True), jobs, now or datetime.now(UTC), observe)
    scheduler.start()
    return scheduler
