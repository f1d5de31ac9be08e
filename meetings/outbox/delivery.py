"""Delivering due outbox rows: claim (SKIP LOCKED), send, record the outcome with back-off.

A worker claims a batch by setting a lease and its own claim token in one short transaction
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never take the same rows; SQLite serializes
writers with ``BEGIN IMMEDIATE``). Outcomes are recorded only on rows that still carry the worker's
token. E-mail outcomes are written in small groups (:class:`Outcomes`: one transaction for up to
``RECORD_EVERY`` messages or ``RECORD_SECONDS``, whichever comes first, and always at the end of a
batch), not one transaction per message, so the database does not set the pace of an SMTP
connection. A worker that dies leaves its rows to be claimed again when the lease expires: the
messages it sent but had not yet recorded (at most one group) are sent again, with the same
Message-ID, so receiving systems that deduplicate on it show them once. Webhook outcomes are still
committed one by one (each post is slow; a group would only widen that window).

E-mails and webhooks are claimed by separate jobs (``channel``), and webhooks are posted by a pool of
threads, each call bounded by a deadline: a slow receiver never holds e-mail back.

E-mails are composed here, at send time, by the composer their feature registered
(:mod:`meetings.outbox.composing`), a batch at a time in one read session. Once an e-mail is sent or
dropped, its one-time tokens (sign-in, set-password, decline links) are cleared; the row keeps who,
what and when, the subject, and the calendar UID, METHOD and SEQUENCE it announced.

Coalescing, for messages that only announce the state of a registration's calendar object (queued
with ``coalesce``): such a message is not sent when a newer one about that object (same recipients,
same UID) with a higher SEQUENCE is still waiting to go (it is marked ``superseded``, "replaced by
#id"), nor when, composed from the current state, its SEQUENCE was already sent ("already
announced"). The message that goes always carries the current state, so the calendar sees SEQUENCE
increase and nothing the participant needs is lost. Messages without an invite, and those carrying a
second calendar object (a move's cancellation), are never coalesced.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from meetings.core.counters import count_delivery
from meetings.core.db import new_session, utcnow
from meetings.outbox.composing import Composed, Composers, Skip, app_composers
from meetings.outbox.enqueue import COALESCE
from meetings.outbox.models import OutboxMessage, Webhook
from meetings.outbox.transports import Transports, transports_from_config
from notifications.errors import DeliveryError
from notifications.mail import make_message_id
from notifications.retry import is_exhausted, next_attempt_at
from notifications.webhooks import build_webhook_request
from notifications.wire import WireEmail, compose_wire_email

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)
RECORD_EVERY, RECORD_SECONDS = 50, 0.5  # e-mail outcomes written per transaction, at most this many / this late
_REPORT_LOCK = threading.Lock()  # webhook workers record their outcomes concurrently


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    claimed: int = 0
    sent: int = 0
    superseded: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def claim_due(db: Session, now: datetime, limit: int, lease: timedelta = DEFAULT_LEASE,
              channel: str | None = None) -> tuple[str, list[int]]:
    """Lease up to ``limit`` due rows (of one ``channel``, or any) to a new claim token; commits.

    One statement: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING id`` (the
    oldest due first). Returns the token and the claimed ids in id order.
    """
    token = uuid.uuid4().hex
    table = OutboxMessage.__table__
    due = sa.or_(
        sa.and_(table.c.status == "pending", table.c.next_attempt_at <= now),
        sa.and_(table.c.status == "sending", table.c.lease_until < now),
    )
    if channel is not None:
        due = sa.and_(table.c.channel == channel, due)
    chosen = (sa.select(table.c.id).where(due).order_by(table.c.next_attempt_at, table.c.id).limit(limit)
              .with_for_update(skip_locked=True))
    ids = db.execute(sa.update(table).where(table.c.id.in_(chosen.scalar_subquery()))
                     .values(status="sending", lease_until=now + lease, claim_token=token)
                     .returning(table.c.id)).scalars().all()
    db.commit()
    return token, sorted(ids)


def build_email(row: OutboxMessage, composed: Composed, transports: Transports, now: datetime,
                write=compose_wire_email) -> WireEmail:
    """The message of a composed e-mail row as SMTP carries it (same Message-ID on every attempt): the bytes
    ``compose_email`` and ``send_message`` would make, written directly (:mod:`notifications.wire`).

    ``write``: ``compose_wire_email`` or anything taking its arguments (``compose_email`` gives the std-lib tree).
    """
    calendar = composed.calendar
    return write(
        sender=transports.mail_from, to=row.to_addresses, cc=row.cc_addresses, subject=composed.email.subject,
        text=composed.email.text, html=composed.email.html, calendar=calendar.data if calendar else None,
        calendar_method=calendar.method if calendar else None,
        more_calendars=[(part.method, part.data) for part in composed.more_calendars],
        message_id=make_message_id(row.key, transports.message_domain), now=now, language=row.language,
        attachment_name="invite.ics")


class Outcomes:
    """Outcomes waiting to be written: one transaction per ``every`` rows or ``seconds``, only where ours.

    Rows with the same changed columns are updated with one statement run for all of them (executemany).
    """

    def __init__(self, session_factory: Callable[[], Session], token: str, every: int = RECORD_EVERY,
                 seconds: float = RECORD_SECONDS) -> None:
        self.session_factory, self.token, self.every, self.seconds = session_factory, token, every, seconds
        self.waiting: list[tuple[int, dict]] = []
        self.since = time.monotonic()
        self.before_write: Callable[[], None] | None = None  # e.g. end a read transaction holding SQLite's lock

    def add(self, row_id: int, values: dict) -> None:
        self.waiting.append((row_id, values))
        if len(self.waiting) >= self.every or time.monotonic() - self.since >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """Write every waiting outcome in one transaction."""
        self.since = time.monotonic()
        if not self.waiting:
            return
        groups: dict[tuple[str, ...], list[dict]] = {}
        for row_id, values in self.waiting:
            columns = tuple(sorted(values))
            groups.setdefault(columns, []).append({"row_id": row_id, **{f"v_{k}": values[k] for k in columns}})
        table = OutboxMessage.__table__
        if self.before_write is not None:
            self.before_write()
        with self.session_factory() as db:
            for columns, params in groups.items():
                db.execute(sa.update(table).where(table.c.id == sa.bindparam("row_id"),
                                                  table.c.claim_token == self.token)
                           .values({k: sa.bindparam(f"v_{k}", type_=table.c[k].type) for k in columns}), params)
            db.commit()
        self.waiting.clear()


def deliver_due(session_factory: Callable[[], Session], transports: Transports, now: Callable[[], datetime], *,
                batch_size: int = 100, lease: timedelta = DEFAULT_LEASE,
                on_progress: Callable[[int], None] | None = None, channel: str | None = None,
                webhook_workers: int = 1, composers: Composers | None = None) -> DeliveryReport:
    """Deliver everything due (of one ``channel``, or any), batch after batch, until nothing is due.

    E-mails are composed by ``composers`` (default: those of the current application).
    """
    composers = composers if composers is not None else app_composers()
    report = DeliveryReport()
    while True:
        with session_factory() as db:
            token, ids = claim_due(db, now(), batch_size, lease, channel)
        if not ids:
            return report
        report.claimed += len(ids)
        _deliver_batch(session_factory, transports, now, token, ids, report, on_progress, webhook_workers, composers)


def _deliver_batch(session_factory, transports: Transports, now, token: str, ids: list[int],
                   report: DeliveryReport, on_progress, webhook_workers: int, composers: Composers) -> None:
    with session_factory() as db:
        rows = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)).all()
        hooks = {h.id: h for h in db.scalars(sa.select(Webhook).where(
            Webhook.id.in_({r.webhook_id for r in rows if r.webhook_id})))}
        db.expunge_all()
    emails = [r for r in rows if r.channel == "email"]
    webhooks = [r for r in rows if r.channel == "webhook"]
    if emails:
        _deliver_emails(session_factory, transports, now, token, emails, report, on_progress, composers)
    if webhooks:
        def post(row: OutboxMessage) -> None:
            _attempt(Outcomes(session_factory, token, every=1), row, now, report,
                     lambda: _post(transports, row, hooks, now()))
            if on_progress:
                on_progress(1)

        if webhook_workers <= 1:
            for row in webhooks:
                post(row)
        else:
            with ThreadPoolExecutor(max_workers=webhook_workers, thread_name_prefix="webhook") as pool:
                list(pool.map(post, webhooks))


def _deliver_emails(session_factory, transports: Transports, now, token: str, emails: list[OutboxMessage],
                    report: DeliveryReport, on_progress, composers: Composers) -> None:
    """Drop what newer messages replace, compose the rest in one read session, send on one connection."""
    outcomes = Outcomes(session_factory, token)
    try:
        _compose_and_send(outcomes, transports, now, emails, report, on_progress, composers)
    finally:
        outcomes.flush()


def _compose_and_send(outcomes: Outcomes, transports: Transports, now, emails: list[OutboxMessage],
                      report: DeliveryReport, on_progress, composers: Composers) -> None:
    """Compose in this thread (the only one using the database) while a sender thread sends what is built.

    The SMTP connection spends most of a message waiting for the server's replies; meanwhile the next
    messages are composed. Outcomes are recorded here as the sender reports them. Coalescing counts the
    messages handed to the sender as announced. If the connection cannot be opened, every row not yet sent
    is marked for retry.
    """
    sender: _Sender | None = None
    with outcomes.session_factory() as db:
        replaced = newer_versions(db, emails)
        emails = [r for r in emails if r.id not in replaced]
        announced = announced_sequences(db, emails)
        prepared = composers.prepare_batch(db, emails)
        # SQLite takes its write lock at BEGIN, even to read: end the read transaction before writing outcomes.
        outcomes.before_write = lambda: _end_reads(db)
        handled: set[int] = set()

        def sent(row: OutboxMessage, message: Composed, error: DeliveryError | None, at: datetime) -> None:
            handled.add(row.id)
            _record(outcomes, row, at, report, error, None if error else message)
            if on_progress:
                on_progress(1)

        try:
            for row_id, newer in replaced.items():
                _drop(outcomes, row_id, f"replaced by #{newer}", now(), report, on_progress)
            for row in emails:
                if sender is not None and sender.error is not None:
                    break
                result = composers.compose_one(db, row, now())
                if isinstance(result, Skip):
                    handled.add(row.id)
                    _drop(outcomes, row.id, result.reason[:200], now(), report, on_progress)
                elif isinstance(result, Exception):
                    sent(row, result, DeliveryError(f"could not compose: {type(result).__name__}", permanent=True),
                         now())
                elif _already_announced(row, result, announced):
                    handled.add(row.id)
                    _drop(outcomes, row.id, "already announced", now(), report, on_progress)
                else:
                    built: list = []
                    error = _try(lambda r=row, m=result, b=built: b.append(build_email(r, m, transports, now())))
                    if error is not None:
                        sent(row, result, error, now())
                        continue
                    if result.calendar and result.calendar.uid:  # announced once sent: the next copy is dropped
                        key = (row.registration_id, result.calendar.uid)
                        announced[key] = max(announced.get(key, -1), result.calendar.sequence or 0)
                    if sender is None:
                        sender = _Sender(transports, now, sent)
                    sender.put(row, result, built[0])
                if sender is not None:
                    sender.collect()
            if sender is not None:
                sender.finish()
                if sender.error is not None:  # could not even connect: every unsent row of the batch waits
                    for row in emails:
                        if row.id not in handled:
                            sent(row, None, sender.error, now())
        finally:
            if sender is not None:
                sender.abort()  # after an exception: stop sending, record what was sent, leave no thread behind
            outcomes.before_write = None
            del prepared


def _end_reads(db: Session) -> None:
    """End the composing session's transaction, keeping what it loaded (composing only reads)."""
    if not db.in_transaction():
        return
    if db.new or db.dirty or db.deleted:
        db.rollback()  # a composer must not write: drop it (loaded objects are read again when needed)
    else:
        db.commit()


