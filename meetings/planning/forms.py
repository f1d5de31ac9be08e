"""Flask-WTF forms (CSRF included) of the secretariat's planning pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from scheduler.hours import REASONABLE_WINDOW

SOURCES = {
    "member_states": _l("The 193 UN member States (capital's time zone, one each)"),
    "registrations": _l("The registrations of this meeting (their time zones, weighted by number of people)"),
    "csv": _l("A CSV file with the columns timezone,weight"),
}


class PlanForm(FlaskForm):
    """The planner's inputs for one meeting."""

    date = DateField(_l("Meeting date (reference time zone)"), validators=[DataRequired()])
    duration = IntegerField(_l("Duration of each session (minutes)"),
                            validators=[InputRequired(), NumberRange(min=1, max=720)])
    window = StringField(_l("Reasonable local hours for participants"), default=REASONABLE_WINDOW,
                         validators=[DataRequired()])
    interpreters = StringField(_l("Interpreters' hours (reference time zone)"), default="07:00-22:00",
                               validators=[DataRequired()])
    step = IntegerField(_l("Grid step (minutes)"), default=15, validators=[InputRequired()])
    min_gap = IntegerField(_l("Minimum gap between the sessions (minutes)"), default=60,
                           validators=[InputRequired()])
    same_day = BooleanField(_l("Both sessions on the same day"), default=True)
    tolerance = DecimalField(_l("Rotation tolerance (points of coverage)"), default=0, places=None,
                             validators=[Optional(), NumberRange(min=0, max=100)])
    rotate = BooleanField(_l("Rotate the burden from the previous edition's plan"), default=True)
    source = RadioField(_l("Participants"), choices=[SelectChoice(value, label) for value, label in SOURCES.items()],
                         default="member_states",
                        validators=[DataRequired()])
    csv_file = FileField(_l("Participants file (CSV)"))
    csv_text = HiddenField()
    submit = SubmitField(_l("Plan the sessions"))

    def fill_choices(self) -> None:
        """Choice labels in the current language."""
        self.source.choices = [(code, str(label)) for code, label in SOURCES.items()]


class ApplyForm(PlanForm):
    """The same inputs, posted back as hidden fields with the "apply" button."""

    submit = SubmitField(_l("Apply to sessions A and B"))


class SeriesForm(FlaskForm):
    """A year and its blackout dates (query string: the suggestion is pure computation)."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=1980, max=2200)])
    blackout_dates = TextAreaField(_l("Blackout dates (YYYY-MM-DD, one per line or separated by commas)"),
                                   validators=[Optional()])
    duration = IntegerField(_l("Duration of each session (minutes)"), default=180,
                            validators=[InputRequired(), NumberRange(min=1, max=720)])
    submit = SubmitField(_l("Suggest the meetings"))


class CreateSeriesForm(FlaskForm):
    """Create the suggested meetings as drafts (POST with CSRF)."""

    year = HiddenField()
    blackout_dates = HiddenField()
    duration = HiddenField()
    submit = SubmitField(_l("Create these meetings as drafts"))
