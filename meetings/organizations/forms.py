"""The form an organization uses to sign up to workstreams, outside any meeting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from meetings.core.fields import (
    CheckboxesField,
    category_choices,
    country_choices,
    region_choices,
    workstream_choices,
)


class InterestForm(FlaskForm):
    """Sign an organization up to workstreams, outside any meeting."""

    organization = StringField(_l("Organization"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Stakeholder category"), validators=[DataRequired()])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    region = SelectField(_l("Region (UNHCR regional bureau)"), validators=[Optional()])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=200)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[DataRequired(), Length(max=254)])
    workstreams = CheckboxesField(_l("Workstreams"), coerce=int, validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Sign up"))

    def fill_choices(self, workstreams: list, language: str) -> None:
        """Choices that depend on the viewer's language."""
        self.category.choices = category_choices()
        self.country.choices = country_choices(language)
        self.region.choices = region_choices()
        self.workstreams.choices = workstream_choices(workstreams, language)