class _Sender:
    """Sends built messages in order on one connection, in a thread of its own, at most ``depth`` ahead.

    Results are reported through ``on_sent(row, composed, error, sent_at)``, always in the caller's thread
    (from :meth:`put`, :meth:`collect`, :meth:`finish`, :meth:`abort`). ``error`` is set when the connection
    could not be opened; the thread then stops and what it had not sent is left to the caller.
    """

    _END = object()

    def __init__(self, transports: Transports, now, on_sent, depth: int = 20) -> None:
        self.transports, self.now, self.on_sent, self.depth = transports, now, on_sent, depth
        self.todo: queue.SimpleQueue = queue.SimpleQueue()
        self.done: queue.SimpleQueue = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.in_flight = 0
        self.ended = False
        self.error: DeliveryError | None = None
        self.thread = threading.Thread(target=self._run, name="outbox-smtp", daemon=True)
        self.thread.start()

    def put(self, row: OutboxMessage, composed: Composed, message) -> None:
        while self.in_flight >= self.depth and not self.ended:
            self._take(block=True)
        if self.ended:
            return  # the connection failed: the row stays unsent, the caller marks it for retry
        self.in_flight += 1
        self.todo.put((row, composed, message))

    def collect(self) -> None:
        """Report whatever was sent so far, without waiting."""
        while not self.done.empty():
            self._take(block=False)

    def finish(self) -> None:
        """Wait until everything handed over is sent (or the connection failed), and the thread is gone."""
        self.todo.put(None)
        while not self.ended:
            self._take(block=True)
        self.thread.join()

    def abort(self) -> None:
        """Stop sending, report what was sent, end the thread (does nothing after :meth:`finish`)."""
        if self.ended:
            return
        self.stopping.set()
        self.todo.put(None)
        while not self.ended:
            self._take(block=True)
        self.thread.join()

    def _take(self, block: bool) -> None:
        item = self.done.get(block=block)
        if item is self._END:
            self.ended = True
        elif isinstance(item, DeliveryError):
            self.error = item
        else:
            self.in_flight -= 1
            self.on_sent(*item)

    def _run(self) -> None:
        try:
            with self.transports.mailer() as mailer:
                while not self.stopping.is_set():
                    item = self.todo.get()
                    if item is None or self.stopping.is_set():
                        break
                    row, composed, message = item
                    error = _try(lambda m=message: mailer.send(m))
                    self.done.put((row, composed, error, self.now()))
        except DeliveryError as error:  # could not connect
            self.done.put(error)
        except Exception as error:  # opening or closing the transport failed otherwise: unsent rows wait
            log.exception("outbox sender failed")
            self.done.put(DeliveryError(f"{type(error).__name__}: {error}", permanent=False))
        finally:
            self.done.put(self._END)


