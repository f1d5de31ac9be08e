"""Secretariat operations on webhooks and failed messages (flush, never commit; audited)."""

from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.core.audit import record_action
from meetings.core.errors import InvalidInput, NotFound
from meetings.outbox.delivery import requeue
from meetings.outbox.forms import WEBHOOK_EVENTS
from meetings.outbox.models import OutboxMessage, Webhook
from notifications.errors import DeliveryError
from notifications.webhooks import UnsafeAddress, WebhookLimits, resolve_webhook_host, validate_webhook_url


def add_webhook(db: Session, url: str, events: list[str], actor, now: datetime,
                limits: WebhookLimits = WebhookLimits()) -> Webhook:
    """Register a webhook; its signing secret is generated here and shown to the secretariat once.

    An address whose host resolves to a loopback, private, link-local, multicast, reserved or metadata
    address is refused unless the host is in ``limits.allowed_hosts``; a name that does not resolve yet
    is accepted (every call resolves and checks again).
    """
    try:
        url = validate_webhook_url((url or "").strip())
    except ValueError:
        raise InvalidInput("invalid_webhook_url", _l("Enter a full http:// or https:// address without a password."),
                           field="url") from None
    parts = urlsplit(url)
    try:
        resolve_webhook_host(parts.hostname, parts.port or (443 if parts.scheme.lower() == "https" else 80), limits)
    except UnsafeAddress:
        raise InvalidInput("unsafe_webhook_url", _l("This address leads to a local, private or reserved network: "
                                                    "enter the public address of the partner's system."),
                           field="url") from None
    except (DeliveryError, ValueError):
        pass
    if not events or any(event not in WEBHOOK_EVENTS for event in events):
        raise InvalidInput("unknown_event", _l("Choose at least one event from the list."), field="events")
    hook = Webhook(url=url, events=sorted(set(events)), secret=secrets.token_urlsafe(32), created_at=now)
    db.add(hook)
    db.flush()
    record_action(db, actor, "webhook.added", "webhook", hook.id, now, url=url, events=hook.events)
    return hook


def disable_webhook(db: Session, hook_id: int, actor, now: datetime) -> Webhook:
    """Stop sending to a webhook (its pending rows fail permanently when their turn comes)."""
    hook = db.get(Webhook, hook_id)
    if hook is None:
        raise NotFound("unknown_webhook", _l("This webhook does not exist."))
    hook.active = False
    record_action(db, actor, "webhook.disabled", "webhook", hook.id, now, url=hook.url)
    db.flush()
    return hook


def requeue_failed(db: Session, actor, now: datetime, ids: list[int] | None = None) -> int:
    """Put failed messages back in the queue (audited)."""
    count = requeue(db, now, ids)
    record_action(db, actor, "outbox.requeued", "outbox", None, now, count=count, ids=ids or "all")
    return count


def outbox_overview(db: Session, limit: int = 50) -> tuple[dict[str, int], list[OutboxMessage]]:
    """Counts by status and the latest failed messages."""
    counts = dict(db.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all())
    failed = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == "failed")
                        .order_by(OutboxMessage.id.desc()).limit(limit)).all()
    return counts, failed
