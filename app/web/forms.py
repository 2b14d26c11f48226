"""Page forms (Flask-WTF: each carries and checks a CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(1, 120)],
                       description="For example the name of the ERP system that will use it.")


class ResolveForm(FlaskForm):
    note = TextAreaField("Resolution note", validators=[DataRequired(), Length(1, 2000)])


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET query that changes nothing

    start = DateField("From", validators=[DataRequired()])
    end = DateField("To (exclusive)", validators=[DataRequired()])


class ThresholdForm(FlaskForm):
    class Meta:
        csrf = False

    threshold = IntegerField("Low-stock threshold", validators=[Optional(), NumberRange(0, 100000)])
