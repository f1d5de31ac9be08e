"""Login and password forms (Flask-WTF, CSRF included)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(FlaskForm):
    """Ask for a one-time link to set a new password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(FlaskForm):
    """Choose a password from a one-time link."""

    password = PasswordField(_l("New password (at least 12 characters)"),
                             validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])
    submit = SubmitField(_l("Save the password"))


class InviteForm(FlaskForm):
    """The secretariat invites a co-convener (or another secretariat member)."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[SelectChoice("co_convener", _l("Co-convener")),
                                            SelectChoice("secretariat", _l("Secretariat"))])
    organization = StringField(_l("Organization (for co-conveners)"), validators=[Length(max=200)])
    category = SelectField(_l("Stakeholder category"))
    country = SelectField(_l("Country"))
    language = SelectField(_l("Language"))
    submit = SubmitField(_l("Send the invitation"))
