"""Verb-named operations on roundtables: propose, edit, change status, schedule. Flush, never commit.

Every status change goes through :func:`change_status`, which asks :mod:`meetings.roundtables.states`
whether the account may make it, writes the history row and the audit entry, and queues the
proposer's e-mail and the webhook event in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from meetings.accounts.models import User
from meetings.core import rules
from meetings.core.audit import record_action
from meetings.core.errors import (
    REQUIRED,
    TOO_LONG,
    Conflict,
    FieldChecks,
    Forbidden,
    InvalidFields,
    InvalidInput,
    NotFound,
)
from meetings.core.vocabulary import CATEGORY_CODES, LANGUAGE_CODES, REGION_CODES
from meetings.models import GlobalMeeting, MeetingSession
from meetings.organizations.models import Workstream
from meetings.roundtables import messages, states
from meetings.roundtables.models import Roundtable, RoundtableChange, RoundtableWindow

MAX_TITLE = 200
MAX_ABSTRACT = 5000
MAX_THEMES = 10
MAX_THEME = 60
MAX_WINDOWS = 5
MAX_CO_CONVENERS = 10
MAX_COMMENT = 2000
MIN_DURATION, MAX_DURATION = 30, 480
MAX_CAPACITY = 5000
UNHCR_NAMES = frozenset({"unhcr", "hcr", "acnur"})
# Proposals other organizations can see in the duplicate warning (drafts stay private).
VISIBLE_TO_OTHERS = ("submitted", "changes_requested", "accepted", "scheduled", "held")


@dataclass(frozen=True)
class ProposalInput:
    """What a co-convener writes (typed, not yet validated); texts are keyed by language code."""

    titles: dict[str, str]
    abstracts: dict[str, str]
    workstream: int | None = 3
    themes: str = ""
    regions: tuple[str, ...] = ()
    target_categories: tuple[str, ...] = ()
    interpretation_languages: tuple[str, ...] = ()
    windows: tuple[tuple[date | None, date | None], ...] = ()
    duration_minutes: int | None = 120
    co_conveners: str = ""


@dataclass(frozen=True)
class ScheduleInput:
    """One session (A) or twin sessions (A, B): aware start times, duration, seats and join links."""

    starts: tuple[datetime, ...]
    duration_minutes: int
    capacity: int
    join_urls: tuple[str, ...]
    reference_zone: str = "Europe/Zurich"




def _texts(titles: dict[str, str], abstracts: dict[str, str]) -> dict[str, str]:
    """Titles and abstracts per language; at least one language must have both."""
    out = {}
    for code in LANGUAGE_CODES:
        out[f"title_{code}"] = rules.limit_text(titles.get(code), f"title_{code}", MAX_TITLE)
        out[f"abstract_{code}"] = rules.limit_text(abstracts.get(code), f"abstract_{code}", MAX_ABSTRACT)
    if not any(out[f"title_{c}"] and out[f"abstract_{c}"] for c in LANGUAGE_CODES):
        raise InvalidInput("title_required",
                           _l("Give the title and the abstract in at least one language (English, French "
                              "or Spanish)."), field="title_en")
    return out


def parse_themes(text: str) -> list[str]:
    """Free tags separated by commas or new lines: trimmed, without repeats, at least one."""
    themes, seen = [], set()
    for raw in re.split(r"[,;\n]", text or ""):
        theme = " ".join(raw.split())
        if not theme or theme.casefold() in seen:
            continue
        if len(theme) > MAX_THEME:
            raise InvalidInput("too_long", TOO_LONG, field="themes", max=MAX_THEME)
        seen.add(theme.casefold())
        themes.append(theme)
    if not themes:
        raise InvalidInput("required", REQUIRED, field="themes")
    if len(themes) > MAX_THEMES:
        raise InvalidInput("too_many_themes", _l("Give at most %(max)d themes."), field="themes", max=MAX_THEMES)
    return themes


def _choices(values: Sequence[str], allowed: Sequence[str], field_name: str, minimum: int, message) -> list[str]:
    """Codes from ``allowed`` (in its order), at least ``minimum`` of them."""
    chosen = set(values or ())
    if chosen - set(allowed):
        raise InvalidInput("unknown_choice", _l("Choose from the list."), field=field_name)
    if len(chosen) < minimum:
        raise InvalidInput("too_few", message, field=field_name, min=minimum)
    return [code for code in allowed if code in chosen]


def _windows(windows: Sequence[tuple[date | None, date | None]], today: date) -> list[tuple[date, date]]:
    """Date ranges: complete, in order, not in the past, within two years; at least one."""
    out = []
    for start, end in windows:
        if start is None and end is None:
            continue
        if start is None or end is None:
            raise InvalidInput("window_incomplete", _l("Give both the first and the last day of each period."),
                               field="windows")
        if end < start:
            raise InvalidInput("window_order", _l("A period must end on or after the day it starts."),
                               field="windows")
        if start <= today:
            raise InvalidInput("window_past", _l("Proposed dates must be in the future."), field="windows")
        if end > today + timedelta(days=730):
            raise InvalidInput("window_far", _l("Proposed dates must be within the next two years."),
                               field="windows")
        out.append((start, end))
    if not out:
        raise InvalidInput("required", _l("Propose at least one period of dates."), field="windows")
    if len(out) > MAX_WINDOWS:
        raise InvalidInput("too_many_windows", _l("Propose at most %(max)d periods."), field="windows",
                           max=MAX_WINDOWS)
    return sorted(set(out))


def _duration(minutes: int | None) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_DURATION <= minutes <= MAX_DURATION:
        raise InvalidInput("bad_duration", _l("The duration must be between %(min)d and %(max)d minutes."),
                           field="duration_minutes", min=MIN_DURATION, max=MAX_DURATION)
    return minutes


def is_unhcr(name: str) -> bool:
    """Whether an organization name means UNHCR (in any of the three languages)."""
    return name.strip().casefold().replace(".", "") in UNHCR_NAMES


def parse_co_conveners(text: str) -> list[str]:
    """Organization names, one per line: UNHCR and at least one ACSG stakeholder."""
    names, seen = [], set()
    for raw in (text or "").splitlines():
        name = " ".join(raw.split())
        if not name or name.casefold() in seen:
            continue
        if len(name) > rules.MAX_NAME:
            raise InvalidInput("too_long", TOO_LONG, field="co_conveners", max=rules.MAX_NAME)
        seen.add(name.casefold())
        names.append(name)
    if not any(is_unhcr(n) for n in names) or all(is_unhcr(n) for n in names):
        raise InvalidInput("co_conveners_rule",
                           _l("List UNHCR and at least one other stakeholder organization, one per line."),
                           field="co_conveners")
    if len(names) > MAX_CO_CONVENERS:
        raise InvalidInput("too_many", _l("List at most %(max)d organizations."), field="co_conveners",
                           max=MAX_CO_CONVENERS)
    return names


def _workstream(db: Session, number: int | None) -> Workstream:
    workstream = db.scalar(sa.select(Workstream).where(Workstream.number == number)) if number else None
    if workstream is None:
        raise InvalidInput("unknown_workstream", _l("Choose workstreams 1 to 4."), field="workstream")
    return workstream


def clean_proposal(db: Session, data: ProposalInput, today: date) -> dict:
    """Every field checked (all errors at once, as InvalidFields); the values to store."""
    checks = FieldChecks()
    values = {
        "texts": checks.check(_texts, data.titles, data.abstracts),
        "workstream": checks.check(_workstream, db, data.workstream),
        "themes": checks.check(parse_themes, data.themes),
        "regions": checks.check(_choices, data.regions, REGION_CODES, "regions", 2,
                                _l("Choose at least %(min)d regions: roundtables address challenges shared "
                                   "across regions.")),
        "target_categories": checks.check(_choices, data.target_categories, CATEGORY_CODES, "target_categories",
                                          1, _l("Choose at least %(min)d stakeholder category.")),
        "interpretation_languages": checks.check(_choices, data.interpretation_languages, LANGUAGE_CODES,
                                                 "interpretation_languages", 1,
                                                 _l("Choose at least %(min)d language.")),
        "windows": checks.check(_windows, data.windows, today),
        "duration_minutes": checks.check(_duration, data.duration_minutes),
        "co_conveners": checks.check(parse_co_conveners, data.co_conveners),
    }
    if checks.errors:
        raise InvalidFields(checks.errors)
    return values


def _apply(db: Session, roundtable: Roundtable, values: dict) -> None:
    from meetings.roundtables import duplicates

    texts_changed = any(getattr(roundtable, name) != text for name, text in values["texts"].items())
    for name, text in values["texts"].items():
        setattr(roundtable, name, text)
    if texts_changed or roundtable.similarity_vector is None:
        duplicates.store_vector(db, roundtable)
    roundtable.workstream = values["workstream"]
    for name in ("themes", "regions", "target_categories", "interpretation_languages", "duration_minutes",
                 "co_conveners"):
        setattr(roundtable, name, values[name])
    roundtable.windows = [RoundtableWindow(starts_on=s, ends_on=e) for s, e in values["windows"]]




def own_organization(user: User, roundtable: Roundtable) -> bool:
    """Whether ``user`` belongs to the organization that proposed ``roundtable``."""
    return user.organization_id is not None and user.organization_id == roundtable.organization_id


def can_view(user: User, roundtable: Roundtable) -> bool:
    """The secretariat sees every roundtable; co-conveners their organization's."""
    return user.role == states.SECRETARIAT or own_organization(user, roundtable)