def newer_versions(db: Session, rows: list[OutboxMessage]) -> dict[int, int]:
    """Row id -> id of a newer unsent e-mail to the same recipients about the same calendar object, higher SEQUENCE.

    Only rows that merely announce their calendar object's state (queued with ``coalesce``) are replaced.
    """
    versions = {r.id: r for r in rows if _coalescible(r)}
    if not versions:
        return {}
    newest: dict[tuple, tuple[int, int]] = {}
    for other in db.execute(sa.select(OutboxMessage.id, OutboxMessage.registration_id, OutboxMessage.to_addresses,
                                      OutboxMessage.cc_addresses, OutboxMessage.ical_uid,
                                      OutboxMessage.ical_sequence).where(
            OutboxMessage.channel == "email", OutboxMessage.status.in_(("pending", "sending")),
            OutboxMessage.registration_id.in_({row.registration_id for row in versions.values()}),
            OutboxMessage.id > min(versions), OutboxMessage.ical_uid.is_not(None),
            OutboxMessage.ical_sequence.is_not(None))):
        key = (other.registration_id, other.ical_uid, tuple(other.to_addresses), tuple(other.cc_addresses))
        newest[key] = max(newest.get(key, (-1, -1)), (other.ical_sequence, other.id))
    replaced = {}
    for row_id, row in versions.items():
        best = newest.get((row.registration_id, row.ical_uid, tuple(row.to_addresses), tuple(row.cc_addresses)))
        if best and best[1] > row_id and best[0] > row.ical_sequence:
            replaced[row_id] = best[1]
    return replaced


