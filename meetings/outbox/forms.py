"""Secretariat forms for webhooks and the outbox (Flask-WTF, CSRF included)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

WEBHOOK_EVENTS = ("registration.created", "registration.changed", "registration.cancelled", "session.changed",
                  "roundtable.proposed", "roundtable.decided")


class WebhookForm(FlaskForm):
    """Register a partner URL for signed JSON events."""

    url = StringField(_l("Address (https://…)"), validators=[DataRequired(), Length(max=500)])
    events = SelectMultipleField(_l("Events"), choices=[SelectChoice(e, e) for e in WEBHOOK_EVENTS],
                                 widget=widgets.ListWidget(prefix_label=False),
                                 option_widget=widgets.CheckboxInput(), validators=[DataRequired()])
    submit = SubmitField(_l("Add the webhook"))


class ActionForm(FlaskForm):
    """A bare confirmation button (the CSRF token is what matters)."""

    submit = SubmitField(_l("Confirm"))
