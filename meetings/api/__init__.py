"""JSON API under /api/v1 with its OpenAPI document at /api/v1/openapi.json (flask-smorest)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from meetings.api.schemas import ErrorSchema


class ServiceApi(Api):
    """flask-smorest's Api, leaving error rendering to :mod:`meetings.errorpages` (one shape)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Errors are rendered by the application's handlers, localized, in one documented shape."""


def init_app(app: Flask) -> None:
    """Register the API blueprints (CSRF-exempt: JSON, no cookie authentication)."""
    from meetings.api.resources import blp
    from meetings.core.security import csrf

    api = ServiceApi(app, spec_kwargs={"info": {"description": (
        "Registrations for the twin sessions of the ACSG Dialogue Platform's global meetings. "
        "Errors always have the shape {\"error\": {\"status\", \"code\", \"message\", \"fields\"?}}; "
        "messages follow Accept-Language (en, fr, es).")}})
    csrf.exempt(blp)
    api.register_blueprint(blp)
