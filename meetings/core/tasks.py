"""Background tasks: work that grows with the number of registrants, decided in a request, done in batches.

The request records the decision (``record_task``) in its own transaction and answers at once. The
scheduler process runs ``run_tasks``: it takes the oldest unfinished task (``FOR UPDATE SKIP LOCKED``
on PostgreSQL), lets the task's step handle the next batch after the stored cursor, and commits the
batch's effects together with the new cursor and counters. A process killed mid-batch loses only that
uncommitted batch, which the next run does again; steps are idempotent (messages carry idempotency keys).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from meetings.core.db import Base, UTCDateTime
from meetings.core.request_id import carrying_request_id, current_request_id
from meetings.core.vocabulary import sql_in

log = logging.getLogger(__name__)

TASK_STATUSES = ("pending", "running", "done", "superseded")
UNFINISHED = ("pending", "running")


class BackgroundTask(Base):
    """One decision being carried out in batches: what (``kind``, subject), how far, what failed."""

    __tablename__ = "background_tasks"
    __table_args__ = (
        sa.CheckConstraint(sql_in("status", TASK_STATUSES), name="status"),
        sa.CheckConstraint("total >= 0 AND done >= 0 AND failures >= 0", name="counts"),
        sa.Index("ix_background_tasks_status", "status", "id"),
        sa.Index("ix_background_tasks_meeting", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int] = mapped_column()
    meeting_id: Mapped[int | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    cursor: Mapped[int] = mapped_column(default=0)
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    last_error: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        """Whether nothing is left to do."""
        return self.status not in UNFINISHED


@dataclass(frozen=True)
class Batch:
    """What one step did: items handled (and how many failed), the new cursor, whether the task is over."""

    handled: int
    failures: int
    cursor: int
    finished: bool
    error: str = ""


Step = Callable[[Session, BackgroundTask, datetime, int], Batch]


def record_task(db: Session, kind: str, subject_id: int, now: datetime, *, total: int,
                meeting_id: int | None = None, params: dict | None = None) -> BackgroundTask:
    """Record a decision to carry out (an unfinished older task of the same kind and subject gives way to it).

    The older task is not touched here (the scheduler may hold its row during a batch): ``run_one_batch``
    marks it superseded when its turn comes, so the request never waits for a batch.
    """
    params = {**(params or {}), "request_id": current_request_id()}
    task = BackgroundTask(kind=kind, subject_id=subject_id, meeting_id=meeting_id, status="pending", total=total,
                          done=0, failures=0, cursor=0, params=params, last_error="", created_at=now,
                          updated_at=now)
    db.add(task)
    db.flush()
    return task


def run_one_batch(db: Session, steps: Mapping[str, Step], now: datetime, batch_size: int) -> BackgroundTask | None:
    """Handle the next batch of the oldest unfinished task and commit it; None when nothing is left."""
    task = db.scalars(sa.select(BackgroundTask).where(BackgroundTask.status.in_(UNFINISHED))
                      .order_by(BackgroundTask.id).limit(1).with_for_update(skip_locked=True)).first()
    if task is None:
        db.rollback()
        return None
    newer = db.scalar(sa.select(BackgroundTask.id).where(
        BackgroundTask.kind == task.kind, BackgroundTask.subject_id == task.subject_id, BackgroundTask.id > task.id,
        BackgroundTask.status.in_(UNFINISHED)).limit(1))
    step = steps.get(task.kind)
    if newer is not None:  # a later decision about the same subject does the rest
        task.status, task.updated_at = "superseded", now
        db.commit()
        return task
    if step is None:
        batch = Batch(0, 0, task.cursor, True, f"unknown task kind {task.kind}")
    else:
        with carrying_request_id((task.params or {}).get("request_id")):  # its rows name the deciding request
            batch = step(db, task, now, batch_size)
    task.done += batch.handled
    task.total = max(task.total, task.done)
    task.failures += batch.failures
    task.cursor = batch.cursor
    task.status = "done" if batch.finished else "running"
    task.updated_at = now
    if batch.error:
        task.last_error = batch.error[:200]
    db.commit()
    return task


def run_tasks(session_factory: Callable[[], Session], steps: Mapping[str, Step], now: Callable[[], datetime], *,
              batch_size: int = 200, budget_seconds: float | None = None, max_batches: int | None = None) -> int:
    """Run batches until no task is left, the time budget is spent or ``max_batches`` ran; returns batches run."""
    started = time.monotonic()
    batches = 0
    while max_batches is None or batches < max_batches:
        if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
            break
        with session_factory() as db:
            try:
                task = run_one_batch(db, steps, now(), batch_size)
            except Exception:  # a database error: the batch rolls back and runs again next time
                db.rollback()
                log.exception("background task batch failed")
                break
        if task is None:
            break
        batches += 1
    return batches


def tasks_of_meeting(db: Session, meeting_id: int, limit: int = 20) -> list[BackgroundTask]:
    """The latest task per kind and subject of a meeting, newest first."""
    latest: dict[tuple[str, int], BackgroundTask] = {}
    for task in db.scalars(sa.select(BackgroundTask).where(
            BackgroundTask.meeting_id == meeting_id, BackgroundTask.status != "superseded")
            .order_by(BackgroundTask.id.desc()).limit(limit * 4)):
        latest.setdefault((task.kind, task.subject_id), task)
    return list(latest.values())[:limit]
