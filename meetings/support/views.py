"""Support matching pages: the contacts' private links, the secretariat's pages, the public showcase. Thin views.

Private links (``/support/entry/<token>``, ``/support/match/<token>``) reach one entry or one party's
side of one match, nothing else; a GET only shows, every change is a POST with CSRF (so mail scanners
that open links change nothing). Secretariat pages need the ``secretariat`` role. The showcase
(``/matches``) and its feed show only what both parties (or the pledging entity) agreed to show.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from meetings.core import charts
from meetings.core.actor import current_actor, require_role
from meetings.core.audit import record_action
from meetings.core.db import get_db, utcnow
from meetings.core.exports import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from meetings.core.forms import ConfirmForm, run_operation, submit
from meetings.core.i18n import current_language
from meetings.core.links import public_url
from meetings.core.vocabulary import REGIONS
from meetings.support import exports, followup, states
from meetings.support import operations as ops
from meetings.support.forms import AnswerForm, EntryForm, FollowupForm, PledgeForm, ProposeForm
from meetings.support.labels import area_label, kind_label, match_status_label, pledge_status_label
from meetings.support.vocabulary import AREA_CODES, AREAS, language_name

public_bp = Blueprint("support_public", __name__)
admin_bp = Blueprint("support_admin", __name__, url_prefix="/secretariat/support")
SECRETARIAT = "secretariat"


def _entry_input(form: EntryForm, side: str | None = None) -> ops.EntryInput:
    languages = list(form.working_languages.data or ())
    other = (form.other_languages.data or "").replace(",", " ").split()
    return ops.EntryInput(
        side=side or form.side.data, area=form.area.data, kind=form.kind.data, title=form.title.data or "",
        description=form.description.data or "", text_language=form.text_language.data,
        working_languages=tuple(languages + other), region=form.region.data or None,
        period_from=form.period_from.data, period_to=form.period_to.data, with_pledge=bool(form.with_pledge.data),
        organization=form.organization.data or "", category=form.category.data or "",
        country=form.country.data or "", organization_region=form.organization_region.data or None,
        contact_name=form.contact_name.data or "", contact_email=form.contact_email.data or "",
        contact_language=form.contact_language.data or current_language())


def _fill_from(form: EntryForm, entry) -> None:
    form.side.data = entry.side
    for name in ("area", "kind", "title", "description", "text_language", "period_from", "period_to",
                 "with_pledge"):
        form[name].data = getattr(entry, name)
    form.region.data = entry.region or ""
    form.working_languages.data = [c for c in entry.working_languages if c in ("en", "fr", "es")]
    form.other_languages.data = " ".join(c for c in entry.working_languages if c not in ("en", "fr", "es"))


def _new_form() -> EntryForm:
    form = EntryForm()
    form.fill_choices(current_language())
    if request.method == "GET":
        side = request.args.get("side")
        form.side.data = side if side in ("request", "offer") else "request"
        form.text_language.data = form.contact_language.data = current_language()
        form.working_languages.data = [current_language()]
    return form


def _create_entry(form: EntryForm, actor):
    """Shared by the public form and the secretariat's: the new entry (its private link goes by e-mail)."""
    entry, _token = ops.create_entry(get_db(), _entry_input(form), utcnow(), actor=actor,
                                     client=request.remote_addr)
    return entry


