"""Page forms (Flask-WTF: each carries and checks a CSRF token).

Text fields follow the API's input rules (app/domain/inputs.py): no NUL or other control
characters in names, only tab/LF/CR besides printable text in notes; days lie within
TIMESTAMP_MIN..TIMESTAMP_MAX.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.services import PASSWORD_LENGTH
from app.domain.inputs import CODE_CONTROLS, MULTILINE, day_problem, text_problem
from app.platform.config import timestamp_bounds
from labels.codes import MAX_CODE_LENGTH


class PrintableText:
    def __init__(self, allowed: str = ""):
        self.allowed = allowed

    def __call__(self, _form, field) -> None:
        problem = text_problem(field.data, self.allowed) if isinstance(field.data, str) else None
        if problem:
            raise ValidationError(problem)


def day_in_range(_form, field) -> None:
    problem = day_problem(field.data, *timestamp_bounds()) if field.data is not None else None
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=200), PrintableText()])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200), PrintableText()])


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=200), PrintableText()])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(*PASSWORD_LENGTH), PrintableText()],
                                 description=f"{PASSWORD_LENGTH[0]} to {PASSWORD_LENGTH[1]} characters.")
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), PrintableText(),
                                        EqualTo("new_password", message="Does not match the new password.")])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(1, 120), PrintableText()],
                       description="For example the name of the ERP system that will use it.")


class PublishForm(FlaskForm):
    publish = RadioField("Public verification page", validators=[DataRequired()], choices=[
        ("no", "Private: anyone with a serial sees only whether the certificate is valid, the issuer and the month"),
        ("yes", "Published: also show our name, the trips and the kg CO₂e")])


class ResolveForm(FlaskForm):
    note = TextAreaField("Resolution note", validators=[DataRequired(), Length(1, 2000), PrintableText(MULTILINE)])


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET query that changes nothing

    start = DateField("From", validators=[DataRequired(), day_in_range])
    end = DateField("To (exclusive)", validators=[DataRequired(), day_in_range])


class ThresholdForm(FlaskForm):
    class Meta:
        csrf = False

    threshold = IntegerField("Low-stock threshold", validators=[Optional(), NumberRange(0, 100000)])


class PickupForm(FlaskForm):
    site = SelectField("Site", validators=[DataRequired()])
    asset_type = SelectField("Asset type", validators=[DataRequired()])
    count = IntegerField("Number of assets", validators=[DataRequired(), NumberRange(1, 100000)])
    day = DateField("Preferred day", validators=[Optional(), day_in_range],
                    description="Leave empty for the site's opening hours.")
    start = TimeField("From", validators=[Optional()])
    end = TimeField("Until", validators=[Optional()])
    note = TextAreaField("Note for the driver", validators=[Optional(), Length(max=1000), PrintableText(MULTILINE)])


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CollectionPlanForm(FlaskForm):
    day = DateField("Day of the tours", validators=[DataRequired(), day_in_range])
    depots = CheckboxesField("Depots", validators=[DataRequired()])
    vehicles = IntegerField("Vehicles", validators=[DataRequired(), NumberRange(1, 50)])
    capacity_units = FloatField("Capacity per vehicle (pallet places)", validators=[DataRequired(), NumberRange(1, 1000)])
    objective = SelectField("Optimise for", choices=[("distance", "Shortest distance"), ("cost", "Lowest cost"),
                                                     ("co2e", "Lowest CO₂e")])
    time_limit_s = IntegerField("Search time (seconds)", validators=[DataRequired(), NumberRange(1, 300)])


class LabelSheetForm(FlaskForm):
    codes = TextAreaField("Reprint: asset codes, one per line", validators=[Optional(), PrintableText(CODE_CONTROLS)])
    asset_type = SelectField("Or register new assets of type", validators=[Optional()])
    count = IntegerField("How many", validators=[Optional(), NumberRange(1, 10000)])
    site = SelectField("Starting at depot", validators=[Optional()])
    preset = SelectField("Sheet", validators=[DataRequired()])


class AssetSearchForm(FlaskForm):
    """The labels are in the template (console/assets.html)."""

    class Meta:
        csrf = False  # a GET query that changes nothing

    code = StringField(validators=[DataRequired(), Length(max=MAX_CODE_LENGTH), PrintableText(CODE_CONTROLS)])
    asset_type = SelectField(validators=[Optional()])


class ReprintForm(FlaskForm):
    preset = SelectField(validators=[DataRequired()])
