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


def enqueue_webhook_event(db: Session, *, event_type: str, event_id: str, payload: dict,
                          now: datetime) -> list[OutboxMessage]:
    """Queue ``event_type`` for every active webhook subscribed to it, in one statement.

    ``INSERT INTO outbox ... SELECT ... FROM webhooks WHERE active AND <subscribed> ON CONFLICT (key) DO
    NOTHING``: one row per hook (key ``webhook:<hook id>:<event id>``, queued once), whatever the number
    of hooks. Returns the new rows, by hook, as persistent objects (as :func:`_insert_once`).
    """
    dialect = db.get_bind().dialect.name
    values = {"channel": "webhook", "topic": event_type, "next_attempt_at": now, "created_at": now,
              "payload": {"type": event_type, "id": event_id, "data": payload}}
    queued = db.execute(_WEBHOOK_EVENT[dialect], {**values, "event_type": event_type, "event_id": event_id}).all()
    rows = []
    for new_id, key, hook_id in sorted(queued, key=lambda row: row.webhook_id):
        row = OutboxMessage(id=new_id, key=key, webhook_id=hook_id, **values)
        make_transient_to_detached(row)
        db.add(row)
        rows.append(row)
    return rows


def _webhook_event_statement(dialect) -> sa.Insert:
    """The INSERT ... SELECT of :func:`enqueue_webhook_event` for ``dialect`` (postgresql or sqlite), built once."""
    columns = OutboxMessage.__table__.c
    if dialect is postgresql:  # the events list (JSON) holds the event type
        subscribed = sa.cast(Webhook.events, postgresql.JSONB).op("?")(sa.bindparam("event_type", type_=sa.String))
    else:
        events = sa.func.json_each(Webhook.events).table_valued("value")
        subscribed = sa.exists(sa.select(1).select_from(events).where(
            events.c.value == sa.bindparam("event_type", type_=sa.String)))
    hooks = sa.select(
        sa.literal("webhook:") + sa.cast(Webhook.id, sa.String) + ":" + sa.bindparam("event_id", type_=sa.String),
        sa.bindparam("channel", type_=columns.channel.type), sa.bindparam("topic", type_=columns.topic.type),
        sa.bindparam("next_attempt_at", type_=columns.next_attempt_at.type),
        sa.bindparam("created_at", type_=columns.created_at.type), Webhook.id,
        sa.bindparam("payload", type_=columns.payload.type),
    ).where(Webhook.active.is_(True), subscribed).order_by(Webhook.id)
    names = ("key", "channel", "topic", "next_attempt_at", "created_at", "webhook_id", "payload")
    return dialect.insert(OutboxMessage.__table__).from_select(names, hooks).on_conflict_do_nothing(
        index_elements=["key"]).returning(columns.id, columns.key, columns.webhook_id)


_WEBHOOK_EVENT = {"postgresql": _webhook_event_statement(postgresql), "sqlite": _webhook_event_statement(sqlite)}


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