def _button(operation) -> bool:
    """A confirm button (CSRF checked, else 400): run ``operation`` and commit; a refusal shows on the next page."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return run_operation(None, operation).done


@public_bp.route("/support/new", methods=["GET", "POST"])
def new_entry():
    """A State requests support, or any stakeholder offers it; the private link is e-mailed to the contact."""
    form = _new_form()
    submitted = submit(form, lambda: _create_entry(form, None))
    if submitted.done:
        return render_template("support/sent.html", entry=submitted.value)
    return render_template("support/entry_form.html", form=form, entry=None, public=True), submitted.status


def _entry_page(entry, token: str, form: EntryForm | None = None, status: int = 200):
    if form is None:
        form = EntryForm(formdata=None)
        form.fill_choices(current_language())
        _fill_from(form, entry)
    return render_template("support/entry.html", entry=entry, token=token, form=form,
                           confirm_form=ConfirmForm(formdata=None), matches=ops.matches_of(get_db(), entry),
                           language_name=language_name), status


@public_bp.route("/support/entry/<token>", methods=["GET", "POST"])
def entry(token: str):
    """A contact's request or offer: confirm it, change it, close it, see its matches."""
    db = get_db()
    item = ops.entry_by_token(db, token)
    if request.method == "GET":
        return _entry_page(item, token)
    form = EntryForm()
    form.fill_choices(current_language())
    submitted = submit(form, lambda: ops.update_entry(db, item, _entry_input(form, side=item.side), utcnow()))
    if not submitted.done:
        return _entry_page(ops.entry_by_token(db, token), token, form, submitted.status)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for(".entry", token=token), 303)


@public_bp.post("/support/entry/<token>/confirm")
def confirm_entry(token: str):
    """The contact confirms the entry (proves the address): the secretariat now sees it."""
    db = get_db()
    item = ops.entry_by_token(db, token)
    if _button(lambda: ops.confirm_entry(db, item, utcnow())):
        flash(_("Thank you: the secretariat can now see it and look for a match."), "success")
    return redirect(url_for(".entry", token=token), 303)


@public_bp.post("/support/entry/<token>/close")
def close_entry(token: str):
    """The contact closes the entry (no longer needed or available)."""
    db = get_db()
    item = ops.entry_by_token(db, token)
    if _button(lambda: ops.close_entry(db, item, utcnow())):
        flash(_("It is closed."), "success")
    return redirect(url_for(".entry", token=token), 303)


def _match_page(match, role: str, form: AnswerForm | None = None, status: int = 200):
    form = form or AnswerForm(formdata=None, consent=getattr(match, f"{role}_consent"))
    own = match.request if role == states.REQUESTER else match.offer
    other = match.offer if role == states.REQUESTER else match.request
    return render_template("support/answer.html", match=match, role=role, own=own, other=other, form=form,
                           actions=states.available_actions(match.status, role),
                           response=getattr(match, f"{role}_response"), language_name=language_name), status


@public_bp.route("/support/match/<token>", methods=["GET", "POST"])
def match(token: str):
    """A party's side of a proposed match: accept or decline (POST only), consent, report progress."""
    db = get_db()
    item, role = ops.match_by_token(db, token)
    if request.method == "GET":
        return _match_page(item, role)
    form = AnswerForm()

    def answer():
        if form.action.data == "consent":
            return ops.set_consent(db, item, role, bool(form.consent.data), utcnow())
        return ops.change_match(db, item, role, form.action.data, utcnow(), outcome=form.outcome.data or "",
                                consent=bool(form.consent.data))

    submitted = submit(form, answer)
    if not submitted.done:
        item, role = ops.match_by_token(db, token)
        return _match_page(item, role, form, submitted.status)
    flash(_("Thank you: your answer is recorded. The match is now “%(status)s”.",
            status=match_status_label(item.status)), "success")
    return redirect(url_for(".match", token=token), 303)


def _region(code: str | None) -> str:
    return str(REGIONS[code]) if code in REGIONS else _("Any region")


def _showcase_charts(matches, pledges) -> list[str]:
    by_area = Counter(m.request.area for m in matches) + Counter(p.area for p in pledges)
    by_region = Counter(m.request.region for m in matches) + Counter(p.region for p in pledges)
    return [
        charts.bar_chart_svg([(area_label(code), by_area[code]) for code in AREA_CODES if by_area[code]],
                             title=_("Matches made and pledges fulfilled, by area"), chart_id="chart-area"),
        charts.bar_chart_svg(sorted(((_region(code), count) for code, count in by_region.items()),
                                    key=lambda item: -item[1]),
                             title=_("Matches made and pledges fulfilled, by region"), chart_id="chart-region"),
    ]


