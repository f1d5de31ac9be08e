"""The secretariat's page extending the asylum-topic vocabulary (under /secretariat). Thin views."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from meetings.accounts.roles import require_role
from meetings.db import get_db, utcnow
from meetings.errors import DomainError
from meetings.formerrors import show_error
from meetings.i18n import current_language
from meetings.topic_terms import operations as ops
from meetings.topic_terms.forms import RemoveForm, TermForm
from meetings.vocabulary import LANGUAGES

bp = Blueprint("topic_terms", __name__, url_prefix="/secretariat")


def _user():
    return current_user._get_current_object()


@bp.route("/vocabulary", methods=["GET", "POST"])
@require_role("secretariat")
def vocabulary():
    """The concepts with their labels, the terms added by the secretariat, and the form adding one."""
    db = get_db()
    form = TermForm()
    status = 200
    if form.validate_on_submit():
        try:
            row = ops.add_term(db, _user(), ops.TermInput(form.concept_id.data, form.language.data, form.term.data),
                               utcnow())
            db.commit()
            flash(_("“%(term)s” is added to %(concept)s.", term=row.term, concept=row.concept_id), "success")
            return redirect(url_for(".vocabulary"), 303)
        except DomainError as error:
            db.rollback()
            status = error.status
            show_error(form, error)
    elif request.method == "POST":
        status = 422
    vocabulary = ops.current_vocabulary(db)
    language = current_language()
    concepts = sorted(((c.id, c.label(language)) for c in vocabulary.concepts.values()), key=lambda c: c[1].casefold())
    return render_template("topic_terms/vocabulary.html", form=form, terms=ops.extra_terms(db), concepts=concepts,
                           vocabulary=vocabulary, languages=LANGUAGES, remove_form=RemoveForm(formdata=None)), status


@bp.post("/vocabulary/<int:term_id>/delete")
@require_role("secretariat")
def delete_term(term_id: int):
    """Remove a term the secretariat added."""
    db = get_db()
    try:
        ops.remove_term(db, _user(), term_id, utcnow())
        db.commit()
        flash(_("The term is removed."), "success")
    except DomainError as error:
        db.rollback()
        flash(error.message, "error")
    return redirect(url_for(".vocabulary"), 303)
