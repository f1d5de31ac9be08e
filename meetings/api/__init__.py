"""The JSON API under /api/v1: one flask-smorest Api, one OpenAPI document, one error shape.

Features own their endpoints and call :func:`register_blueprint`; nobody else reaches into
flask-smorest's internals.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api, Blueprint

from meetings.api.schemas import ErrorSchema
from meetings.core.security import csrf

DESCRIPTION = (
    "Registrations for the twin sessions of the ACSG Dialogue Platform's global meetings. "
    "Errors always have the shape {\"error\": {\"status\", \"code\", \"message\", \"fields\"?}}; "
    "messages follow Accept-Language (en, fr, es).")


class ServiceApi(Api):
    """flask-smorest's Api, leaving error rendering to :mod:`meetings.errorpages` (one shape)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Errors are rendered by the application's handlers, localized, in one documented shape."""


def init_app(app: Flask) -> None:
    """Create the service's Api; features add their blueprints with :func:`register_blueprint`."""
    api = ServiceApi(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    api.spec.components.security_scheme("organizationKey", {
        "type": "http", "scheme": "bearer",
        "description": "An organization's API key, created by the secretariat: trusted registrations for that "
                       "organization only"})
    app.extensions["acsg_api"] = api


def register_blueprint(app: Flask, blueprint: Blueprint) -> None:
    """Add ``blueprint``'s endpoints to /api/v1 and its OpenAPI document (CSRF-exempt: JSON, no cookies)."""
    csrf.exempt(blueprint)
    app.extensions["acsg_api"].register_blueprint(blueprint)
