"""``flask --app wsgi privacy anonymize``: erase personal data of meetings past the retention period."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from meetings.console import privacy as ops
from meetings.db import new_session, utcnow

privacy = AppGroup("privacy", help="Personal data: anonymize meetings past the retention period.")


@privacy.command("anonymize")
@click.option("--older-than-days", type=click.IntRange(min=0), default=None,
              help="Meetings that ended more than N days ago (default: RETENTION_DAYS, 365)")
@click.option("--dry-run", is_flag=True, help="Only list the meetings that would be anonymized")
def anonymize_command(older_than_days: int | None, dry_run: bool) -> None:
    """Anonymize the registrations of every meeting that ended more than N days ago (audited)."""
    days = current_app.config["RETENTION_DAYS"] if older_than_days is None else older_than_days
    db = new_session(current_app)
    try:
        now = utcnow()
        meetings = ops.meetings_due_for_anonymization(db, now, days)
        for meeting in meetings:
            if dry_run:
                click.echo(f"{meeting.edition}: would be anonymized")
                continue
            count = ops.anonymize_meeting(db, meeting, None, now, days)
            click.echo(f"{meeting.edition}: {count} registrations anonymized")
        db.commit()
    finally:
        db.close()
    if not meetings:
        click.echo(f"No meeting ended more than {days} days ago still holds personal data.")
