"""Background work: APScheduler runs the job definitions in ONE scheduler process (never in create_app).

``runner.py`` wraps APScheduler (plain callables, nothing of Flask), ``definitions.py`` lists the jobs and
the lock that keeps a single scheduler, ``cli.py`` has the ``scheduler`` and ``dev-server`` commands.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``scheduler`` and ``dev-server`` commands."""
    from meetings.jobs import cli

    app.cli.add_command(cli.scheduler_command)
    app.cli.add_command(cli.dev_server_command)
