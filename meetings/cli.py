"""Command-line operations: ``flask --app wsgi db-upgrade`` and ``flask --app wsgi seed-demo``."""

from __future__ import annotations

import click
from flask import Flask, current_app

from meetings import demo
from meetings.db import new_session, utcnow
from meetings.migrate import upgrade_database


@click.command("db-upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations to DATABASE_URL (SQLite in the instance folder by default)."""
    engine = current_app.extensions["db_engine"]
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        from pathlib import Path

        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    upgrade_database(engine)
    click.echo(f"Database is up to date: {engine.url.render_as_string(hide_password=True)}")


@click.command("seed-demo")
def seed_demo() -> None:
    """Create the four workstreams and one open demo global meeting (safe to run again)."""
    db = new_session(current_app)
    try:
        demo.seed_workstreams(db)
        meeting = demo.seed_demo_meeting(db, utcnow().date())
        db.commit()
        click.echo(f"Demo meeting {meeting.edition}: http://127.0.0.1:5000/meetings/{meeting.id}")
    finally:
        db.close()


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(db_upgrade)
    app.cli.add_command(seed_demo)
