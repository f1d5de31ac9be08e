"""Terms the secretariat adds to the asylum-topic vocabulary (stored, audited, merged with the CSV).

``operations.py`` adds, imports and removes terms and builds the current vocabulary (the CSV of
:mod:`meetings.topics` plus the stored terms); after every change it sends ``vocabulary_changed`` in
the same transaction so that features holding features computed from the vocabulary refresh them.
``views.py`` is the secretariat's page, ``cli.py`` the ``topics`` command group.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the secretariat's vocabulary page and the ``topics`` commands."""
    from meetings.topic_terms import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.topics)