def announced_sequences(db: Session, rows: list[OutboxMessage]) -> dict[tuple[int, str], int]:
    """(registration, UID) -> the highest SEQUENCE already sent about it, for the coalescible ``rows``."""
    registrations = {r.registration_id for r in rows if _coalescible(r)}
    if not registrations:
        return {}
    query = (sa.select(OutboxMessage.registration_id, OutboxMessage.ical_uid, sa.func.max(OutboxMessage.ical_sequence))
             .where(OutboxMessage.channel == "email", OutboxMessage.status == "sent",
                    OutboxMessage.registration_id.in_(registrations), OutboxMessage.ical_uid.is_not(None))
             .group_by(OutboxMessage.registration_id, OutboxMessage.ical_uid))
    return {(registration, uid): sequence for registration, uid, sequence in db.execute(query)}


def _coalescible(row: OutboxMessage) -> bool:
    return bool(row.registration_id and row.ical_uid and row.ical_sequence is not None
                and (row.facts or {}).get(COALESCE))


def _already_announced(row: OutboxMessage, message: Composed, announced: dict[tuple[int, str], int]) -> bool:
    """Whether this state message would tell nothing new: its SEQUENCE went out already about its object."""
    part = message.calendar
    if not _coalescible(row) or part is None or part.uid is None or part.sequence is None or message.more_calendars:
        return False
    return announced.get((row.registration_id, part.uid), -1) >= part.sequence


def _post(transports: Transports, row: OutboxMessage, hooks: dict[int, Webhook], now: datetime) -> None:
    hook = hooks.get(row.webhook_id)
    if hook is None or not hook.active:
        raise DeliveryError("webhook removed or disabled", permanent=True)
    payload = row.payload
    body, headers = build_webhook_request(payload["type"], payload["data"], payload["id"], now)
    transports.post(hook.url, body, headers, hook.secret)


