"""Audit entries as sentences in the reader's language: one translated template per action code."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from meetings.core.localtime import format_utc

SENTENCES = {
    "account.deactivated": _l("%(who)s deactivated the account %(email)s."),
    "account.invitation_resent": _l("%(who)s sent the account invitation to %(email)s again."),
    "account.invited": _l("%(who)s invited %(email)s to an account (%(role)s)."),
    "attendance.marked": _l("%(who)s recorded attendance for session %(label)s: %(present)s present, "
                            "%(absent)s absent."),
    "export.downloaded": _l("%(who)s downloaded the list “%(kind)s” (%(format)s)."),
    "forum_topic.added": _l("%(who)s added a regional-forum topic (%(forum)s)."),
    "forum_topic.removed": _l("%(who)s removed the regional-forum topic “%(title)s”."),
    "interpretation.booked": _l("%(who)s booked interpretation %(channel)s for session %(label)s."),
    "interpretation.unbooked": _l("%(who)s cancelled the interpretation %(channel)s for session %(label)s."),
    "meeting.anonymized": _l("%(who)s anonymized %(registrations)s registrations of the meeting %(edition)s."),
    "meeting.cancelled": _l("%(who)s cancelled the meeting %(edition)s."),
    "meeting.created_from_series": _l("%(who)s created the meeting %(edition)s from the series plan."),
    "meeting.plan_applied": _l("%(who)s applied a plan to meeting #%(id)s."),
    "outbox.requeued": _l("%(who)s queued %(count)s failed messages again."),
    "registration.cancelled": _l("%(who)s cancelled registration #%(id)s (session %(label)s)."),
    "roundtable.invited_workstream": _l("%(who)s decided to invite %(invited)s contacts of the workstream to "
                                        "roundtable #%(id)s."),
    "roundtable.created": _l("%(who)s created roundtable #%(id)s."),
    "roundtable.edited": _l("%(who)s edited roundtable #%(id)s."),
    "roundtable.submit": _l("%(who)s submitted roundtable #%(id)s for review."),
    "roundtable.withdraw": _l("%(who)s withdrew roundtable #%(id)s."),
    "roundtable.request_changes": _l("%(who)s asked for changes to roundtable #%(id)s."),
    "roundtable.accept": _l("%(who)s accepted roundtable #%(id)s."),
    "roundtable.reject": _l("%(who)s declined roundtable #%(id)s."),
    "roundtable.mark_held": _l("%(who)s marked roundtable #%(id)s as held."),
    "roundtable.schedule": _l("%(who)s scheduled roundtable #%(id)s."),
    "session.cancelled": _l("%(who)s cancelled session %(label)s."),
    "session.rescheduled": _l("%(who)s moved session %(label)s from %(before)s to %(after)s."),
    "webhook.added": _l("%(who)s added the webhook %(url)s."),
    "webhook.disabled": _l("%(who)s disabled the webhook %(url)s."),
}
UNKNOWN = _l("%(who)s: %(action)s (#%(id)s).")


class _Values(dict):
    """Template values; a detail the entry lacks shows as a dash instead of failing."""

    def __missing__(self, key: str) -> str:
        return "—"


def _when(value: object) -> str:
    try:
        return format_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def audit_sentence(entry) -> str:
    """One audit entry as a sentence in the current locale."""
    details = entry.details if isinstance(entry.details, dict) else {}
    values = _Values({key: value for key, value in details.items() if isinstance(value, str | int | float)})
    values.update(who=entry.actor_label, action=entry.action, id=entry.subject_id if entry.subject_id else "—")
    for key in ("before", "after"):
        if isinstance(details.get(key), dict) and "starts_at" in details[key]:
            values[key] = _when(details[key]["starts_at"])
    return str(SENTENCES.get(entry.action, UNKNOWN)) % values
