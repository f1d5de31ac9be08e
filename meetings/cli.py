"""Command-line operations: ``flask --app wsgi db-upgrade`` and ``flask --app wsgi seed-demo``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from meetings import demo
from meetings.db import new_session, utcnow
from meetings.links import public_url
from meetings.migrate import upgrade_database
from meetings.roundtables.staff import seed_forum_topics


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply the Alembic migrations to DATABASE_URL (SQLite in the instance folder by default)."""
    engine = current_app.extensions["db_engine"]
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        from pathlib import Path

        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    upgrade_database(engine)
    click.echo(f"Database is up to date: {engine.url.render_as_string(hide_password=True)}")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the four workstreams and one open demo global meeting (safe to run again)."""
    db = new_session(current_app)
    try:
        demo.seed_workstreams(db)
        meeting = demo.seed_demo_meeting(db, utcnow().date())
        seed_forum_topics(db, utcnow())
        db.commit()
        click.echo(f"Demo meeting {meeting.edition}: {public_url('registrations.meeting_page', meeting_id=meeting.id)}")
    finally:
        db.close()


@click.command("create-secretariat")
@with_appcontext
@click.option("--email", required=True, help="Login e-mail of the account")
@click.option("--name", required=True, help="Full name")
@click.option("--language", default="en", type=click.Choice(["en", "fr", "es"]))
@click.password_option(help="At least 12 characters (asked for when not given)")
def create_secretariat(email: str, name: str, language: str, password: str) -> None:
    """Create a secretariat account (the first one, or another)."""
    from meetings.accounts.operations import create_account
    from meetings.errors import DomainError

    db = new_session(current_app)
    try:
        user = create_account(db, email=email, name=name, role="secretariat", password=password,
                              language=language)
        db.commit()
    except DomainError as error:
        raise click.ClickException(error.message) from None
    finally:
        db.close()
    click.echo(f"Secretariat account created: {user.email}")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(db_upgrade)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_secretariat)