def roundtable_for(db: Session, roundtable_id: int, user: User) -> Roundtable:
    """The roundtable if ``user`` may see it: 404 when missing, 403 when another organization's."""
    roundtable = db.get(Roundtable, roundtable_id)
    if roundtable is None:
        raise NotFound("unknown_roundtable", _l("This roundtable does not exist."))
    if not can_view(user, roundtable):
        raise Forbidden("forbidden", _l("You are not allowed to do this."))
    return roundtable


def require_permission(user: User, roundtable: Roundtable, action: str) -> None:
    """403 unless ``states`` lets ``user`` do ``action`` now; 409 when only the status forbids it."""
    own = own_organization(user, roundtable)
    if states.permitted(action, roundtable.status, user.role, own):
        return
    if action == "edit":
        allowed_somewhere = states.may_act(user.role, own, acting_role=states.CO_CONVENER)
    else:
        transition = states.TRANSITIONS.get(action)
        allowed_somewhere = transition is not None and states.may_act(user.role, own, acting_role=transition.role)
    if allowed_somewhere:
        raise Conflict("wrong_status", _l("This is not possible while the roundtable is “%(state)s”."),
                       state=_status_text(roundtable.status))
    raise Forbidden("forbidden", _l("You are not allowed to do this."))


def _status_text(code: str) -> str:
    from meetings.roundtables.labels import roundtable_status_label

    return roundtable_status_label(code)


