"""Command-line operations: ``db-upgrade``, ``seed-demo`` and ``create-secretariat``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import get_locale
from flask_babel import gettext as _

from meetings import demo
from meetings.accounts.operations import create_account
from meetings.core.cli_language import in_language
from meetings.core.db import new_session, utcnow
from meetings.core.errors import DomainError
from meetings.core.links import public_url
from meetings.core.migrate import upgrade_database
from meetings.roundtables.forum_topics import seed_forum_topics


@click.command("db-upgrade")
@with_appcontext
@in_language
def db_upgrade() -> None:
    """Apply the Alembic migrations to DATABASE_URL (SQLite in the instance folder by default)."""
    engine = current_app.extensions["db_engine"]
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    upgrade_database(engine)
    click.echo(_("The database is up to date: %(url)s", url=engine.url.render_as_string(hide_password=True)))


@click.command("seed-demo")
@with_appcontext
@in_language
def seed_demo() -> None:
    """Create the four workstreams and one open demo global meeting (safe to run again)."""
    db = new_session(current_app)
    try:
        demo.seed_workstreams(db)
        meeting = demo.seed_demo_meeting(db, utcnow().date())
        seed_forum_topics(db, utcnow())
        db.commit()
        click.echo(_("Demo global meeting %(edition)s: %(url)s", edition=meeting.edition,
                     url=public_url("registrations.meeting_page", meeting_id=meeting.id)))
    finally:
        db.close()


@click.command("create-secretariat")
@with_appcontext
@click.option("--email", required=True, help="Login e-mail of the account")
@click.option("--name", required=True, help="Full name")
@click.password_option(help="At least 12 characters (asked for when not given)")
@in_language
def create_secretariat(email: str, name: str, password: str) -> None:
    """Create a secretariat account (the first one, or another); --language is also the account's."""
    db = new_session(current_app)
    try:
        user = create_account(db, email=email, name=name, role="secretariat", password=password,
                              language=get_locale().language)
        db.commit()
    except DomainError as error:
        raise click.ClickException(error.message) from None
    finally:
        db.close()
    click.echo(_("Secretariat account created: %(email)s", email=user.email))


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(db_upgrade)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_secretariat)
