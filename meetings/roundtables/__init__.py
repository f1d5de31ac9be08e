"""Co-conveners and thematic roundtables: proposals, review, scheduling, workstream follow-up.

``states.py`` is the one table of allowed status changes and who may make each; ``similarity.py``
is the pure duplicate finder and ``duplicates.py`` stores its features and runs the check;
``operations.py`` (proposals and their life), ``followup.py``
(workstream invitations: decided in the request, sent in batches by the scheduler process) and
``forum_topics.py`` (regional-forum topics) flush and never commit; ``messages.py`` queues the e-mails
(composed at delivery by its composers) and webhook events; the views are thin.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the roundtable pages, the secretariat's account and forum-topic pages, the decline link."""
    from meetings.core.erasure import add_contact_eraser
    from meetings.roundtables import admin_views, duplicates, followup, labels, messages, views
    from meetings.topic_terms.operations import vocabulary_changed

    add_contact_eraser(app, followup.erase_invitation_contacts)
    messages.register_composers(app)

    app.register_blueprint(views.bp)
    app.register_blueprint(views.public_bp)
    app.register_blueprint(admin_views.bp)
    vocabulary_changed.connect(duplicates.refresh_vectors)
    app.jinja_env.globals.update(roundtable_status_label=labels.roundtable_status_label,
                                 roundtable_action_label=labels.action_label)