def visible_roundtables(db: Session, user: User, status: str | None = None) -> list[Roundtable]:
    """The roundtables ``user`` may see (optionally of one status), newest first."""
    query = sa.select(Roundtable).order_by(Roundtable.updated_at.desc(), Roundtable.id.desc())
    if user.role != states.SECRETARIAT:
        query = query.where(Roundtable.organization_id == user.organization_id)
    if status in states.STATES:
        query = query.where(Roundtable.status == status)
    return list(db.scalars(query))




def create_proposal(db: Session, author: User, data: ProposalInput, now: datetime) -> Roundtable:
    """A new draft proposal of the author's organization."""
    if not states.may_act(author.role, True, acting_role=states.CO_CONVENER) or author.organization_id is None:
        raise Forbidden("forbidden", _l("Only co-conveners propose roundtables."))
    values = clean_proposal(db, data, now.date())
    roundtable = Roundtable(organization_id=author.organization_id, proposer=author, status="draft",
                            created_at=now, updated_at=now)
    _apply(db, roundtable, values)
    db.add(roundtable)
    db.flush()
    _record(db, roundtable, author, "created", None, "draft", "", now)
    return roundtable


def update_proposal(db: Session, roundtable: Roundtable, editor: User, data: ProposalInput,
                    now: datetime) -> Roundtable:
    """Change a draft (or a proposal sent back for changes) of the editor's organization."""
    require_permission(editor, roundtable, "edit")
    values = clean_proposal(db, data, now.date())
    _apply(db, roundtable, values)
    roundtable.updated_at = now
    db.flush()
    _record(db, roundtable, editor, "edited", roundtable.status, roundtable.status, "", now)
    return roundtable


def change_status(db: Session, roundtable: Roundtable, actor: User, action: str, comment: str,
                  now: datetime) -> RoundtableChange:
    """The one place a roundtable's status changes: permission, history, audit, e-mail, webhook."""
    require_permission(actor, roundtable, action)
    transition = states.TRANSITIONS[action]
    comment = rules.limit_text(comment, "comment", MAX_COMMENT)
    if transition.comment_required and not comment:
        raise InvalidInput("comment_required", _l("Explain your decision to the proposer in a comment."),
                           field="comment")
    previous = roundtable.status
    roundtable.status = transition.target
    roundtable.updated_at = now
    if action == "mark_held" and roundtable.meeting is not None:
        roundtable.meeting.status = "held"
    db.flush()
    change = _record(db, roundtable, actor, action, previous, transition.target, comment, now)
    if transition.notify_proposer:
        messages.notify_proposer(db, roundtable, change, now)
    if action == "submit":
        messages.notify_secretariat_of_submission(db, roundtable, change, now)
    if transition.webhook:
        messages.queue_webhook(db, transition.webhook, roundtable, change, now)
    return change


