"""The ``scheduler`` command (the one scheduler process) and ``dev-server`` (web and jobs in one process)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from meetings.core.cli_language import in_language
from meetings.core.counters import observe_job
from meetings.jobs.definitions import scheduler_jobs, single_scheduler
from meetings.jobs.runner import run_forever, start_in_background


@click.command("scheduler")
@with_appcontext
@in_language
def scheduler_command() -> None:
    """Run the scheduler process: reminders sweep and outbox delivery (one copy; a second one waits)."""
    app = current_app._get_current_object()
    click.echo(_("Waiting for the scheduler lock (another scheduler may be running)…"))
    with single_scheduler(app):
        click.echo(_("Scheduler running (Ctrl+C to stop)."))
        run_forever(scheduler_jobs(app), observe=observe_job)


@click.command("dev-server")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def dev_server_command(host: str, port: int) -> None:
    """Development: the web server and, in the same process and only once, the scheduler."""
    from werkzeug.serving import run_simple

    from meetings.jobs.devserver import JsonErrorsRequestHandler

    app = current_app._get_current_object()
    scheduler = start_in_background(scheduler_jobs(app), observe=observe_job)
    try:
        run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True,
                   request_handler=JsonErrorsRequestHandler)
    finally:
        scheduler.shutdown(wait=False)
