"""The shared domain: global meetings, their twin sessions and registrations, and their loaders.

Every feature reads these; each feature package owns its other models (``meetings/model_registry.py``
lists them all for Alembic).
"""

from meetings.models.meeting import GlobalMeeting, MeetingSession
from meetings.models.registration import Registration

__all__ = ["GlobalMeeting", "MeetingSession", "Registration"]
