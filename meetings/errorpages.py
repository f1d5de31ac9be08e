"""Localized error pages (HTML) and error documents (JSON under /api/), never a bare 500."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from meetings.core.errors import DomainError

HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to do this."),
    404: _l("This page does not exist."),
    405: _l("This action is not available here."),
    413: _l("What you sent is too large."),
    414: _l("The address (URL) is too long."),
    415: _l("Send the data as JSON (Content-Type: application/json)."),
    422: _l("Some values are not valid."),
    431: _l("The request headers are too large."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing you sent was lost; please try again."),
}
RATE_LIMITED = _l("Too many requests from your network. Please wait a moment and try again.")
CSRF_MESSAGE = _l("This form has expired. Please reload the page and send it again.")

# marshmallow's built-in messages (API type errors), translated.
SCHEMA_MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Unknown field.": _l("This field is not accepted here."),
    "Not a valid string.": _l("Enter text here."),
    "Not a valid integer.": _l("Enter a whole number here."),
    "Not a valid number.": _l("Enter a number here."),
    "Enter a number from 0 to 1,000,000 with at most 6 decimals.":
        _l("Enter a number from 0 to 1,000,000 with at most 6 decimals."),
    "Not a valid boolean.": _l("Enter true or false here."),
    "Not a valid list.": _l("Enter a list here."),
    "Field may not be null.": _l("This field cannot be empty."),
    "Invalid input type.": _l("The request body must be a JSON object."),
    "Shorter than minimum length 1.": _l("Choose at least one."),
}


def wants_json() -> bool:
    """API calls get JSON errors; pages get HTML."""
    return request.path.startswith("/api/")


def error_document(status: int, code: str, message: str, fields: dict | None = None):
    """The one documented shape of every API error."""
    body = {"error": {"status": status, "code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


def render_error(status: int, code: str, message: str, fields: dict | None = None):
    """An error as JSON for the API, as a localized page otherwise."""
    if wants_json():
        return error_document(status, code, message, fields)
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        fields = {error.field: error.message} if error.field else None
        return render_error(error.status, error.code, error.message, fields)

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError):
        return render_error(400, "csrf", str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        status = error.code or 500
        messages = (getattr(error, "data", None) or {}).get("messages")
        if status == 422 and messages:
            return render_error(422, "invalid_input", str(HTTP_MESSAGES[422]), schema_field_errors(messages))
        message = str(HTTP_MESSAGES.get(status, HTTP_MESSAGES[400] if status < 500 else HTTP_MESSAGES[500]))
        if status == 429:  # an abuse limit (core.limits); Flask-Limiter adds Retry-After
            return render_error(429, "rate_limited", str(RATE_LIMITED))
        response = make_response(render_error(status, f"http_{status}", message))
        for name, value in error.get_headers():  # Allow on a 405, WWW-Authenticate, Retry-After...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        return render_error(500, "internal", str(HTTP_MESSAGES[500]))


def schema_field_errors(messages: dict) -> dict[str, str]:
    """Flatten webargs' {location: {field: [message]}} into {field: translated message}."""
    fields: dict[str, str] = {}
    for location_errors in messages.values():
        items = location_errors.items() if isinstance(location_errors, dict) else [("_schema", location_errors)]
        for name, problems in items:
            first = problems
            while isinstance(first, (list, dict)) and first:
                first = first[0] if isinstance(first, list) else next(iter(first.values()))
            fields[str(name)] = str(SCHEMA_MESSAGES.get(str(first), HTTP_MESSAGES[422]))
    return fields
