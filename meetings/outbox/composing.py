"""Composing e-mails at delivery: each feature registers how to turn an outbox row's facts into an e-mail.

A row records what happened (``composer``, ``facts``, ``language``, one-time ``secrets``); the
delivery worker asks the row's composer for the message at send time, in the recipient's language and
zone, from the current state of the database. The outbox knows no feature: features register their
composers in ``init_app`` (:func:`register_composer`), and an optional ``prepare`` loads what a whole
batch needs in a few queries, so nothing is fetched once per message that could be fetched once per batch.

A composer returns :class:`Composed`, or :class:`Skip` when there is nothing left to say (the
registration was erased, the state was already announced by an earlier message).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from flask import Flask, current_app, render_template
from flask_babel import force_locale, get_translations
from jinja2.ext import _make_new_gettext, _make_new_ngettext, _make_new_npgettext, _make_new_pgettext
from sqlalchemy.orm import Session

from meetings.outbox.models import OutboxMessage

log = logging.getLogger(__name__)
EXTENSION = "outbox_composers"


@dataclass(frozen=True)
class RenderedEmail:
    """Subject and bodies of one e-mail, in the recipient's language."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class CalendarPart:
    """One iCalendar object carried by an e-mail: its METHOD, bytes, UID and SEQUENCE."""

    method: str
    data: bytes
    uid: str | None = None
    sequence: int | None = None


@dataclass(frozen=True)
class Composed:
    """An e-mail ready for the transport: bodies, the inline invite and further calendar objects."""

    email: RenderedEmail
    calendar: CalendarPart | None = None
    more_calendars: tuple[CalendarPart, ...] = ()


@dataclass(frozen=True)
class Skip:
    """Nothing to send any more, and why (kept on the row)."""

    reason: str


Composer = Callable[[Session, OutboxMessage, datetime], "Composed | Skip"]
# A preparer loads what a batch needs and returns it: compose_batch holds it until the batch is composed
# (the session's identity map holds objects weakly; loaded objects nobody refers to would be fetched again).
Preparer = Callable[[Session, list[OutboxMessage]], object]


@dataclass
class Composers:
    """The composers an application knows, by name."""

    compose: dict[str, Composer] = field(default_factory=dict)
    prepare: dict[str, Preparer] = field(default_factory=dict)

    def register(self, name: str, compose: Composer, prepare: Preparer | None = None) -> None:
        if name in self.compose and self.compose[name] is not compose:
            raise ValueError(f"two composers named {name!r}")
        self.compose[name] = compose
        if prepare is not None:
            self.prepare[name] = prepare

    def compose_batch(self, db: Session, rows: Iterable[OutboxMessage], now: datetime
                      ) -> dict[int, Composed | Skip | Exception]:
        """Compose every row (row id -> message, skip, or the error that made composing fail)."""
        rows = list(rows)
        prepared = self.prepare_batch(db, rows)
        composed = {row.id: self.compose_one(db, row, now) for row in rows}
        del prepared  # held until here: what the batch loaded stays in the session's identity map
        return composed

    def prepare_batch(self, db: Session, rows: Iterable[OutboxMessage]) -> list[object]:
        """Load what composing ``rows`` needs, a few queries per composer; hold the result while composing them
        one by one with :meth:`compose_one` (the session's identity map keeps loaded objects only while referred to)."""
        by_composer: dict[str, list[OutboxMessage]] = {}
        for row in rows:
            if row.composer:
                by_composer.setdefault(row.composer, []).append(row)
        return [self.prepare[name](db, group) for name, group in by_composer.items() if name in self.prepare]

    def compose_one(self, db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip | Exception:
        """Compose one row; a row without composer (queued before composition moved here) is sent as stored."""
        if not row.composer:
            return _stored(row)
        compose = self.compose.get(row.composer)
        if compose is None:
            return LookupError(f"no composer named {row.composer!r}")
        try:
            return compose(db, row, now)
        except Exception as error:  # bad data in one row must not stop the others
            log.exception("composing outbox row %s (%s) failed", row.id, row.composer)
            if isinstance(error, sa.exc.DBAPIError):
                db.rollback()  # composing only reads: nothing is lost, and the next row starts clean
            return error


def register_composer(app: Flask, name: str, compose: Composer, prepare: Preparer | None = None) -> None:
    """Let the delivery worker compose rows whose ``composer`` is ``name``."""
    app.extensions.setdefault(EXTENSION, Composers()).register(name, compose, prepare)


def app_composers(app: Flask | None = None) -> Composers:
    """The composers registered on ``app`` (default: the current application)."""
    return (app or current_app).extensions.setdefault(EXTENSION, Composers())


def compose_row(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    """What ``row`` would say if it were sent now (for previews and tests); raises on a broken row."""
    result = app_composers().compose_one(db, row, now)
    if isinstance(result, Exception):
        raise result
    return result


def render_email(template: str, language: str, **context: object) -> RenderedEmail:
    """Render ``email/<template>.{subject.txt,txt,html}`` in ``language`` (no request needed)."""
    return finish_email(*render_email_parts(template, language, context))


def render_email_parts(template: str, language: str, context: dict[str, object]) -> tuple[str, str, str]:
    """The subject (as the template writes it, before :func:`finish_email`), text and HTML of an e-mail."""
    with force_locale(language):
        context = {**_catalog_callables(get_translations()), **context}
        return (render_template(f"email/{template}.subject.txt", **context),
                render_template(f"email/{template}.txt", **context),
                render_template(f"email/{template}.html", **context))


def finish_email(subject: str, text: str, html: str) -> RenderedEmail:
    """The e-mail of rendered parts: the subject on one line (spaces collapsed), at most 300 characters."""
    return RenderedEmail(subject=" ".join(subject.split())[:300], text=text, html=html)


@lru_cache(maxsize=16)
def _catalog_callables(translations: object) -> dict[str, Callable]:
    """The template ``gettext`` family Flask-Babel installs (Jinja's new-style wrappers), bound to one catalog.

    Flask-Babel's own look the catalog up again for every string (application context, locale, domain, cache:
    about 20 strings per message); within ``force_locale`` it is always this one. Template variables take
    precedence over the environment's globals, so ``_()`` and ``{% trans %}`` use these.
    """
    return {"gettext": _make_new_gettext(translations.ugettext),
            "ngettext": _make_new_ngettext(translations.ungettext),
            "pgettext": _make_new_pgettext(translations.upgettext),
            "npgettext": _make_new_npgettext(translations.unpgettext)}


def _stored(row: OutboxMessage) -> Composed:
    calendar = None
    if row.calendar:
        calendar = CalendarPart(row.calendar_method or "REQUEST", row.calendar.encode("utf-8"))
    return Composed(RenderedEmail(row.subject, row.body_text, row.body_html), calendar)
