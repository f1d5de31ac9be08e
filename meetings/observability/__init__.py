"""Operating the service: request ids and logs, Prometheus metrics, readiness and the ``db-status`` command."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the request log, /metrics, /readyz and the ``db-status`` command."""
    from meetings.observability import cli, metrics, readiness, requestlog

    requestlog.init_app(app)
    metrics.init_app(app)
    readiness.init_app(app)
    cli.init_app(app)
