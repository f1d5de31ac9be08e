"""Operator commands: ``outbox deliver|status|requeue|test-email``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from meetings.core.cli_language import in_language
from meetings.core.db import new_session, utcnow
from meetings.core.vocabulary import LANGUAGE_CODES
from meetings.outbox import test_email
from meetings.outbox.delivery import deliver_job, requeue
from meetings.outbox.models import OutboxMessage
from meetings.outbox.test_email import queue_test_email

outbox = AppGroup("outbox", help="Inspect and deliver the outbox of e-mails and webhooks.")
STATUS_LABELS = {"pending": _l("waiting"), "sending": _l("being sent"), "sent": _l("sent"), "failed": _l("failed"),
                 "superseded": _l("replaced by a newer message")}


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


@outbox.command("test-email")
@click.argument("address")
@click.option("--language", type=click.Choice(LANGUAGE_CODES), default="en", show_default=True)
@in_language
def test_email_command(address: str, language: str) -> None:
    """Queue a test e-mail to ADDRESS; the delivery job composes and sends it like any other."""
    with new_session(current_app) as db:
        row = queue_test_email(db, address, language, utcnow())
        db.commit()
        click.echo(_("Test e-mail #%(id)d queued for %(address)s.", id=row.id, address=address))


def init_app(app: Flask) -> None:
    """Register the commands and the test e-mail's composer."""
    app.cli.add_command(outbox)
    test_email.init_app(app)
