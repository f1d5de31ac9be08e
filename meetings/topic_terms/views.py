"""The secretariat's page extending the asylum-topic vocabulary (under /secretariat). Thin views."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from meetings.core.actor import current_actor, require_role
from meetings.core.db import get_db, utcnow
from meetings.core.forms import run_operation, submit
from meetings.core.i18n import current_language
from meetings.core.vocabulary import LANGUAGES
from meetings.topic_terms import operations as ops
from meetings.topic_terms.forms import RemoveForm, TermForm

bp = Blueprint("topic_terms", __name__, url_prefix="/secretariat")


@bp.route("/vocabulary", methods=["GET", "POST"])
@require_role("secretariat")
def vocabulary():
    """The concepts with their labels, the terms added by the secretariat, and the form adding one."""
    db = get_db()
    form = TermForm()
    submitted = submit(form, lambda: ops.add_term(
        db, current_actor(), ops.TermInput(form.concept_id.data, form.language.data, form.term.data), utcnow()))
    if submitted.done:
        row = submitted.value
        flash(_("“%(term)s” is added to %(concept)s.", term=row.term, concept=row.concept_id), "success")
        return redirect(url_for(".vocabulary"), 303)
    vocabulary = ops.current_vocabulary(db)
    language = current_language()
    concepts = sorted(((c.id, c.label(language)) for c in vocabulary.concepts.values()), key=lambda c: c[1].casefold())
    return render_template("topic_terms/vocabulary.html", form=form, terms=ops.extra_terms(db), concepts=concepts,
                           vocabulary=vocabulary, languages=LANGUAGES,
                           remove_form=RemoveForm(formdata=None)), submitted.status


@bp.post("/vocabulary/<int:term_id>/delete")
@require_role("secretariat")
def delete_term(term_id: int):
    """Remove a term the secretariat added."""
    db = get_db()
    if run_operation(None, lambda: ops.remove_term(db, current_actor(), term_id, utcnow())).done:
        flash(_("The term is removed."), "success")
    return redirect(url_for(".vocabulary"), 303)
