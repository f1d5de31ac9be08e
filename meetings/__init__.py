"""The ACSG Dialogue Platform meeting service (Flask application)."""

from __future__ import annotations

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, then one line per feature."""
    app = Flask(__name__, instance_relative_config=True)
    from meetings.config import load_config

    app.config.update(load_config(app.instance_path))
    app.config.update(config or {})

    from meetings import api, calendar, cli, console, db, errorpages, health, i18n, planning, security, templating
    from meetings.accounts import views as account_views
    from meetings.outbox import cli as outbox_cli
    from meetings.outbox import views as outbox_views
    from meetings.registrations import views as registration_views
    from meetings.roundtables import init_app as init_roundtables
    from meetings.topic_terms import init_app as init_topic_terms

    security.install_url_converters(app)
    db.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    errorpages.init_app(app)
    account_views.init_app(app)
    health.init_app(app)
    registration_views.init_app(app)
    calendar.init_app(app)
    api.init_app(app)
    planning.init_app(app)
    init_roundtables(app)
    init_topic_terms(app)
    console.init_app(app)
    cli.init_app(app)
    outbox_cli.init_app(app)
    outbox_views.init_app(app)
    return app
