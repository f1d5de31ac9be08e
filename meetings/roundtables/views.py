"""Roundtable pages for co-conveners and the secretariat, and the public decline link. Thin views.

Every page needs an account (``require_role``); a co-convener reaches only their organization's
roundtables (:func:`operations.roundtable_for` answers 403 otherwise); what each account may do is
decided by :mod:`meetings.roundtables.states` inside the operations.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from meetings.core.actor import current_actor, require_role
from meetings.core.db import get_db, utcnow
from meetings.core.errors import InvalidInput
from meetings.core.forms import ConfirmForm, run_operation, submit
from meetings.core.i18n import current_language
from meetings.core.localtime import in_zone
from meetings.core.vocabulary import LANGUAGE_CODES
from meetings.organizations.operations import list_workstreams
from meetings.roundtables import followup, planner, states
from meetings.roundtables import operations as ops
from meetings.roundtables.forms import FollowupForm, ProposalForm, ScheduleForm, TransitionForm
from meetings.roundtables.labels import INVITATION_LABELS, roundtable_status_label

bp = Blueprint("roundtables", __name__, url_prefix="/roundtables")
public_bp = Blueprint("roundtable_public", __name__)
STAFF = ("secretariat", "co_convener")




@bp.get("/")
@require_role(*STAFF)
def index():
    """The roundtables this account may see (co-conveners: their organization's), by status."""
    status = request.args.get("status")
    return render_template("roundtables/index.html",
                           roundtables=ops.visible_roundtables(get_db(), current_actor(), status),
                           status=status if status in states.STATES else None, statuses=states.STATES)


def _proposal_input(form: ProposalForm) -> ops.ProposalInput:
    return ops.ProposalInput(
        titles={c: form[f"title_{c}"].data or "" for c in LANGUAGE_CODES},
        abstracts={c: form[f"abstract_{c}"].data or "" for c in LANGUAGE_CODES},
        workstream=form.workstream.data, themes=form.themes.data or "", regions=tuple(form.regions.data or ()),
        target_categories=tuple(form.target_categories.data or ()),
        interpretation_languages=tuple(form.interpretation_languages.data or ()),
        windows=tuple((w.starts_on.data, w.ends_on.data) for w in form.windows),
        duration_minutes=form.duration_minutes.data, co_conveners=form.co_conveners.data or "")


def _fill_from(form: ProposalForm, roundtable) -> None:
    for code in LANGUAGE_CODES:
        form[f"title_{code}"].data = getattr(roundtable, f"title_{code}")
        form[f"abstract_{code}"].data = getattr(roundtable, f"abstract_{code}")
    form.workstream.data = roundtable.workstream.number
    form.themes.data = ", ".join(roundtable.themes)
    form.regions.data = list(roundtable.regions)
    form.target_categories.data = list(roundtable.target_categories)
    form.interpretation_languages.data = list(roundtable.interpretation_languages)
    form.duration_minutes.data = roundtable.duration_minutes
    form.co_conveners.data = "\n".join(roundtable.co_conveners)
    for entry, window in zip(form.windows, roundtable.windows, strict=False):
        entry.starts_on.data, entry.ends_on.data = window.starts_on, window.ends_on


def _proposal_page(form: ProposalForm, roundtable=None):
    """Shared by new and edit: 'look for similar topics' writes nothing; 'save' validates and stores."""
    db = get_db()
    user = current_actor()
    similar, status = None, 200
    if request.method == "POST" and form.check.data:
        form.validate()  # shows field problems; nothing is written
        data = _proposal_input(form)
        similar = ops.similar_items(db, list(data.titles.values()), list(data.abstracts.values()), user,
                                    exclude_id=roundtable.id if roundtable else None)
    else:
        submitted = submit(form, lambda: ops.create_proposal(db, user, _proposal_input(form), utcnow())
                           if roundtable is None else
                           ops.update_proposal(db, roundtable, user, _proposal_input(form), utcnow()))
        if submitted.done:
            flash(_("The proposal is saved as a draft. Check the similar topics below, then submit it."), "success")
            return redirect(url_for(".detail", roundtable_id=submitted.value.id), 303)
        status = submitted.status
    return render_template("roundtables/form.html", form=form, roundtable=roundtable, similar=similar,
                           extra=form.errors_apart), status


@bp.route("/new", methods=["GET", "POST"])
@require_role("co_convener")
def new():
    """Propose a roundtable (saved as a draft of the co-convener's organization)."""
    form = ProposalForm()
    form.fill_choices(list_workstreams(get_db()), current_language())
    if request.method == "GET":
        organization = current_actor().organization
        form.co_conveners.data = "UNHCR\n" + (organization.name if organization else "")
        form.interpretation_languages.data = list(LANGUAGE_CODES)
    return _proposal_page(form)


@bp.route("/<int:roundtable_id>/edit", methods=["GET", "POST"])
@require_role("co_convener")
def edit(roundtable_id: int):
    """Change a draft, or a proposal the secretariat sent back for changes."""
    roundtable = ops.roundtable_for(get_db(), roundtable_id, current_actor())
    ops.require_permission(current_actor(), roundtable, "edit")
    form = ProposalForm()
    form.fill_choices(list_workstreams(get_db()), current_language())
    if request.method == "GET":
        _fill_from(form, roundtable)
    return _proposal_page(form, roundtable)


def _detail_page(roundtable, form: TransitionForm | None = None, status: int = 200):
    db = get_db()
    user = current_actor()
    own = ops.own_organization(user, roundtable)
    return render_template(
        "roundtables/detail.html", roundtable=roundtable, form=form or TransitionForm(formdata=None),
        actions=states.available_actions(roundtable.status, user.role, own),
        can_edit=states.permitted("edit", roundtable.status, user.role, own),
        can_schedule=states.permitted("schedule", roundtable.status, user.role, own),
        similar=ops.similar_to_roundtable(db, roundtable, user), languages=LANGUAGE_CODES,
        sessions=[(s, in_zone(s.starts_at, roundtable.meeting.reference_timezone))
                  for s in roundtable.meeting.sessions] if roundtable.meeting else [],
    ), status


@bp.get("/<int:roundtable_id>")
@require_role(*STAFF)
def detail(roundtable_id: int):
    """The proposal in every language written, similar topics, history and the allowed actions."""
    return _detail_page(ops.roundtable_for(get_db(), roundtable_id, current_actor()))


@bp.post("/<int:roundtable_id>/status")
@require_role(*STAFF)
def change_status(roundtable_id: int):
    """Submit, withdraw, request changes, accept, reject or mark held (``states`` decides who may)."""
    db = get_db()
    roundtable = ops.roundtable_for(db, roundtable_id, current_actor())
    form = TransitionForm()
    if not form.validate_on_submit():
        return _detail_page(roundtable, form, 422)
    done = run_operation(form, lambda: ops.change_status(db, roundtable, current_actor(), form.action.data,
                                                         form.comment.data or "", utcnow()))
    if not done.done:
        return _detail_page(ops.roundtable_for(db, roundtable_id, current_actor()), form, done.status)
    flash(_("Done: the roundtable is now “%(status)s”.", status=roundtable_status_label(done.value.to_status)),
          "success")
    return redirect(url_for(".detail", roundtable_id=roundtable.id), 303)


def _clock(text: str | None, field_name: str) -> time:
    try:
        return time.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidInput("bad_time", _l("Enter a time as HH:MM, such as 09:30."), field=field_name) from None


def _schedule_input(form: ScheduleForm) -> ops.ScheduleInput:
    zone = ZoneInfo(form.reference_zone.data)
    labels = ("a", "b") if form.mode.data == "twin" else ("a",)
    starts = tuple(datetime.combine(form.date.data, _clock(form[f"start_{x}"].data, f"start_{x}"), tzinfo=zone)
                   for x in labels)
    return ops.ScheduleInput(starts=starts, duration_minutes=form.duration_minutes.data, capacity=form.capacity.data,
                             join_urls=tuple(form[f"join_url_{x}"].data or "" for x in labels),
                             reference_zone=form.reference_zone.data)


@bp.route("/<int:roundtable_id>/schedule", methods=["GET", "POST"])
@require_role("secretariat")
def schedule(roundtable_id: int):
    """Sessions of an accepted roundtable: suggested by the planner, then created and opened."""
    db = get_db()
    roundtable = ops.roundtable_for(db, roundtable_id, current_actor())
    ops.require_permission(current_actor(), roundtable, "schedule")
    form = ScheduleForm()
    form.fill_choices()
    if request.method == "GET":
        form.date.data = roundtable.windows[0].starts_on if roundtable.windows else None
        form.duration_minutes.data = roundtable.duration_minutes
        form.start_a.data, form.start_b.data = "09:00", "16:00"
    suggestion = None
    if form.suggest.data:  # the planner's suggestion writes nothing
        submitted = submit(form, lambda: planner.suggest_sessions(
            db, roundtable, form.date.data, form.duration_minutes.data, form.reference_zone.data))
        if submitted.done:
            result, source = submitted.value
            zone = ZoneInfo(form.reference_zone.data)
            form.start_a.data, form.start_b.data = (s.start.astimezone(zone).strftime("%H:%M")
                                                    for s in result.sessions)
            suggestion = {"coverage": result.to_document()["coverage"], "source": source,
                          "sessions": [in_zone(s.start, form.reference_zone.data) for s in result.sessions]}
    else:
        submitted = submit(form, lambda: ops.schedule_roundtable(db, roundtable, current_actor(),
                                                                  _schedule_input(form), utcnow()))
        if submitted.done:
            flash(_("The roundtable is scheduled and open for registration."), "success")
            return redirect(url_for(".detail", roundtable_id=roundtable.id), 303)
    return render_template("roundtables/schedule.html", roundtable=roundtable, form=form, suggestion=suggestion,
                           extra=form.errors_apart), 200 if submitted.done else submitted.status


@bp.get("/<int:roundtable_id>/registrations")
@require_role(*STAFF)
def registrations(roundtable_id: int):
    """Who registered for the roundtable (its co-conveners and the secretariat only)."""
    db = get_db()
    roundtable = ops.roundtable_for(db, roundtable_id, current_actor())
    return render_template("roundtables/registrations.html", roundtable=roundtable,
                           registrations=followup.roundtable_registrations(db, roundtable))


@bp.route("/<int:roundtable_id>/invitations", methods=["GET", "POST"])
@require_role(*STAFF)
def invitations(roundtable_id: int):
    """Invite the workstream's organizations in one action (carried out in the background); who was invited,
    registered, declined, and how far the latest round is."""
    db = get_db()
    roundtable = ops.roundtable_for(db, roundtable_id, current_actor())
    form = FollowupForm()
    form.fill_choices()
    submitted = submit(form, lambda: followup.invite_workstream(
        db, roundtable, current_actor(), utcnow(), categories=tuple(form.categories.data or ()),
        regions=tuple(form.regions.data or ())))
    if submitted.done:
        decision = submitted.value
        counts = {"again": decision.already_invited, "skipped": decision.category_not_allowed}
        if decision.to_invite:
            flash(_("Contacts to invite: %(count)s; the invitations are sent in the background and their progress "
                    "is shown below. Already invited before: %(again)d. Not invited because their category may not "
                    "register: %(skipped)d.", count=format_decimal(decision.to_invite), **counts), "success")
        else:
            flash(_("Nobody new to invite. Already invited before: %(again)d. Not invited because their category "
                    "may not register: %(skipped)d.", **counts), "success")
        return redirect(url_for(".invitations", roundtable_id=roundtable.id), 303)
    task = followup.invitation_task(db, roundtable)
    return render_template("roundtables/invitations.html", roundtable=roundtable, form=form,
                           rows=followup.invitation_rows(db, roundtable), labels=INVITATION_LABELS,
                           candidates=followup.count_candidates(db, roundtable), task=task,
                           progress=task and _("%(done)s of %(total)s invited", done=format_decimal(task.done),
                                               total=format_decimal(task.total))), submitted.status


@public_bp.route("/invitations/<token>/decline", methods=["GET", "POST"])
def decline(token: str):
    """A contact declines a roundtable invitation from the secret link (GET asks, POST records)."""
    db = get_db()
    invitation = followup.invitation_by_token(db, token)
    form = ConfirmForm()
    if form.validate_on_submit():
        invitation = followup.decline_invitation(db, token, utcnow())
        db.commit()
    return render_template("roundtables/decline.html", invitation=invitation, form=form,
                           title=invitation.roundtable.title(current_language()))
