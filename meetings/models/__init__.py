"""Models of the service, one module per concern; importing this package registers them all."""

from meetings.accounts.models import LoginAttempt, User
from meetings.console.models import Attendance, InterpretationBooking
from meetings.models.audit import AuditEntry
from meetings.models.meeting import GlobalMeeting, MeetingSession
from meetings.models.organization import Organization
from meetings.models.registration import Registration
from meetings.models.workstream import Workstream, WorkstreamInterest
from meetings.outbox.models import OutboxMessage, Webhook
from meetings.roundtables.models import (
    RegionalForumTopic,
    Roundtable,
    RoundtableChange,
    RoundtableInvitation,
    RoundtableWindow,
)
from meetings.topic_terms.models import TopicTerm

__all__ = [
    "Attendance",
    "InterpretationBooking",
    "AuditEntry",
    "LoginAttempt",
    "User",
    "GlobalMeeting",
    "MeetingSession",
    "Organization",
    "Registration",
    "Workstream",
    "WorkstreamInterest",
    "OutboxMessage",
    "Webhook",
    "RegionalForumTopic",
    "Roundtable",
    "RoundtableChange",
    "RoundtableInvitation",
    "RoundtableWindow",
    "TopicTerm",
]
