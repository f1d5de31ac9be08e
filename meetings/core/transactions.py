"""Run one unit of work and commit, retrying it whole when the database aborts it for a lock conflict.

A deadlock (PostgreSQL 40P01), a serialization failure (40001) or a busy SQLite file ("database is
locked") aborts the whole transaction: nothing of it was kept, so running the work again from the
start is safe. Between tries it waits a short random moment, so the same transactions do not meet
again at once. After ``ATTEMPTS`` tries the caller gets a localized 409 instead of a 500.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from meetings.core.db import get_db
from meetings.core.errors import Conflict

T = TypeVar("T")

ATTEMPTS = 3
PAUSE_SECONDS = 0.05
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
BUSY_MESSAGE = _l("Too many changes arrived at the same moment. Nothing was changed; please try again.")


def is_lock_conflict(error: sa.exc.DBAPIError) -> bool:
    """True when the database aborted the transaction because of a deadlock or a concurrent change."""
    original = error.orig
    if getattr(original, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(original)


def commit_with_retry(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run ``work`` (load, check, change) and commit; on a lock conflict roll back and run it again."""
    db = get_db()
    for attempt in range(1, attempts + 1):
        try:
            value = work()
            db.commit()
            return value
        except sa.exc.DBAPIError as error:
            db.rollback()
            if not is_lock_conflict(error):
                raise
            current_app.logger.info("Lock conflict (attempt %d of %d): %s", attempt, attempts,
                                    str(error.orig).splitlines()[0] if str(error.orig) else "")
            if attempt < attempts:
                time.sleep(random.uniform(0, PAUSE_SECONDS * attempt))
    raise Conflict("concurrent_change", BUSY_MESSAGE)
