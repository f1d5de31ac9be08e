"""Writing outbox rows in the caller's transaction, once per idempotency key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from meetings.outbox.models import OutboxMessage, Webhook


@dataclass(frozen=True)
class RenderedEmail:
    """Subject and bodies of one e-mail, in the recipient's language."""

    subject: str
    text: str
    html: str


def render_email(template: str, language: str, **context: object) -> RenderedEmail:
    """Render ``email/<template>.{subject.txt,txt,html}`` in ``language`` (no request needed)."""
    with force_locale(language):
        subject = " ".join(render_template(f"email/{template}.subject.txt", **context).split())
        return RenderedEmail(subject=subject, text=render_template(f"email/{template}.txt", **context),
                             html=render_template(f"email/{template}.html", **context))


def enqueue_email(db: Session, *, key: str, topic: str, to: list[str], language: str, email: RenderedEmail,
                  now: datetime, cc: list[str] | None = None, calendar: bytes | None = None,
                  calendar_method: str | None = None, registration_id: int | None = None) -> OutboxMessage | None:
    """Queue an e-mail unless one with ``key`` exists; returns the new row or None."""
    return _insert_once(db, OutboxMessage(
        key=key, channel="email", topic=topic, next_attempt_at=now, created_at=now, to_addresses=list(to),
        cc_addresses=list(cc or []), language=language, subject=email.subject[:300], body_text=email.text,
        body_html=email.html, calendar=calendar.decode("utf-8") if calendar else None,
        calendar_method=calendar_method, registration_id=registration_id))


def enqueue_webhook_event(db: Session, *, event_type: str, event_id: str, payload: dict,
                          now: datetime) -> list[OutboxMessage]:
    """Queue ``event_type`` for every active webhook subscribed to it."""
    rows = []
    for hook in db.scalars(sa.select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)):
        if event_type not in (hook.events or []):
            continue
        row = _insert_once(db, OutboxMessage(
            key=f"webhook:{hook.id}:{event_id}", channel="webhook", topic=event_type, next_attempt_at=now,
            created_at=now, webhook_id=hook.id,
            payload={"type": event_type, "id": event_id, "data": payload}))
        if row is not None:
            rows.append(row)
    return rows


def _insert_once(db: Session, row: OutboxMessage) -> OutboxMessage | None:
    if db.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.key == row.key)) is not None:
        return None
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except sa.exc.IntegrityError:  # the same key committed meanwhile by a concurrent transaction
        return None
    return row
