"""Liveness and readiness: ``GET /healthz`` after a real database round trip."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, jsonify

from meetings.core.db import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with ``{"status": "ok", "database": "ok"}`` when the database answers, else 503."""
    try:
        get_db().execute(sa.text("SELECT 1")).scalar_one()
    except sa.exc.SQLAlchemyError:
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


def init_app(app: Flask) -> None:
    """Register the health endpoint."""
    app.register_blueprint(bp)
