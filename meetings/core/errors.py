"""Domain errors: a stable code, an HTTP status and a translated message, never a 500."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the service refused the request; the message is shown to the person."""

    status = 400

    def __init__(self, code: str, message: LazyString | str, *, field: str | None = None,
                 status: int | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self._message = message
        self.field = field
        self.params = params
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        """The message in the current locale, with its parameters filled in."""
        text = str(self._message)
        return text % self.params if self.params else text


class InvalidInput(DomainError):
    """A value is malformed or out of range (422)."""

    status = 422


class NotFound(DomainError):
    """The thing asked for does not exist, or the secret link is wrong (404)."""

    status = 404


class Forbidden(DomainError):
    """The account or key may not do this (403)."""

    status = 403


class InvalidFields(InvalidInput):
    """Several fields are wrong at once; ``errors`` has one error per field (forms show them all)."""

    def __init__(self, errors: list[DomainError]) -> None:
        first = errors[0]
        super().__init__(first.code, first._message, field=first.field, **first.params)
        self.errors = errors


class FieldChecks:
    """Runs field checks and keeps every error instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, function, *args, **kwargs):
        """``function(*args, **kwargs)``, or None with its error kept."""
        try:
            return function(*args, **kwargs)
        except DomainError as error:
            self.errors.append(error)
            return None

    def raise_errors(self) -> None:
        """Raise every kept error at once (InvalidFields), if any."""
        if self.errors:
            raise InvalidFields(self.errors)


class Conflict(DomainError):
    """The request contradicts the current state (409): closed meeting, full session..."""

    status = 409


REQUIRED = _l("This field is required.")
TOO_LONG = _l("This text is too long (at most %(max)d characters).")
