"""The operator's test e-mail: one message through the whole path (queue, compose, send) to check the setup."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy.orm import Session

from meetings.outbox.composing import Composed, Skip, register_composer, render_email
from meetings.outbox.enqueue import enqueue_message
from meetings.outbox.models import OutboxMessage

COMPOSER = "outbox.test"


def queue_test_email(db: Session, to: str, language: str, now: datetime, key: str | None = None
                     ) -> OutboxMessage | None:
    """Queue a test e-mail to ``to`` (a new one each time unless ``key`` is given)."""
    return enqueue_message(db, key=key or f"test:{secrets.token_hex(8)}", topic="outbox.test", composer=COMPOSER,
                           to=[to], language=language, now=now, facts={"queued_at": now.isoformat()})


def compose_test_email(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    """Says when it was queued and when it was composed, so the operator sees how long delivery took."""
    queued = datetime.fromisoformat(row.facts["queued_at"])
    return Composed(render_email("test_message", row.language, queued=queued, composed=now, message_id=row.id,
                                 lang=row.language,
                                 service_name=current_app.config.get("SERVICE_NAME", "ACSG Dialogue Platform")))


def init_app(app: Flask) -> None:
    """Let the delivery worker compose test e-mails."""
    register_composer(app, COMPOSER, compose_test_email)
