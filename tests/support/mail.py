"""Read what an outbox row says: compose it as the delivery worker would (rows store facts, not bodies)."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime

from flask import has_app_context

from meetings.outbox.composing import Composed, Skip, compose_row
from meetings.outbox.delivery import deliver_due
from meetings.outbox.models import OutboxMessage


def compose_now(db, row: OutboxMessage, now: datetime | None = None) -> Composed | Skip:
    """What the delivery worker would do with ``row`` now: the e-mail, or why it would drop it."""
    if has_app_context():
        context = nullcontext()
    else:
        context = db.info["app"].app_context()  # the db fixture records its app
    with context:
        return compose_row(db, row, now or datetime.now(UTC))


def composed(db, row: OutboxMessage, now: datetime | None = None) -> Composed:
    """The e-mail ``row`` would send now (fails the test when the row would be dropped)."""
    result = compose_now(db, row, now)
    assert not isinstance(result, Skip), f"row {row.id} ({row.composer}) would be dropped: {result.reason}"
    return result


def text_of(db, row: OutboxMessage, now: datetime | None = None) -> str:
    """The plain-text body of the e-mail ``row`` would send now."""
    return composed(db, row, now).email.text


def html_of(db, row: OutboxMessage, now: datetime | None = None) -> str:
    """The HTML body of the e-mail ``row`` would send now."""
    return composed(db, row, now).email.html


def subject_of(db, row: OutboxMessage, now: datetime | None = None) -> str:
    """The subject of the e-mail ``row`` would send now."""
    return composed(db, row, now).email.subject


def calendar_of(db, row: OutboxMessage, now: datetime | None = None) -> str | None:
    """The inline invite or cancellation (as text) of the e-mail ``row`` would send now."""
    part = composed(db, row, now).calendar
    return part.data.decode("utf-8") if part else None


def deliver(app, session_factory, transports, now, **options):
    """Run the delivery worker's loop as the scheduler does: inside ``app``'s context (composing needs it)."""
    with app.app_context():
        return deliver_due(session_factory, transports, now, **options)
