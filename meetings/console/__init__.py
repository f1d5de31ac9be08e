"""The secretariat console: interpretation plan, dashboards with charts, lists and exports, privacy, audit."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the console pages, the participant's data pages and the ``privacy`` command."""
    from meetings.console import cli, views

    views.init_app(app)
    app.cli.add_command(cli.privacy)