def _record(db: Session, roundtable: Roundtable, actor: User | None, action: str, from_status: str | None,
            to_status: str, comment: str, now: datetime) -> RoundtableChange:
    change = RoundtableChange(roundtable=roundtable, at=now, actor_id=getattr(actor, "id", None),
                              actor_label=getattr(actor, "email", None) or "cli", action=action,
                              from_status=from_status, to_status=to_status, comment=comment)
    db.add(change)
    record_action(db, actor, f"roundtable.{action}", "roundtable", roundtable.id, now,
                  from_status=from_status, to_status=to_status, comment=comment)
    return change




def _join_url(text: str, field_name: str) -> str:
    url = (text or "").strip()
    if not re.fullmatch(r"https://[\x21-\x7e]{3,490}", url):
        raise InvalidInput("bad_join_url", _l("Enter the join link as a full https:// address."), field=field_name)
    return url


def schedule_roundtable(db: Session, roundtable: Roundtable, actor: User, data: ScheduleInput,
                        now: datetime) -> GlobalMeeting:
    """Give an accepted roundtable its session(s): a meeting open for registration like a global meeting."""
    require_permission(actor, roundtable, "schedule")
    if roundtable.meeting_id is not None:
        raise Conflict("already_scheduled", _l("This roundtable already has its sessions."))
    if len(data.starts) not in (1, 2) or len(data.join_urls) != len(data.starts):
        raise InvalidInput("bad_sessions", _l("Plan one session or twin sessions."), field="mode")
    duration = _duration(data.duration_minutes)
    if isinstance(data.capacity, bool) or not 1 <= data.capacity <= MAX_CAPACITY:
        raise InvalidInput("bad_capacity", _l("The number of seats must be between 1 and %(max)d."),
                           field="capacity", max=MAX_CAPACITY)
    starts = [s.astimezone(UTC) for s in data.starts]
    if any(s <= now for s in starts):
        raise InvalidInput("start_past", _l("The sessions must start in the future."), field="date")
    if len(starts) == 2 and starts[1] < starts[0] + timedelta(minutes=duration):
        raise InvalidInput("twin_overlap", _l("Session B must start after session A ends."), field="start_b")
    urls = [_join_url(url, f"join_url_{label}") for url, label in zip(data.join_urls, "ab", strict=False)]
    meeting = GlobalMeeting(
        edition=f"RT-{roundtable.id}", status="open",
        conveners=", ".join(roundtable.co_conveners)[:500],
        allowed_categories=[c for c in CATEGORY_CODES if c in roundtable.target_categories or c == "unhcr"],
        duration_minutes=duration, reference_timezone=rules.check_timezone(data.reference_zone, "reference_zone"),
        **{f"title_{c}": getattr(roundtable, f"title_{c}") for c in LANGUAGE_CODES},
        **{f"description_{c}": getattr(roundtable, f"abstract_{c}") for c in LANGUAGE_CODES},
    )
    for label, start, url in zip("AB", starts, urls, strict=False):
        meeting.sessions.append(MeetingSession(label=label, starts_at=start, duration_minutes=duration,
                                               capacity=data.capacity, join_url=url,
                                               floor_languages=list(roundtable.interpretation_languages)))
    db.add(meeting)
    db.flush()
    roundtable.meeting = meeting
    summary = "; ".join(f"{s.label} {s.starts_at.isoformat()}" for s in meeting.sessions)
    change_status(db, roundtable, actor, "schedule", summary, now)
    return meeting




def similar_items(db: Session, titles: Sequence[str], abstracts: Sequence[str], viewer: User,
                  exclude_id: int | None = None) -> list:
    """Existing roundtables and regional-forum topics that look like these texts, best first."""
    from meetings.roundtables import duplicates

    return duplicates.similar_items(db, titles, abstracts, viewer, exclude_id)


def similar_to_roundtable(db: Session, roundtable: Roundtable, viewer: User) -> list:
    """What looks like this roundtable (itself excluded)."""
    from meetings.roundtables import duplicates

    return duplicates.similar_to_roundtable(db, roundtable, viewer)
