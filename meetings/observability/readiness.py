"""``GET /readyz``: the database answers, its schema is at the migrations' head, the outbox is moving."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy.engine import Connection

from meetings.core.db import new_session, utcnow
from meetings.core.migrate import alembic_config
from meetings.observability.gauges import oldest_due_age_seconds

bp = Blueprint("readiness", __name__)


@dataclass(frozen=True)
class MigrationState:
    """The revisions the database is at, and the head revisions of the migrations shipped with the code."""

    current: tuple[str, ...]
    heads: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        """True when the database has every migration of the code and nothing else."""
        return set(self.current) == set(self.heads)


@functools.cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def migration_state(connection: Connection) -> MigrationState:
    """Compare the database's Alembic revisions with the code's heads (``unknown``: revisions of newer code)."""
    current = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    known = {revision.revision for revision in _script().walk_revisions()}
    return MigrationState(current=current, heads=tuple(sorted(_script().get_heads())),
                          unknown=tuple(r for r in current if r not in known))


@bp.get("/readyz")
def readyz():
    """200 when ready for traffic, else 503 naming the failed checks (``database``, ``migrations``, ``outbox``)."""
    checks: dict[str, dict] = {}
    app = current_app._get_current_object()
    try:
        with new_session(app) as db:
            state = migration_state(db.connection())
            checks["database"] = {"ok": True}
            checks["migrations"] = {"ok": state.at_head, "current": list(state.current), "head": list(state.heads)}
            age = oldest_due_age_seconds(db, utcnow())
        limit = app.config["READY_OUTBOX_MAX_AGE_SECONDS"]
        checks["outbox"] = {"ok": age <= limit, "oldest_due_age_seconds": round(age, 1), "limit_seconds": limit}
    except sa.exc.SQLAlchemyError:
        checks["database"] = {"ok": False}
    failed = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "error" if failed else "ok", "failed": failed, "checks": checks}
    return jsonify(body), 503 if failed else 200


def init_app(app: Flask) -> None:
    """Register /readyz."""
    app.register_blueprint(bp)
