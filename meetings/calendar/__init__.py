"""Calendars for participants: invites, cancellations, feeds and add-to-calendar links.

``events.py`` is the one place where a session becomes a :class:`notifications.ics.CalendarEvent`
(pages, API, feeds and e-mails all go through it); ``views.py`` serves the .ics files.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the calendar routes and the template helpers for the add-to-calendar buttons."""
    from meetings.calendar import events, views

    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(
        calendar_links=events.calendar_links,
        meeting_feed_links=events.meeting_feed_links,
    )
