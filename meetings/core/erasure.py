"""Erasing a person's contact details everywhere: features that keep addresses register an eraser.

"Delete my data" (the console) must reach tables of features it may not import (a roundtable's
invitations): each such feature adds, in its ``init_app``, a function ``eraser(db, email_key)``
that removes what it holds for that comparison key (``rules.email_key``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy.orm import Session

Eraser = Callable[[Session, str], None]
_EXTENSION = "contact_erasers"


def add_contact_eraser(app: Flask, eraser: Eraser) -> None:
    """Have ``eraser`` run whenever a person's contact details are erased."""
    erasers = app.extensions.setdefault(_EXTENSION, [])
    if eraser not in erasers:
        erasers.append(eraser)


def erase_contact(db: Session, email_key: str) -> None:
    """Run every registered eraser for ``email_key`` (flush, never commit)."""
    for eraser in current_app.extensions.get(_EXTENSION, ()):
        eraser(db, email_key)
