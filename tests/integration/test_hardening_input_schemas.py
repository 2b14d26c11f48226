"""The input rules hold for every input the app declares, not only the ones tested one by
one: each request schema field, each page form field and each integer path converter."""
from __future__ import annotations

import inspect

from marshmallow import Schema, fields, validate
from werkzeug.routing import IntegerConverter
from wtforms import DateField, IntegerField, SelectFieldBase, StringField
from wtforms.validators import NumberRange

from app.domain.inputs import BIGINT_MAX
from app.platform.fields import Day, FullMatch, Text, Timestamp
from app.scanning.schemas import ScanInSchema

# Integers bounded by the service itself before any SQL, whose error names the field.
BOUNDED_IN_SERVICE = {("RegisterBatchSchema", "count")}  # services.labels.plan_registration
# Raw JSON judged item by item by another schema.
RAW_ITEMS = {("ScanBatchSchema", "scans")}  # each item: ScanInSchema in services.scans


def argument_schemas(app) -> dict[str, Schema]:
    """Every schema an endpoint loads input with (flask-smorest `@blp.arguments`)."""
    found = {"ScanInSchema": ScanInSchema()}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        handlers = [getattr(view.view_class, m.lower()) for m in rule.methods
                    if hasattr(view, "view_class") and hasattr(view.view_class, m.lower())] or [view]
        for handler in handlers:
            for param in getattr(handler, "_apidoc", {}).get("arguments", {}).get("parameters", []):
                schema = param["schema"]
                schema = schema() if inspect.isclass(schema) else schema
                found[type(schema).__name__] = schema
    return found


def problems(schema_name: str, name: str, field: fields.Field) -> list[str]:
    where = f"{schema_name}.{name}"
    if field.dump_only:
        return []
    if isinstance(field, fields.Nested):
        nested = field.schema
        return [p for n, f in nested.fields.items() for p in problems(type(nested).__name__, n, f)]
    if isinstance(field, fields.List):
        return problems(schema_name, f"{name}[]", field.inner)
    if isinstance(field, fields.Dict):
        out = [] if field.key_field else [f"{where}: a Dict needs typed keys"]
        out += problems(schema_name, f"{name}.key", field.key_field) if field.key_field else []
        out += problems(schema_name, f"{name}.value", field.value_field) if field.value_field else \
            [f"{where}: a Dict needs typed values"]
        return out
    if isinstance(field, fields.UUID):
        return []
    if isinstance(field, fields.String) and not isinstance(field, Text):
        return [f"{where}: a String must be app.schemas.fields.Text (no control characters)"]
    if isinstance(field, fields.DateTime) and not isinstance(field, Timestamp):
        return [f"{where}: a DateTime must be app.schemas.fields.Timestamp (bounded)"]
    if isinstance(field, fields.Date) and not isinstance(field, Day):
        return [f"{where}: a Date must be app.schemas.fields.Day (bounded)"]
    if isinstance(field, fields.Integer) and (schema_name, name) not in BOUNDED_IN_SERVICE:
        bounded = [v for v in field.validators if isinstance(v, validate.Range) and v.min is not None
                   and v.max is not None and v.max <= BIGINT_MAX] + \
                  [v for v in field.validators if isinstance(v, validate.OneOf)]
        if not bounded:
            return [f"{where}: an Integer needs a Range (or OneOf) within a bigint"]
    if isinstance(field, fields.Raw) and type(field) is fields.Raw and (schema_name, name.rstrip("[]")) not in RAW_ITEMS:
        return [f"{where}: untyped input"]
    for v in field.validators:
        if isinstance(v, validate.Regexp) and not isinstance(v, FullMatch):
            return [f"{where}: a Regexp must be app.schemas.fields.FullMatch"]
    return []


def test_every_request_field_follows_the_input_rules(app):
    schemas = argument_schemas(app)
    assert {"ScanInSchema", "CustomerSchema", "StatementQuerySchema", "ReturnRequestInSchema", "AssetQuerySchema",
            "SheetRequestSchema", "IssueSchema", "CollectionPlanInSchema"} <= set(schemas)
    found = [p for schema_name, schema in sorted(schemas.items())
             for name, field in schema.fields.items() for p in problems(schema_name, name, field)]
    assert found == []


def test_every_page_form_field_follows_the_input_rules():
    from flask_wtf import FlaskForm

    from app.web import forms

    found = []
    for form_name, form in inspect.getmembers(forms, inspect.isclass):
        if not issubclass(form, FlaskForm) or form is FlaskForm:
            continue
        for name, unbound in inspect.getmembers(form, lambda m: hasattr(m, "field_class")):
            validators = unbound.kwargs.get("validators") or []
            cls = unbound.field_class
            where = f"{form_name}.{name}"
            if issubclass(cls, StringField) and not issubclass(cls, SelectFieldBase) and \
                    not any(isinstance(v, forms.PrintableText) for v in validators):
                found.append(f"{where}: text needs PrintableText")
            if issubclass(cls, DateField) and forms.day_in_range not in validators:
                found.append(f"{where}: a date needs day_in_range")
            if issubclass(cls, IntegerField) and not any(isinstance(v, NumberRange) and v.max is not None
                                                         and v.max <= BIGINT_MAX for v in validators):
                found.append(f"{where}: an integer needs NumberRange")
    assert found == []


def test_every_integer_path_converter_fits_a_bigint(app):
    found = []
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter) and (converter.max is None or converter.max > BIGINT_MAX):
                found.append(f"{rule.rule}: {name}")
    assert found == []
    spec = app.extensions["api"].spec.to_dict()
    params = spec["paths"]["/api/v1/users/{user_id}/tokens"]["parameters"]
    assert [p["schema"].get("maximum") for p in params if p["name"] == "user_id"] == [2**31 - 1]
