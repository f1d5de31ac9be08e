"""What support matching puts in the outbox: private links, proposals and decisions, in each contact's language.

Rows record what happened (entry, match, party, decision); the delivery worker composes them from the
current entries. The private links' tokens travel in the rows' secrets until they are sent.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session

from meetings.core.links import public_url
from meetings.core.localtime import in_zone
from meetings.models import GlobalMeeting
from meetings.outbox.composing import Composed, Skip, register_composer, render_email
from meetings.outbox.enqueue import enqueue_message
from meetings.outbox.models import OutboxMessage
from meetings.support import states
from meetings.support.models import SupportEntry, SupportMatch

ENTRY_LINK, MATCH_PROPOSED, MATCH_DECIDED, FOLLOWUP = (
    "support.entry_link", "support.match_proposed", "support.match_decided", "support.followup")


def send_entry_link(db: Session, entry, token: str, now: datetime) -> None:
    """The contact's private link to confirm and manage a request or an offer."""
    enqueue_message(db, key=f"support:entry:{entry.id}:link:{entry.token_hash[:16]}", topic="support.entry_link",
                    composer=ENTRY_LINK, to=[entry.contact_email], language=entry.contact_language, now=now,
                    facts={"entry_id": entry.id}, secrets={"token": token})


def _party_entry(match, role: str):
    return match.request if role == states.REQUESTER else match.offer


def send_match_proposed(db: Session, match, role: str, token: str, now: datetime) -> None:
    """One party's invitation to accept or decline a proposed match (the link opens a page; a POST answers)."""
    own = _party_entry(match, role)
    enqueue_message(db, key=f"support:match:{match.id}:proposed:{role}", topic="support.match_proposed",
                    composer=MATCH_PROPOSED, to=[own.contact_email], language=own.contact_language, now=now,
                    facts={"match_id": match.id, "role": role}, secrets={"token": token})


def send_match_decided(db: Session, match, now: datetime) -> None:
    """Tell both parties that the match is agreed, declined or withdrawn."""
    for role in states.PARTIES:
        own = _party_entry(match, role)
        enqueue_message(db, key=f"support:match:{match.id}:{match.status}:{role}",
                        topic=f"support.match_{match.status}", composer=MATCH_DECIDED, to=[own.contact_email],
                        language=own.contact_language, now=now,
                        facts={"match_id": match.id, "role": role, "status": match.status})


def send_followup_invitation(db: Session, entry, meeting, sessions, now: datetime) -> None:
    """Invite a party's contact to register for a targeted follow-up meeting."""
    enqueue_message(db, key=f"support:followup:{meeting.id}:{entry.id}", topic="support.followup",
                    composer=FOLLOWUP, to=[entry.contact_email], language=entry.contact_language, now=now,
                    facts={"entry_id": entry.id, "meeting_id": meeting.id})


def compose_entry_link(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    entry, token = db.get(SupportEntry, row.facts["entry_id"]), (row.secrets or {}).get("token", "")
    if entry is None or not token or entry.token_hash != _digest(token):
        return Skip("the entry was erased or its link replaced")
    return Composed(render_email("support_entry_link", row.language, entry=entry,
                                 link=public_url("support_public.entry", token=token, lang=row.language)))


def compose_match_proposed(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    match, role = db.get(SupportMatch, row.facts["match_id"]), row.facts["role"]
    token = (row.secrets or {}).get("token", "")
    if match is None or not token:
        return Skip("the match was erased")
    expected = match.requester_token_hash if role == states.REQUESTER else match.offerer_token_hash
    if expected != _digest(token):
        return Skip("the match's link was replaced")
    own, other = _party_entry(match, role), match.offer if role == states.REQUESTER else match.request
    return Composed(render_email("support_match_proposed", row.language, match=match, own=own, other=other,
                                 role=role, link=public_url("support_public.match", token=token, lang=row.language)))


def compose_match_decided(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    match, role = db.get(SupportMatch, row.facts["match_id"]), row.facts["role"]
    if match is None:
        return Skip("the match was erased")
    own, other = _party_entry(match, role), match.offer if role == states.REQUESTER else match.request
    return Composed(render_email("support_match_decided", row.language, match=match, own=own, other=other,
                                 status=row.facts["status"]))


def compose_followup_invitation(db: Session, row: OutboxMessage, now: datetime) -> Composed | Skip:
    entry, meeting = db.get(SupportEntry, row.facts["entry_id"]), db.get(GlobalMeeting, row.facts["meeting_id"])
    if entry is None or meeting is None:
        return Skip("the entry or the meeting was erased")
    sessions = [(s, in_zone(s.starts_at, meeting.reference_timezone)) for s in meeting.sessions]
    return Composed(render_email(
        "support_followup", row.language, entry=entry, meeting=meeting, sessions=sessions,
        title=meeting.title(row.language),
        register_url=public_url("registrations.register", meeting_id=meeting.id, lang=row.language)))


def register_composers(app: Flask) -> None:
    """Let the delivery worker write support matching's e-mails."""
    register_composer(app, ENTRY_LINK, compose_entry_link)
    register_composer(app, MATCH_PROPOSED, compose_match_proposed)
    register_composer(app, MATCH_DECIDED, compose_match_decided)
    register_composer(app, FOLLOWUP, compose_followup_invitation)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