def _attempt(outcomes: Outcomes, row: OutboxMessage, now, report: DeliveryReport, send,
             composed: Composed | None = None) -> None:
    error = _try(send)
    _record(outcomes, row, now(), report, error, None if error else composed)


def _try(send) -> DeliveryError | None:
    """Run ``send``; the error it raised as a DeliveryError (permanent when not one already), or None."""
    try:
        send()
    except DeliveryError as error:
        return error
    except Exception as error:  # a bug or bad data in one row must not stop the others
        return DeliveryError(f"{type(error).__name__}: {error}", permanent=True)
    return None


# What an e-mail row keeps once it is sent or dropped: who, what, when, never a secret link.
_FORGET_SECRETS = {"secrets": None, "body_text": "", "body_html": "", "calendar": None}


def _drop(outcomes: Outcomes, row_id: int, reason: str, now: datetime, report: DeliveryReport,
          on_progress) -> None:
    """Mark an e-mail ``superseded`` (a newer message says it, or nothing is left to say), only if still ours."""
    with _REPORT_LOCK:
        report.superseded += 1
    outcomes.add(row_id, {"status": "superseded", "lease_until": None, "last_error": reason, **_FORGET_SECRETS})
    count_delivery("email", "superseded")
    if on_progress:
        on_progress(1)


def _record(outcomes: Outcomes, row: OutboxMessage, now: datetime, report: DeliveryReport,
            error: DeliveryError | None, composed: Composed | None = None) -> None:
    """Store the outcome (with ``outcomes``' next write), only if this worker still holds the row."""
    attempts = row.attempts + 1
    with _REPORT_LOCK:
        values = _outcome(row, attempts, now, report, error, composed)
    row.status = values["status"]
    outcomes.add(row.id, values)
    count_delivery(row.channel, "retrying" if values["status"] == "pending" else values["status"])


def _outcome(row: OutboxMessage, attempts: int, now: datetime, report: DeliveryReport,
             error: DeliveryError | None, composed: Composed | None = None) -> dict:
    """The new values of a row after an attempt, counted in ``report``."""
    if error is None:
        values = {"status": "sent", "sent_at": now, "attempts": attempts, "lease_until": None, "last_error": ""}
        if row.channel == "email":  # what was sent may hold secret links: keep only who, what and when
            values.update(_FORGET_SECRETS)
        if composed is not None:  # what went out: the subject, and the calendar state it announced
            values["subject"] = composed.email.subject[:300]
            if composed.calendar is not None:
                values.update(ical_uid=composed.calendar.uid or row.ical_uid, calendar_method=composed.calendar.method,
                              ical_sequence=composed.calendar.sequence if composed.calendar.sequence is not None
                              else row.ical_sequence)
        report.sent += 1
    elif error.permanent or is_exhausted(attempts, row.max_attempts):
        values = {"status": "failed", "attempts": attempts, "lease_until": None, "last_error": str(error)[:2000]}
        report.failed += 1
        report.errors.append(f"{row.key}: {error}")
    else:
        values = {"status": "pending", "attempts": attempts, "lease_until": None, "last_error": str(error)[:2000],
                  "next_attempt_at": next_attempt_at(attempts, now, jitter=random.random())}
        report.retrying += 1
    return values


def requeue(db: Session, now: datetime, ids: list[int] | None = None) -> int:
    """Put failed rows (all, or ``ids``) back in the queue, due now; returns how many."""
    query = sa.update(OutboxMessage).where(OutboxMessage.status == "failed")
    if ids:
        query = query.where(OutboxMessage.id.in_(ids))
    result = db.execute(query.values(status="pending", attempts=0, next_attempt_at=now, last_error=""))
    db.flush()
    return result.rowcount


def deliver_job(app: Flask, on_progress=None, channel: str | None = None) -> DeliveryReport:
    """Deliver everything due (e-mails, webhooks, or both); webhooks through a pool of workers."""
    with app.app_context():
        transports = transports_from_config(app.config, app.instance_path)
        workers = max(1, int(app.config.get("WEBHOOK_WORKERS", 4)))
        batch_size = workers * 10 if channel == "webhook" else 100
        report = deliver_due(lambda: new_session(app), transports, utcnow, on_progress=on_progress,
                             lease=timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"]),
                             channel=channel, webhook_workers=workers, batch_size=batch_size)
        if report.claimed:
            log.info("outbox %s: %s sent, %s retrying, %s failed", channel or "all", report.sent, report.retrying,
                     report.failed)
        return report
