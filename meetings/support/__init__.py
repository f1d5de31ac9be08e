"""Support matching (workstreams 1 and 2): requests and offers, transparent matching, pledges, the showcase.

``states.py`` is the one table of a match's status changes and who may make each; ``scoring.py`` is
the pure, transparent score (points per reason); ``textmatch.py`` is the one plug-in point of the
text-similarity finder; ``operations.py`` and ``followup.py`` flush and never commit; ``messages.py``
writes the e-mails to the outbox; the views (pages, private links, the public showcase and its feed)
and ``api.py`` (``/api/v1``) are thin.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pages, the private-link pages, the showcase and feed, the API and template labels.

    Call after :func:`meetings.api.init_app` (the API blueprint joins the service's one Api).
    """
    from meetings import api as service_api
    from meetings.support import api, labels, messages, views

    messages.register_composers(app)
    app.register_blueprint(views.public_bp)
    app.register_blueprint(views.admin_bp)
    service_api.register_blueprint(app, api.blp)
    app.jinja_env.globals.update(area_label=labels.area_label, kind_label=labels.kind_label,
                                 side_label=labels.side_label, entry_status_label=labels.entry_status_label,
                                 match_status_label=labels.match_status_label,
                                 pledge_status_label=labels.pledge_status_label, reason_label=labels.reason_label,
                                 response_label=labels.response_label)
