"""The secretariat's form adding a vocabulary term (CSRF included)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from meetings.core.vocabulary import LANGUAGES


class TermForm(FlaskForm):
    """A term for a concept in one language."""

    concept_id = StringField(_l("Concept"), validators=[InputRequired(), Length(max=60)],
                             render_kw={"list": "concept-ids", "autocomplete": "off"})
    language = SelectField(_l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
                           validators=[InputRequired()])
    term = StringField(_l("Term"), validators=[InputRequired(), Length(max=120)])
    submit = SubmitField(_l("Add the term"))


class RemoveForm(FlaskForm):
    """The button removing a term: POST with CSRF."""

    submit = SubmitField(_l("Remove"))
