"""``flask --app wsgi db-status``: is the database at the migrations' head? (exit 1 when it is not)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from meetings.core.cli_language import in_language
from meetings.observability.readiness import migration_state


@click.command("db-status")
@with_appcontext
@in_language
def db_status() -> None:
    """Report whether the database has every migration of this code (exit code 1 when it is behind)."""
    engine = current_app.extensions["db_engine"]
    with engine.connect() as connection:
        state = migration_state(connection)
    none = _("none")
    click.echo(_("Database: %(url)s", url=engine.url.render_as_string(hide_password=True)))
    click.echo(_("Database revision: %(current)s", current=", ".join(state.current) or none))
    click.echo(_("Code revision (head): %(head)s", head=", ".join(state.heads)))
    if state.at_head:
        click.echo(_("The database is at head."))
        return
    if state.unknown:
        click.echo(_("The database has revisions this code does not know (%(revisions)s): deploy the newer code.",
                     revisions=", ".join(state.unknown)))
    else:
        click.echo(_("The database is behind: run `flask --app wsgi db-upgrade`, then restart the web and "
                     "scheduler processes."))
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the command."""
    app.cli.add_command(db_status)
