"""``flask --app wsgi privacy anonymize``: erase personal data of meetings past the retention period."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from meetings.console import privacy as ops
from meetings.core.cli_language import in_language
from meetings.core.db import new_session, utcnow

privacy = AppGroup("privacy", help="Personal data: anonymize meetings past the retention period.")


@privacy.command("anonymize")
@click.option("--older-than-days", type=click.IntRange(min=0), default=None,
              help="Meetings that ended more than N days ago (default: RETENTION_DAYS, 365)")
@click.option("--dry-run", is_flag=True, help="Only list the meetings that would be anonymized")
@in_language
def anonymize_command(older_than_days: int | None, dry_run: bool) -> None:
    """Anonymize the registrations of every meeting that ended more than N days ago (audited)."""
    days = current_app.config["RETENTION_DAYS"] if older_than_days is None else older_than_days
    _anonymize(days, dry_run)


def _anonymize(days: int, dry_run: bool) -> None:
    """Anonymize (or list) every meeting due, in one transaction; print one line per meeting."""
    db = new_session(current_app)
    try:
        now = utcnow()
        meetings = ops.meetings_due_for_anonymization(db, now, days)
        for meeting in meetings:
            if dry_run:
                click.echo(_("%(edition)s: would be anonymized", edition=meeting.edition))
                continue
            count = ops.anonymize_meeting(db, meeting, None, now, days)
            click.echo(_("%(edition)s: %(count)s registrations anonymized", edition=meeting.edition, count=count))
        db.commit()
    finally:
        db.close()
    if not meetings:
        click.echo(_("No meeting that ended more than %(days)s days ago still holds personal data.", days=days))
