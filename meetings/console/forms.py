"""Console forms: POST forms carry CSRF; filter forms are GET (query string, no CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from meetings.core.labels import category_label, country_label, language_label, region_label, registration_status_label
from meetings.core.rules import known_countries
from meetings.core.vocabulary import CATEGORY_CODES, LANGUAGE_CODES, REGION_CODES, REGISTRATION_STATUS_CODES

ANY = ("", _l("Any"))


class BookingForm(FlaskForm):
    """Book or withdraw the booking of one interpretation channel."""

    action = HiddenField(validators=[AnyOf(("book", "unbook"))])
    submit = SubmitField(_l("Save"))


class AttendanceForm(FlaskForm):
    """CSRF and the button; the ticked boxes arrive as ``present`` values (registration ids)."""

    submit = SubmitField(_l("Save attendance"))


class IrreversibleActionForm(FlaskForm):
    """A destructive action, confirmed by ticking a box."""

    confirm = BooleanField(_l("I understand that this cannot be undone."),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Confirm"))


class FilterForm(FlaskForm):
    """Filters of the lists (GET)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name, e-mail or organization"), validators=[Optional(), Length(max=200)])
    meeting_id = SelectField(_l("Meeting"), validators=[Optional()])
    session_id = SelectField(_l("Session"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    category = SelectField(_l("Stakeholder category"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])
    workstream = SelectField(_l("Workstream"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def fill_choices(self, meetings: list, workstreams: list, locale: str) -> None:
        """Choices in the viewer's language; the session list follows the chosen meeting."""
        self.meeting_id.choices = [ANY, *[(str(m.id), f"{m.edition} — {m.title(locale)}") for m in meetings]]
        chosen = next((m for m in meetings if str(m.id) == (self.meeting_id.data or "")), None)
        sessions = chosen.sessions if chosen else []
        self.session_id.choices = [ANY, *[(str(s.id), f"{chosen.edition} — {s.label}") for s in sessions]]
        self.status.choices = [ANY, *[(c, registration_status_label(c)) for c in REGISTRATION_STATUS_CODES]]
        self.category.choices = [ANY, *[(c, category_label(c)) for c in CATEGORY_CODES]]
        self.region.choices = [ANY, *[(c, region_label(c)) for c in REGION_CODES]]
        countries = sorted(((c, country_label(c)) for c in known_countries()), key=lambda item: item[1])
        self.country.choices = [ANY, *countries]
        self.language.choices = [ANY, *[(c, language_label(c)) for c in LANGUAGE_CODES]]
        self.workstream.choices = [ANY, *[(str(w.number), f"{w.number}. {w.title(locale)}") for w in workstreams]]


class AuditFilterForm(FlaskForm):
    """Filters of the audit log (GET)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()])
    actor = StringField(_l("Who (e-mail contains)"), validators=[Optional(), Length(max=254)])
    subject_type = SelectField(_l("Subject"), validators=[Optional()])
    since = DateField(_l("From (UTC date)"), validators=[Optional()])
    until = DateField(_l("Until (UTC date, inclusive)"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))
