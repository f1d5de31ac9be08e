"""The one way a page handles a submitted form: validate, run one operation, commit; or roll back and say why.

Views read as "load, check, act, answer"::

    outcome = submit(form, lambda: ops.do_something(db, ..., utcnow()))
    if outcome.done:
        return redirect(...)
    return render_template(..., form=form), outcome.status
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from flask import flash, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from meetings.core.db import get_db
from meetings.core.errors import DomainError
from meetings.core.transactions import commit_with_retry

T = TypeVar("T")


class Outcome(Generic[T]):
    """What submitting a form gave: done (committed) with the operation's value, or the status to answer."""

    def __init__(self, done: bool, status: int, value: T | None = None) -> None:
        self.done = done
        self.status = status
        self.value = value


class ConfirmForm(FlaskForm):
    """A button that changes something (deactivate, re-send, remove, decline): POST with CSRF."""

    submit = SubmitField(_l("Confirm"))


class FormWithErrorsApart(FlaskForm):
    """A form that shows some rule errors apart from its inputs (``errors_apart``, by field name).

    Errors about a field the form has no input for, or named in ``ERRORS_APART``, go there.
    """

    ERRORS_APART: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.errors_apart: dict[str, list[str]] = {}


def show_error(form, error: DomainError) -> None:
    """Put ``error``'s localized message beside its field, apart (see above), or at the top of the page.

    ``form`` None (a button whose page redirects): always at the top of the next page.
    """
    field = getattr(form, error.field, None) if error.field and form is not None else None
    apart = getattr(form, "errors_apart", None) if form is not None else None
    if apart is not None and error.field and (field is None or error.field in form.ERRORS_APART):
        apart.setdefault(error.field, []).append(error.message)
    elif field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def run_operation(form, operation: Callable[[], T]) -> Outcome[T]:
    """Run ``operation`` and commit (again on a lock conflict); on a refused rule roll back and show why."""
    db = get_db()
    try:
        value = commit_with_retry(operation)
    except DomainError as error:
        db.rollback()
        for problem in getattr(error, "errors", None) or [error]:
            show_error(form, problem)
        return Outcome(False, error.status)
    return Outcome(True, 200, value)


def submit(form, operation: Callable[[], T]) -> Outcome[T]:
    """Validate a submitted ``form`` (CSRF included), then :func:`run_operation`.

    Not submitted: not done, 200. Submitted but invalid: not done, 422.
    """
    if not form.validate_on_submit():
        return Outcome(False, 422 if request.method == "POST" else 200)
    return run_operation(form, operation)
