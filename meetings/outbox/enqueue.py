"""Writing outbox rows in the caller's transaction, once per idempotency key.

An e-mail row records what happened and to whom; the delivery worker composes it
(:mod:`meetings.outbox.composing`). Webhook rows carry their JSON payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from meetings.outbox.models import OutboxMessage, Webhook

# A fact key the outbox reads itself: the row only announces the state of its calendar object, so a newer
# message about the same object replaces it, and it is dropped when that state was already announced.
COALESCE = "coalesce"


@dataclass(frozen=True)
class CalendarObject:
    """The calendar object (UID) a message is about and the SEQUENCE it announces when queued."""

    uid: str
    sequence: int
    method: str | None = None


def enqueue_message(db: Session, *, key: str, topic: str, composer: str, to: list[str], language: str,
                    now: datetime, facts: dict, secrets: dict | None = None, cc: list[str] | None = None,
                    calendar: CalendarObject | None = None, coalesce: bool = False,
                    registration_id: int | None = None) -> OutboxMessage | None:
    """Queue an e-mail that ``composer`` writes at delivery, unless one with ``key`` exists.

    ``facts`` are plain JSON values (ids, the event, times as ISO strings); ``secrets`` the one-time
    tokens its links need, cleared once it is sent or dropped. ``coalesce``: the message only
    announces ``calendar``'s state, so a newer one about the same object replaces it.
    """
    facts = dict(facts)
    if coalesce:
        if calendar is None or registration_id is None:
            raise ValueError("only a registration's calendar message can be coalesced")
        facts[COALESCE] = True
    return _insert_once(db, dict(
        key=key, channel="email", topic=topic, next_attempt_at=now, created_at=now, to_addresses=list(to),
        cc_addresses=list(cc or []), language=language, composer=composer, facts=facts,
        secrets=dict(secrets) if secrets else None, registration_id=registration_id,
        ical_uid=calendar.uid if calendar else None, ical_sequence=calendar.sequence if calendar else None,
        calendar_method=calendar.method if calendar else None))


_ACTIVE_WEBHOOKS = sa.select(Webhook.id, Webhook.events).where(Webhook.active.is_(True)).order_by(Webhook.id)


def enqueue_webhook_event(db: Session, *, event_type: str, event_id: str, payload: dict,
                          now: datetime) -> list[OutboxMessage]:
    """Queue ``event_type`` for every active webhook subscribed to it."""
    rows = []
    for hook_id, events in db.execute(_ACTIVE_WEBHOOKS):
        if event_type not in (events or []):
            continue
        row = _insert_once(db, dict(
            key=f"webhook:{hook_id}:{event_id}", channel="webhook", topic=event_type, next_attempt_at=now,
            created_at=now, webhook_id=hook_id,
            payload={"type": event_type, "id": event_id, "data": payload}))
        if row is not None:
            rows.append(row)
    return rows


# ``INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id`` on each dialect, built once (its values come as parameters).
_INSERT_ONCE = {name: dialect.insert(OutboxMessage.__table__).on_conflict_do_nothing(index_elements=["key"])
                .returning(OutboxMessage.id) for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


def _insert_once(db: Session, values: dict) -> OutboxMessage | None:
    """The new row (in the session), or None when a row with its key exists, in one statement.

    A row with the same key that a concurrent transaction has written but not yet committed makes the
    database wait for that transaction: nothing is inserted if it commits, the row is if it rolls back.
    Any other error (a foreign key, a check) is raised. The row is inserted without the ORM's unit of
    work and then given to the session as a persistent object with the values just stored (the
    columns left to their defaults load on first use), which costs a third of an ORM insert.
    """
    new_id = db.scalar(_INSERT_ONCE[db.get_bind().dialect.name], values)
    if new_id is None:
        return None
    row = OutboxMessage(id=new_id, **values)
    make_transient_to_detached(row)
    db.add(row)
    return row
