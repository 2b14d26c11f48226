"""Page forms (Flask-WTF: each carries and checks a CSRF token).

Text fields follow the API's input rules (app/domain/inputs.py): no NUL or other control
characters in names, only tab/LF/CR besides printable text in notes; days lie within
TIMESTAMP_MIN..TIMESTAMP_MAX. Labels, hints and messages are translated when the form is
rendered (lazy_gettext), in the language of that request.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.services import PASSWORD_LENGTH
from app.domain.inputs import CODE_CONTROLS, MULTILINE, day_problem, text_problem
from app.platform import i18n
from app.platform.config import timestamp_bounds
from app.platform.i18n import lazy_gettext as _l
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
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=200), PrintableText()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200), PrintableText()])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=200), PrintableText()])
    new_password = PasswordField(_l("New password"),
                                 validators=[DataRequired(), Length(*PASSWORD_LENGTH), PrintableText()],
                                 description=_l("%(low)d to %(high)d characters.", low=PASSWORD_LENGTH[0],
                                                high=PASSWORD_LENGTH[1]))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), PrintableText(),
                                        EqualTo("new_password", message=_l("Does not match the new password."))])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(1, 120), PrintableText()],
                       description=_l("For example the name of the ERP system that will use it."))


class PublishForm(FlaskForm):
    publish = RadioField(_l("Public verification page"), validators=[DataRequired()], choices=[
        ("no", _l("Private: anyone with a serial sees only whether the certificate is valid, the issuer and the "
                  "month")),
        ("yes", _l("Published: also show our name, the trips and the kg CO₂e"))])


class ResolveForm(FlaskForm):
    note = TextAreaField(_l("Resolution note"),
                         validators=[DataRequired(), Length(1, 2000), PrintableText(MULTILINE)])


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET query that changes nothing

    start = DateField(_l("From"), validators=[DataRequired(), day_in_range])
    end = DateField(_l("To (exclusive)"), validators=[DataRequired(), day_in_range])


class ThresholdForm(FlaskForm):
    class Meta:
        csrf = False

    threshold = IntegerField(_l("Low-stock threshold"), validators=[Optional(), NumberRange(0, 100000)])


class PickupForm(FlaskForm):
    site = SelectField(_l("Site"), validators=[DataRequired()])
    asset_type = SelectField(_l("Asset type"), validators=[DataRequired()])
    count = IntegerField(_l("Number of assets"), validators=[DataRequired(), NumberRange(1, 100000)])
    day = DateField(_l("Preferred day"), validators=[Optional(), day_in_range],
                    description=_l("Leave empty for the site's opening hours."))
    start = TimeField(_l("From"), validators=[Optional()])
    end = TimeField(_l("Until"), validators=[Optional()])
    note = TextAreaField(_l("Note for the driver"), validators=[Optional(), Length(max=1000), PrintableText(MULTILINE)])


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CollectionPlanForm(FlaskForm):
    day = DateField(_l("Day of the tours"), validators=[DataRequired(), day_in_range])
    depots = CheckboxesField(_l("Depots"), validators=[DataRequired()])
    vehicles = IntegerField(_l("Vehicles"), validators=[DataRequired(), NumberRange(1, 50)])
    capacity_units = FloatField(_l("Capacity per vehicle (pallet places)"),
                                validators=[DataRequired(), NumberRange(1, 1000)])
    objective = SelectField(_l("Optimise for"), choices=[("distance", _l("Shortest distance")),
                                                         ("cost", _l("Lowest cost")), ("co2e", _l("Lowest CO₂e"))])
    time_limit_s = IntegerField(_l("Search time (seconds)"), validators=[DataRequired(), NumberRange(1, 300)])


class LabelSheetForm(FlaskForm):
    codes = TextAreaField(_l("Reprint: asset codes, one per line"),
                          validators=[Optional(), PrintableText(CODE_CONTROLS)])
    asset_type = SelectField(_l("Or register new assets of type"), validators=[Optional()])
    count = IntegerField(_l("How many"), validators=[Optional(), NumberRange(1, 10000)])
    site = SelectField(_l("Starting at depot"), validators=[Optional()])
    preset = SelectField(_l("Sheet"), validators=[DataRequired()])


class AssetSearchForm(FlaskForm):
    """The labels are in the template (console/assets.html)."""

    class Meta:
        csrf = False  # a GET query that changes nothing

    code = StringField(validators=[DataRequired(), Length(max=MAX_CODE_LENGTH), PrintableText(CODE_CONTROLS)])
    asset_type = SelectField(validators=[Optional()])


class ReprintForm(FlaskForm):
    preset = SelectField(validators=[DataRequired()])


class LanguageForm(FlaskForm):
    """The language switcher in every page's header (a button per language) and the
    setting on the account page (with the choice to follow the browser)."""
    locale = RadioField(_l("Language"), choices=[
        SelectChoice("", _l("The browser's language")),
        *(SelectChoice(code, name) for code, name in i18n.NAMES.items())])
    next = HiddenField(validators=[Optional(), Length(max=2000), PrintableText()])
