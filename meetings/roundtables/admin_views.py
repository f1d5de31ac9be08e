"""The secretariat's page of regional-forum topics (under /secretariat)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from meetings.core.actor import current_actor, require_role
from meetings.core.db import get_db, utcnow
from meetings.core.forms import ConfirmForm, submit
from meetings.core.vocabulary import LANGUAGE_CODES
from meetings.roundtables import forum_topics as topics
from meetings.roundtables.forms import ForumTopicForm

bp = Blueprint("roundtable_admin", __name__, url_prefix="/secretariat")



@bp.route("/forum-topics", methods=["GET", "POST"])
@require_role("secretariat")
def forum_topics():
    """Topics regional forums already cover, compared with every roundtable proposal."""
    db = get_db()
    form = ForumTopicForm()
    form.fill_choices()
    submitted = submit(form, lambda: topics.add_forum_topic(
        db, current_actor(), form.forum.data, {c: form[f"title_{c}"].data for c in LANGUAGE_CODES},
        tuple(form.regions.data or ()), utcnow()))
    if submitted.done:
        flash(_("The topic is registered."), "success")
        return redirect(url_for(".forum_topics"), 303)
    return render_template("roundtables/forum_topics.html", form=form, topics=topics.forum_topics(db),
                           action_form=ConfirmForm(formdata=None)), submitted.status


@bp.post("/forum-topics/<int:topic_id>/delete")
@require_role("secretariat")
def delete_forum_topic(topic_id: int):
    """Remove a regional-forum topic."""
    db = get_db()
    topics.remove_forum_topic(db, current_actor(), topic_id, utcnow())
    db.commit()
    flash(_("The topic is removed."), "success")
    return redirect(url_for(".forum_topics"), 303)
