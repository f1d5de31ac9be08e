"""Secretariat pages: webhooks and the state of the outbox (failed messages can be re-queued)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from meetings.core.actor import current_actor, require_role
from meetings.core.db import get_db, utcnow
from meetings.core.forms import submit
from meetings.outbox import admin
from meetings.outbox.forms import ActionForm, WebhookForm
from meetings.outbox.listing import search_messages
from meetings.outbox.models import Webhook
from meetings.outbox.transports import webhook_limits_from_config

bp = Blueprint("outbox", __name__, url_prefix="/secretariat")


@bp.route("/webhooks", methods=["GET", "POST"])
@require_role("secretariat")
def webhooks():
    """List and add webhooks; the new secret is shown once."""
    db = get_db()
    form = WebhookForm()
    secret = None
    limits = webhook_limits_from_config(current_app.config)
    submitted = submit(form, lambda: admin.add_webhook(db, form.url.data, form.events.data, current_actor(), utcnow(),
                                                       limits))
    status = submitted.status
    if submitted.done:
        secret = submitted.value.secret
        flash(_("Webhook added. Copy its signing secret now: it is not shown again."), "success")
        form = WebhookForm(formdata=None)
    hooks = db.scalars(sa.select(Webhook).order_by(Webhook.id)).all()
    return render_template("outbox/webhooks.html", form=form, hooks=hooks, secret=secret,
                           action=ActionForm()), status


@bp.post("/webhooks/<int:hook_id>/disable")
@require_role("secretariat")
def disable_webhook(hook_id: int):
    """Stop a webhook."""
    if not ActionForm().validate_on_submit():
        raise CSRFError()
    db = get_db()
    admin.disable_webhook(db, hook_id, current_actor(), utcnow())
    db.commit()
    return redirect(url_for(".webhooks"), 303)


@bp.get("/outbox")
@require_role("secretariat")
def outbox():
    """Counts by status, the failed messages with their last error, and the messages (searchable)."""
    counts, failed = admin.outbox_overview(get_db())
    text, status = request.args.get("q", ""), request.args.get("status") or None
    return render_template("outbox/outbox.html", counts=counts, failed=failed, action=ActionForm(), q=text,
                           status=status, messages=search_messages(get_db(), text, status))


@bp.post("/outbox/requeue")
@require_role("secretariat")
def requeue():
    """Put every failed message back in the queue."""
    if not ActionForm().validate_on_submit():
        raise CSRFError()
    db = get_db()
    count = admin.requeue_failed(db, current_actor(), utcnow())
    db.commit()
    flash(_("%(count)d messages are queued again.", count=count), "success")
    return redirect(url_for(".outbox"), 303)


def init_app(app: Flask) -> None:
    """Register the secretariat's outbox pages."""
    app.register_blueprint(bp)
