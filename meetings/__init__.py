"""The ACSG Dialogue Platform meeting service (Flask application)."""

from __future__ import annotations

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, then one line per feature."""
    app = Flask(__name__, instance_relative_config=True)
    from meetings.config import load_config

    app.config.update(load_config(app.instance_path))
    app.config.update(config or {})

    from meetings import api, calendar, cli, console, errorpages, health, home, jobs, planning, templating
    from meetings.accounts import views as accounts
    from meetings.core import db, i18n, incoming, limits, security
    from meetings.observability import init_app as init_observability
    from meetings.organizations import views as organizations
    from meetings.outbox import cli as outbox_cli
    from meetings.outbox import views as outbox
    from meetings.registrations import api as registrations_api
    from meetings.registrations import composers as registration_messages
    from meetings.registrations import views as registrations
    from meetings.roundtables import init_app as init_roundtables
    from meetings.support import init_app as init_support
    from meetings.topic_terms import init_app as init_topic_terms

    security.install_url_converters(app)
    db.init_app(app)
    init_observability(app)
    i18n.init_app(app)
    templating.init_app(app)
    incoming.init_app(app)
    security.init_app(app)
    errorpages.init_app(app)
    api.init_app(app)
    accounts.init_app(app)
    health.init_app(app)
    home.init_app(app)
    registrations.init_app(app)
    registrations_api.init_app(app)
    registration_messages.init_app(app)
    organizations.init_app(app)
    calendar.init_app(app)
    planning.init_app(app)
    init_roundtables(app)
    init_topic_terms(app)
    init_support(app)
    console.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)
    outbox_cli.init_app(app)
    outbox.init_app(app)
    limits.init_app(app)  # last: it wraps the views the features registered
    return app
