"""Operator commands: ``outbox deliver|status|requeue``, ``scheduler``, ``dev-server``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from meetings.cli_language import in_language
from meetings.db import new_session, utcnow
from meetings.observability.counters import observe_job
from meetings.outbox.delivery import requeue
from meetings.outbox.jobs import deliver_job, scheduler_jobs, single_scheduler
from meetings.outbox.models import OutboxMessage
from scheduler.runner import run_forever, start_in_background

outbox = AppGroup("outbox", help="Inspect and deliver the outbox of e-mails and webhooks.")
STATUS_LABELS = {"pending": _l("waiting"), "sending": _l("being sent"), "sent": _l("sent"), "failed": _l("failed")}


@outbox.command("deliver")
@in_language
def deliver_command() -> None:
    """Deliver everything due once, with a progress bar, and exit."""
    app = current_app._get_current_object()
    with new_session(app) as db:
        due = db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= utcnow())) or 0
    with click.progressbar(length=due, label=_("Delivering")) as bar:
        report = deliver_job(app, on_progress=bar.update)
    click.echo(_("sent %(sent)d, retrying later %(retrying)d, failed %(failed)d", sent=report.sent,
                 retrying=report.retrying, failed=report.failed))
    for error in report.errors[:20]:
        click.echo(_("  failed: %(error)s", error=error), err=True)


@outbox.command("status")
@in_language
def status_command() -> None:
    """Count rows by status and show the latest failures."""
    with new_session(current_app) as db:
        counts = dict(db.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all())
        failed = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == "failed")
                            .order_by(OutboxMessage.id.desc()).limit(10)).all()
        for status, label in ((s, str(STATUS_LABELS[s])) for s in STATUS_LABELS):
            click.echo(f"{label:>12}: {counts.get(status, 0)}")
        for row in failed:
            click.echo(_("  #%(id)d %(topic)s after %(attempts)d attempts: %(error)s", id=row.id, topic=row.topic,
                         attempts=row.attempts, error=row.last_error[:200]))


@outbox.command("requeue")
@click.option("--id", "ids", type=int, multiple=True, help="Only these rows (default: every failed row)")
@in_language
def requeue_command(ids: tuple[int, ...]) -> None:
    """Put failed rows back in the queue."""
    with new_session(current_app) as db:
        count = requeue(db, utcnow(), list(ids) or None)
        db.commit()
    click.echo(_("%(count)d messages are queued again.", count=count))


@click.command("scheduler")
@with_appcontext
@in_language
def scheduler_command() -> None:
    """Run the scheduler process: reminders sweep and outbox delivery (one copy; a second one waits)."""
    app = current_app._get_current_object()
    click.echo(_("Waiting for the scheduler lock (another scheduler may be running)…"))
    with single_scheduler(app):
        click.echo(_("Scheduler running (Ctrl+C to stop)."))
        run_forever(scheduler_jobs(app), observe=observe_job)


@click.command("dev-server")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def dev_server_command(host: str, port: int) -> None:
    """Development: the web server and, in the same process and only once, the scheduler."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    scheduler = start_in_background(scheduler_jobs(app), observe=observe_job)
    try:
        run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
    finally:
        scheduler.shutdown(wait=False)


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(outbox)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(dev_server_command)
