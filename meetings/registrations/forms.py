"""Flask-WTF forms (CSRF included) for registering and managing a registration."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional

from meetings.core.fields import (
    CheckboxesField,
    category_choices,
    country_choices,
    language_choices,
    region_choices,
    workstream_choices,
)
from meetings.core.zonepicker import zone_choices


class RegistrationForm(FlaskForm):
    """Register for one session of a global meeting."""

    session_id = RadioField(_l("Session"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    function = StringField(_l("Function or title"), validators=[Optional(), Length(max=200)])
    organization = StringField(_l("Organization"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Stakeholder category"), validators=[DataRequired()])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    region = SelectField(_l("Region (UNHCR regional bureau)"), validators=[Optional()])
    language = SelectField(_l("Preferred language for messages"), validators=[DataRequired()])
    spoken_language = SelectField(_l("I will speak"), validators=[Optional()])
    listening_language = SelectField(_l("I will listen in"), validators=[Optional()])
    timezone = SelectField(_l("Your time zone"), validators=[DataRequired()])
    liaison_email = EmailField(_l("Permanent mission liaison e-mail (receives a copy)"),
                               validators=[Optional(), Length(max=254)])
    workstreams = CheckboxesField(_l("Workstreams your organization wants to join"), coerce=int)
    consent = BooleanField(_l("I have read the privacy notice and agree that my data is used to "
                              "organize this meeting."),
                           validators=[DataRequired(_l("Please accept the privacy notice to register."))])
    submit = SubmitField(_l("Register"))

    def fill_choices(self, sessions: list, workstreams: list, language: str) -> None:
        """Choices that depend on the meeting and on the viewer's language."""
        self.session_id.choices = [(s.id, s.label) for s in sessions]
        self.category.choices = category_choices()
        self.country.choices = country_choices(language)
        self.region.choices = region_choices()
        self.language.choices = language_choices(blank=False)
        self.spoken_language.choices = language_choices(blank=True)
        self.listening_language.choices = language_choices(blank=True)
        self.timezone.choices = zone_choices(language, datetime.now(UTC), self.timezone.data)
        self.workstreams.choices = workstream_choices(workstreams, language)


class ManageForm(FlaskForm):
    """Change one's session, language needs, time zone and workstreams."""

    session_id = RadioField(_l("Session"), coerce=int, validators=[DataRequired()])
    function = StringField(_l("Function or title"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Preferred language for messages"), validators=[DataRequired()])
    spoken_language = SelectField(_l("I will speak"), validators=[Optional()])
    listening_language = SelectField(_l("I will listen in"), validators=[Optional()])
    timezone = SelectField(_l("Your time zone"), validators=[DataRequired()])
    liaison_email = EmailField(_l("Permanent mission liaison e-mail (receives a copy)"),
                               validators=[Optional(), Length(max=254)])
    workstreams = CheckboxesField(_l("Workstreams your organization wants to join"), coerce=int)
    accept_waitlist = BooleanField(_l("If the other session is full, put me on its waiting list"))
    submit = SubmitField(_l("Save changes"))

    def fill_choices(self, sessions: list, workstreams: list, language: str) -> None:
        """Choices that depend on the meeting and on the viewer's language."""
        self.session_id.choices = [(s.id, s.label) for s in sessions if s.status == "scheduled"]
        self.language.choices = language_choices(blank=False)
        self.spoken_language.choices = language_choices(blank=True)
        self.listening_language.choices = language_choices(blank=True)
        self.timezone.choices = zone_choices(language, datetime.now(UTC), self.timezone.data)
        self.workstreams.choices = workstream_choices(workstreams, language)


class CancelForm(FlaskForm):
    """Cancel one's registration (a separate POST, with CSRF)."""

    submit = SubmitField(_l("Cancel my registration"))


class SignInForm(FlaskForm):
    """Use a one-time link: a POST, so that mail scanners prefetching the link change nothing."""

    submit = SubmitField(_l("Continue to my registration"))
