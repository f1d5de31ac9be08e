"""Twin-session planning for the secretariat: pages, JSON API and CLI around the pure ``scheduler``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the planning pages, the ``/api/v1/plans`` endpoints and the ``plan`` command.

    Call after :func:`meetings.api.init_app`: the API blueprint joins the service's flask-smorest Api
    (same OpenAPI document, same error handling) found in ``app.extensions``.
    """
    from meetings.core.security import csrf
    from meetings.planning import api, cli, views

    views.init_app(app)
    service_api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    csrf.exempt(api.blp)
    service_api.register_blueprint(api.blp)
    app.cli.add_command(cli.plan_command)
