"""Flask-WTF forms (CSRF included) of the roundtable pages and the secretariat's account and topic pages."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from meetings.core.fields import CheckboxesField, workstream_choices
from meetings.core.forms import FormWithErrorsApart
from meetings.core.i18n import current_language
from meetings.core.vocabulary import CATEGORIES, LANGUAGES, REGIONS
from meetings.core.zonepicker import zone_choices
from meetings.roundtables.labels import ACTION_LABELS
from meetings.roundtables.states import FORM_ACTIONS

WINDOW_ROWS = 3


class WindowForm(Form):
    """One proposed period (a sub-form: the CSRF token is the parent's)."""

    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("To"), validators=[Optional()])


class ProposalForm(FormWithErrorsApart):
    """A roundtable proposal: texts per language, scope, audience, dates, co-conveners."""

    ERRORS_APART = ("windows",)

    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    abstract_en = TextAreaField(_l("Abstract in English"), validators=[Optional(), Length(max=5000)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(), Length(max=200)])
    abstract_fr = TextAreaField(_l("Abstract in French"), validators=[Optional(), Length(max=5000)])
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=200)])
    abstract_es = TextAreaField(_l("Abstract in Spanish"), validators=[Optional(), Length(max=5000)])
    workstream = SelectField(_l("Workstream"), coerce=int, default=3)
    themes = StringField(_l("Themes (separated by commas)"), validators=[Length(max=700)])
    regions = CheckboxesField(_l("Regions concerned (at least two)"))
    target_categories = CheckboxesField(_l("Stakeholder categories invited"))
    interpretation_languages = CheckboxesField(_l("Interpretation needed into"))
    windows = FieldList(FormField(WindowForm), min_entries=WINDOW_ROWS, max_entries=WINDOW_ROWS)
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=120,
                                    validators=[InputRequired(), NumberRange(min=30, max=480)])
    co_conveners = TextAreaField(_l("Co-convening organizations (one per line: UNHCR and at least one stakeholder)"),
                                 validators=[Length(max=2500)])
    check = SubmitField(_l("Look for similar topics"))
    save = SubmitField(_l("Save the draft"))

    def fill_choices(self, workstreams: list, language: str) -> None:
        """Choices that depend on the viewer's language."""
        self.workstream.choices = workstream_choices(workstreams, language)
        self.regions.choices = [(code, str(label)) for code, label in REGIONS.items()]
        self.target_categories.choices = [(code, str(label)) for code, label in CATEGORIES.items()]
        self.interpretation_languages.choices = list(LANGUAGES.items())


class TransitionForm(FlaskForm):
    """A status change with its comment (the action comes from the button pressed)."""

    action = HiddenField(validators=[AnyOf(FORM_ACTIONS)])
    comment = TextAreaField(_l("Comment (sent to the proposer with decisions)"),
                            validators=[Optional(), Length(max=2000)])

    @staticmethod
    def label(action: str) -> str:
        """The button text of an action."""
        return str(ACTION_LABELS[action])


class ScheduleForm(FormWithErrorsApart):
    """Sessions of an accepted roundtable; 'suggest' asks the planner, 'schedule' creates them."""

    mode = RadioField(_l("Sessions"), choices=[SelectChoice("twin", _l("Twin sessions (A and B)")),
                                                    SelectChoice("single", _l("One session"))],
                      default="twin")
    date = DateField(_l("Date (in the reference time zone)"), validators=[InputRequired()])
    start_a = StringField(_l("Session A starts at (HH:MM)"), validators=[Optional(), Length(max=5)])
    start_b = StringField(_l("Session B starts at (HH:MM)"), validators=[Optional(), Length(max=5)])
    reference_zone = SelectField(_l("Reference time zone"), default="Europe/Zurich")
    duration_minutes = IntegerField(_l("Duration (minutes)"),
                                    validators=[InputRequired(), NumberRange(min=30, max=480)])
    capacity = IntegerField(_l("Seats per session"), default=100,
                            validators=[InputRequired(), NumberRange(min=1, max=5000)])
    join_url_a = StringField(_l("Join link of session A"), validators=[Optional(), Length(max=500)])
    join_url_b = StringField(_l("Join link of session B"), validators=[Optional(), Length(max=500)])
    suggest = SubmitField(_l("Suggest times with the planner"))
    schedule = SubmitField(_l("Schedule and open registration"))

    def fill_choices(self) -> None:
        """Canonical zones grouped by region, named in the viewer's language (a stored alias stays)."""
        self.reference_zone.choices = zone_choices(current_language(), datetime.now(UTC), self.reference_zone.data)


class FollowupForm(FlaskForm):
    """Invite the workstream's organizations, optionally only some categories or regions."""

    categories = CheckboxesField(_l("Only these stakeholder categories (none: all)"))
    regions = CheckboxesField(_l("Only these regions (none: all)"))
    submit = SubmitField(_l("Send the invitations"))

    def fill_choices(self) -> None:
        """Choices in the viewer's language."""
        self.categories.choices = [(code, str(label)) for code, label in CATEGORIES.items()]
        self.regions.choices = [(code, str(label)) for code, label in REGIONS.items()]


class ForumTopicForm(FlaskForm):
    """A topic a regional forum already covers."""

    forum = StringField(_l("Regional forum"), validators=[InputRequired(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(), Length(max=300)])
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=300)])
    regions = CheckboxesField(_l("Regions"))
    submit = SubmitField(_l("Add the topic"))

    def fill_choices(self) -> None:
        """Regions in the viewer's language."""
        self.regions.choices = [(code, str(label)) for code, label in REGIONS.items()]