@public_bp.get("/matches")
def showcase():
    """Matches made and pledges fulfilled, by area and region, with charts (consented ones only)."""
    db = get_db()
    matches = ops.public_matches(db)
    pledges = ops.public_pledges(db)
    return render_template("support/showcase.html", matches=matches, pledges=pledges,
                           charts=_showcase_charts(matches, pledges), region=_region)


@public_bp.get("/matches/feed.atom")
def feed():
    """Atom feed of new consented matches: organizations, area, kind, region; nothing private."""
    matches = ops.public_matches(get_db(), limit=50)
    language = current_language()
    updated = max((m.agreed_at or m.updated_at for m in matches), default=datetime(2023, 1, 1, tzinfo=UTC))

    def entry_title(m) -> str:
        return _("%(area)s: %(offerer)s supports %(requester)s", area=area_label(m.request.area),
                 offerer=m.offer.organization.name, requester=m.request.organization.name)

    def entry_summary(m) -> str:
        return " · ".join((area_label(m.request.area), kind_label(m.offer.kind), _region(m.request.region),
                           match_status_label(m.status)))

    body = render_template("support/feed.xml", matches=matches, updated=updated.astimezone(UTC), language=language,
                           feed_title=_("ACSG Dialogue Platform: new asylum capacity support matches"),
                           author=_("ACSG secretariat"), entry_title=entry_title, entry_summary=entry_summary,
                           page_url=public_url("support_public.showcase", lang=language),
                           feed_url=public_url("support_public.feed", lang=language))
    return Response(body, mimetype="application/atom+xml")


def _gap_charts(gap: list[ops.GapRow]) -> list[str]:
    by_area, by_region = Counter(), Counter()
    for row in gap:
        by_area[row.area] += row.unmet
        by_region[row.region] += row.unmet
    return [
        charts.bar_chart_svg([(area_label(code), count) for code, count in by_area.most_common() if count],
                             title=_("Requests without an offer, by area"), chart_id="chart-gap-area"),
        charts.bar_chart_svg([(_region(code), count) for code, count in by_region.most_common() if count],
                             title=_("Requests without an offer, by region"), chart_id="chart-gap-region"),
    ]


@admin_bp.get("/")
@require_role(SECRETARIAT)
def index():
    """Requests and offers (filterable by status, area, region) and the gap by area and region."""
    db = get_db()
    gap = ops.gap(db)
    status = request.args.get("status") or None
    area = request.args.get("area") if request.args.get("area") in AREA_CODES else None
    region = request.args.get("region") if request.args.get("region") in REGIONS else None
    return render_template("support/admin_index.html",
                           requests=ops.list_entries(db, "request", status=status, area=area, region=region),
                           offers=ops.list_entries(db, "offer", status=status, area=area, region=region),
                           gap=gap, gap_charts=_gap_charts(gap), region=_region, areas=AREAS, regions=REGIONS,
                           filters={"status": status, "area": area, "region": region})


