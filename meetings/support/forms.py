"""Flask-WTF forms (CSRF included) of support requests and offers, matches, pledges and follow-up meetings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from meetings.core.db import utcnow
from meetings.core.fields import CheckboxesField, country_choices, language_choices
from meetings.core.i18n import current_language
from meetings.core.vocabulary import CATEGORIES, LANGUAGES, REGIONS
from meetings.core.zonepicker import zone_choices
from meetings.support.labels import ACTION_LABELS
from meetings.support.states import TRANSITIONS
from meetings.support.vocabulary import AREAS, GRF_EDITIONS, KINDS, PLEDGE_STATUSES, SIDES


def _pairs(table: dict, blank: bool = False) -> list[tuple[str, str]]:
    return ([("", "—")] if blank else []) + [(code, str(label)) for code, label in table.items()]


class EntryForm(FlaskForm):
    """A support request or offer; the organization and contact fields only when it is new."""

    side = SelectField(_l("Request or offer"), validators=[Optional()], validate_choice=False)
    organization = StringField(_l("Organization"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Stakeholder category"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    organization_region = SelectField(_l("Region of the organization (UNHCR regional bureau)"),
                                      validators=[Optional()])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("Contact e-mail (receives the private link)"),
                               validators=[Optional(), Length(max=254)])
    contact_language = SelectField(_l("Preferred language for messages"), validators=[Optional()])
    title = StringField(_l("Short title"), validators=[DataRequired(), Length(max=200)])
    area = SelectField(_l("Area of the asylum system"), validators=[DataRequired()])
    kind = SelectField(_l("Kind of support"), validators=[DataRequired()])
    working_languages = CheckboxesField(_l("Working languages"))
    other_languages = StringField(_l("Other working languages (ISO 639-1 codes, such as pt, ar, ru)"),
                                  validators=[Optional(), Length(max=60)])
    region = SelectField(_l("Region where the support takes place"), validators=[Optional()])
    period_from = DateField(_l("From"), validators=[Optional()])
    period_to = DateField(_l("To"), validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    text_language = SelectField(_l("Language of the title and description"), validators=[DataRequired()])
    with_pledge = BooleanField(_l("This comes with a formal pledge"))
    submit = SubmitField(_l("Save"))

    def fill_choices(self, language: str) -> None:
        """Choices in the viewer's language."""
        self.side.choices = _pairs(SIDES)
        self.category.choices = _pairs(CATEGORIES, blank=True)
        self.country.choices = country_choices(language)
        self.organization_region.choices = _pairs(REGIONS, blank=True)
        self.contact_language.choices = language_choices(blank=False)
        self.area.choices = _pairs(AREAS, blank=True)
        self.kind.choices = _pairs(KINDS, blank=True)
        self.working_languages.choices = list(LANGUAGES.items())
        self.region.choices = [("", str(_l("Any region")))] + _pairs(REGIONS)
        self.text_language.choices = language_choices(blank=False)


class AnswerForm(FlaskForm):
    """A party's answer or report on a match (the action comes from the button pressed)."""

    action = HiddenField(validators=[AnyOf(tuple(TRANSITIONS) + ("consent",))])
    consent = BooleanField(_l("You may show this match on the public page (organizations, area, region)"))
    outcome = TextAreaField(_l("Outcome (a few words)"), validators=[Optional(), Length(max=2000)])

    @staticmethod
    def label(action: str) -> str:
        """The button text of an action."""
        return str(ACTION_LABELS[action])


class ProposeForm(FlaskForm):
    """The secretariat proposes one candidate offer for a request."""

    offer_id = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    note = TextAreaField(_l("Note to both parties (optional)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Propose this match"))


class PledgeForm(FlaskForm):
    """A pledge and its follow-up."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    organization_id = SelectField(_l("Pledging entity"), coerce=int, validators=[InputRequired()])
    area = SelectField(_l("Area of the asylum system"), validators=[DataRequired()])
    kind = SelectField(_l("Kind of support"), validators=[DataRequired()])
    region = SelectField(_l("Region"), validators=[Optional()])
    grf_edition = SelectField(_l("Global Refugee Forum"), validators=[DataRequired()])
    status = SelectField(_l("Follow-up status"), validators=[DataRequired()])
    forum = StringField(_l("Regional forum or event where it was made or reported"),
                        validators=[Optional(), Length(max=200)])
    request_ids = CheckboxesField(_l("Requests it answers"), coerce=int)
    public_consent = BooleanField(_l("The pledging entity agrees to show it on the public page once fulfilled"))
    submit = SubmitField(_l("Save"))

    def fill_choices(self, organizations: list, requests: list) -> None:
        """Organizations, open requests and vocabularies in the viewer's language."""
        self.organization_id.choices = [(0, "—")] + [(o.id, o.name) for o in organizations]
        self.area.choices = _pairs(AREAS, blank=True)
        self.kind.choices = _pairs(KINDS, blank=True)
        self.region.choices = [("", str(_l("Any region")))] + _pairs(REGIONS)
        self.grf_edition.choices = [(e, e) for e in GRF_EDITIONS]
        self.status.choices = _pairs(PLEDGE_STATUSES)
        self.request_ids.choices = [(r.id, f"{r.organization.name}: {r.title}") for r in requests]


class FollowupForm(FlaskForm):
    """A targeted follow-up meeting with the parties: one session, or twin sessions if their zones need them."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    date = DateField(_l("Date (in the reference time zone)"), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=90,
                                    validators=[InputRequired(), NumberRange(min=30, max=480)])
    reference_zone = SelectField(_l("Reference time zone"), default="Europe/Zurich")
    join_url = StringField(_l("Join link"), validators=[DataRequired(), Length(max=500)])
    capacity = IntegerField(_l("Seats per session"), default=30,
                            validators=[InputRequired(), NumberRange(min=1, max=5000)])
    submit = SubmitField(_l("Plan the meeting and invite the parties"))

    def fill_choices(self) -> None:
        """Every IANA zone."""
        self.reference_zone.choices = zone_choices(current_language(), utcnow(), self.reference_zone.data)
