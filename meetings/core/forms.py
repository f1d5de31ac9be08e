"""Showing a refused rule on a form: beside its field when the form has it, else as a flash message."""

from __future__ import annotations

from flask import flash

from meetings.core.errors import DomainError


def show_error(form, error: DomainError) -> None:
    """Put ``error``'s localized message next to its field, or at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        flash(error.message, "error")
        return
    field.errors = [*field.errors, error.message]