@admin_bp.route("/new", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def new():
    """The secretariat enters a request or an offer on an organization's behalf (open at once)."""
    form = _new_form()
    submitted = submit(form, lambda: _create_entry(form, current_actor()))
    if submitted.done:
        flash(_("Saved. The contact received a private link to check and change it."), "success")
        return redirect(url_for(".detail", entry_id=submitted.value.id), 303)
    return render_template("support/entry_form.html", form=form, entry=None, public=False), submitted.status


@admin_bp.get("/entries/<int:entry_id>")
@require_role(SECRETARIAT)
def detail(entry_id: int):
    """A request (with its candidate offers and the reasons of each score) or an offer, and its matches."""
    db = get_db()
    item = ops.get_entry(db, entry_id)
    candidates = ops.candidates_for(db, item) if item.side == "request" and item.status == "open" else []
    return render_template("support/admin_detail.html", entry=item, candidates=candidates,
                           matches=ops.matches_of(db, item), propose_form=ProposeForm(formdata=None),
                           confirm_form=ConfirmForm(formdata=None), language_name=language_name, region=_region)


@admin_bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def edit(entry_id: int):
    """Change a request or offer on the organization's behalf."""
    db = get_db()
    item = ops.get_entry(db, entry_id)
    form = EntryForm()
    form.fill_choices(current_language())
    if request.method == "GET":
        _fill_from(form, item)
    submitted = submit(form, lambda: ops.update_entry(db, item, _entry_input(form, side=item.side), utcnow(),
                                                      actor=current_actor()))
    if submitted.done:
        flash(_("Your changes are saved."), "success")
        return redirect(url_for(".detail", entry_id=item.id), 303)
    return render_template("support/entry_form.html", form=form, entry=item, public=False), submitted.status


@admin_bp.post("/entries/<int:entry_id>/close")
@require_role(SECRETARIAT)
def close(entry_id: int):
    """Close a request or an offer."""
    db = get_db()
    item = ops.get_entry(db, entry_id)
    if _button(lambda: ops.close_entry(db, item, utcnow(), actor=current_actor())):
        flash(_("It is closed."), "success")
    return redirect(url_for(".detail", entry_id=item.id), 303)


@admin_bp.post("/entries/<int:entry_id>/propose")
@require_role(SECRETARIAT)
def propose(entry_id: int):
    """Propose one offer for this request: both parties get their answer link by e-mail."""
    db = get_db()
    item = ops.get_entry(db, entry_id, side="request")
    form = ProposeForm()
    if not form.validate_on_submit():
        flash(_("Choose an offer to propose."), "error")
        return redirect(url_for(".detail", entry_id=item.id), 303)
    proposed = run_operation(None, lambda: ops.propose_match(
        db, item, ops.get_entry(db, form.offer_id.data, side="offer"), current_actor(), utcnow(),
        note=form.note.data or ""))
    if not proposed.done:
        return redirect(url_for(".detail", entry_id=item.id), 303)
    flash(_("The match is proposed; both parties were asked by e-mail."), "success")
    return redirect(url_for(".match_detail", match_id=proposed.value.id), 303)


@admin_bp.get("/matches")
@require_role(SECRETARIAT)
def matches():
    """Every match with its status and dates."""
    status = request.args.get("status")
    return render_template("support/admin_matches.html", matches=ops.list_matches(get_db(), status),
                           statuses=states.STATES, status=status if status in states.STATES else None)


@admin_bp.route("/matches/<int:match_id>", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def match_detail(match_id: int):
    """A match: both answers, reasons, dates; the secretariat's actions (withdraw, start, complete, close)."""
    db = get_db()
    item = ops.get_match(db, match_id)
    form = AnswerForm()
    submitted = submit(form, lambda: ops.change_match(db, item, SECRETARIAT, form.action.data, utcnow(),
                                                      outcome=form.outcome.data or "", actor=current_actor()))
    if submitted.done:
        flash(_("Done: the match is now “%(status)s”.", status=match_status_label(item.status)), "success")
        return redirect(url_for(".match_detail", match_id=item.id), 303)
    item = ops.get_match(db, match_id)
    return render_template("support/admin_match.html", match=item, form=form,
                           actions=states.available_actions(item.status, SECRETARIAT)), submitted.status


def _pledge_page(pledge=None):
    db = get_db()
    form = PledgeForm()
    form.fill_choices(ops.pledging_entities(db), ops.list_entries(db, "request"))
    if request.method == "GET" and pledge is not None:
        for name in ("title", "organization_id", "area", "kind", "grf_edition", "status", "forum", "public_consent"):
            form[name].data = getattr(pledge, name)
        form.region.data = pledge.region or ""
        form.request_ids.data = [r.id for r in pledge.requests]
    submitted = submit(form, lambda: ops.record_pledge(db, _pledge_input(form), current_actor(), utcnow(), pledge))
    if submitted.done:
        flash(_("The pledge is saved."), "success")
        return redirect(url_for(".pledges"), 303)
    return render_template("support/pledge_form.html", form=form, pledge=pledge), submitted.status


def _pledge_input(form: PledgeForm) -> ops.PledgeInput:
    return ops.PledgeInput(
        title=form.title.data, organization_id=form.organization_id.data, area=form.area.data,
        kind=form.kind.data, grf_edition=form.grf_edition.data, status=form.status.data,
        region=form.region.data or None, forum=form.forum.data or "",
        public_consent=bool(form.public_consent.data), request_ids=tuple(form.request_ids.data or ()))


@admin_bp.get("/pledges")
@require_role(SECRETARIAT)
def pledges():
    """Every pledge with its follow-up status."""
    return render_template("support/admin_pledges.html", pledges=ops.list_pledges(get_db()), region=_region,
                           pledge_status_label=pledge_status_label)


@admin_bp.route("/pledges/new", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def new_pledge():
    """Record a pledge."""
    return _pledge_page()


@admin_bp.route("/pledges/<int:pledge_id>", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def edit_pledge(pledge_id: int):
    """Follow a pledge up: status, forum where it was reported, requests it answers, consent."""
    return _pledge_page(ops.get_pledge(get_db(), pledge_id))


@admin_bp.get("/export/<table>.<fmt>")
@require_role(SECRETARIAT)
def export(table: str, fmt: str):
    """Requests, offers, matches, pledges or the gap as CSV or XLSX (audited: contacts are personal data)."""
    if table not in exports.KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    db = get_db()
    built = exports.build_table(db, table)
    record_action(db, current_actor(), "export.downloaded", "export", None, utcnow(), kind=f"support-{table}",
                  format=fmt)
    db.commit()
    name = f"support-{table}-{utcnow():%Y%m%d}.{fmt}"
    body = to_csv(built.headers, built.rows) if fmt == "csv" else to_xlsx(built.headers, built.rows, table)
    response = Response(body, mimetype=CSV_TYPE if fmt == "csv" else XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _followup_page(parties: list, subject: str, back: str):
    db = get_db()
    form = FollowupForm()
    form.fill_choices()
    if request.method == "GET":
        form.date.data = followup.default_day(utcnow())
        form.title.data = subject
    submitted = submit(form, lambda: followup.invite_to_followup(db, parties, _followup_input(form), current_actor(),
                                                                 utcnow()))
    if submitted.done:
        meeting = submitted.value
        flash(_("The follow-up meeting is open for registration; the parties were invited "
                "(%(sessions)d session(s)).", sessions=len(meeting.sessions)), "success")
        return redirect(url_for("registrations.meeting_page", meeting_id=meeting.id), 303)
    return render_template("support/followup.html", form=form, parties=parties, back=back), submitted.status


def _followup_input(form: FollowupForm) -> followup.FollowupInput:
    return followup.FollowupInput(title=form.title.data, day=form.date.data,
                                  duration_minutes=form.duration_minutes.data, reference_zone=form.reference_zone.data,
                                  join_url=form.join_url.data, capacity=form.capacity.data)


@admin_bp.route("/entries/<int:entry_id>/followup", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def entry_followup(entry_id: int):
    """A follow-up meeting with a request's or an offer's organization and the parties matched with it."""
    db = get_db()
    item = ops.get_entry(db, entry_id)
    return _followup_page(followup.parties_of(db, entry=item), item.title,
                          url_for(".detail", entry_id=item.id))


@admin_bp.route("/areas/<area>/followup", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def area_followup(area: str):
    """A workstream follow-up meeting with every open request and offer of one area."""
    if area not in AREA_CODES:
        abort(404)
    return _followup_page(followup.parties_of(get_db(), area=area), area_label(area), url_for(".index"))


@admin_bp.route("/followup", methods=["GET", "POST"])
@require_role(SECRETARIAT)
def workstream_followup():
    """A workstream follow-up meeting with every open request and offer."""
    return _followup_page(followup.parties_of(get_db()), _("Asylum capacity support"), url_for(".index"))
