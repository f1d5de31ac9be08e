"""What support matching puts in the outbox: private links, proposals and decisions, in each contact's language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from meetings.core.links import public_url
from meetings.outbox.enqueue import enqueue_email, render_email
from meetings.support import states


def send_entry_link(db: Session, entry, token: str, now: datetime) -> None:
    """The contact's private link to confirm and manage a request or an offer."""
    language = entry.contact_language
    email = render_email("support_entry_link", language, entry=entry,
                         link=public_url("support_public.entry", token=token, lang=language))
    enqueue_email(db, key=f"support:entry:{entry.id}:link:{entry.token_hash[:16]}", topic="support.entry_link",
                  to=[entry.contact_email], language=language, email=email, now=now)


def _party_entry(match, role: str):
    return match.request if role == states.REQUESTER else match.offer


def send_match_proposed(db: Session, match, role: str, token: str, now: datetime) -> None:
    """One party's invitation to accept or decline a proposed match (the link opens a page; a POST answers)."""
    own = _party_entry(match, role)
    other = match.offer if role == states.REQUESTER else match.request
    language = own.contact_language
    email = render_email("support_match_proposed", language, match=match, own=own, other=other, role=role,
                         link=public_url("support_public.match", token=token, lang=language))
    enqueue_email(db, key=f"support:match:{match.id}:proposed:{role}", topic="support.match_proposed",
                  to=[own.contact_email], language=language, email=email, now=now)


def send_match_decided(db: Session, match, now: datetime) -> None:
    """Tell both parties that the match is agreed, declined or withdrawn."""
    for role in states.PARTIES:
        own = _party_entry(match, role)
        other = match.offer if role == states.REQUESTER else match.request
        language = own.contact_language
        email = render_email("support_match_decided", language, match=match, own=own, other=other)
        enqueue_email(db, key=f"support:match:{match.id}:{match.status}:{role}", topic=f"support.match_{match.status}",
                      to=[own.contact_email], language=language, email=email, now=now)


def send_followup_invitation(db: Session, entry, meeting, sessions, now: datetime) -> None:
    """Invite a party's contact to register for a targeted follow-up meeting."""
    language = entry.contact_language
    email = render_email("support_followup", language, entry=entry, meeting=meeting, sessions=sessions,
                         title=meeting.title(language),
                         register_url=public_url("registrations.register", meeting_id=meeting.id, lang=language))
    enqueue_email(db, key=f"support:followup:{meeting.id}:{entry.id}", topic="support.followup",
                  to=[entry.contact_email], language=language, email=email, now=now)
