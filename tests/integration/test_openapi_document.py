"""What the OpenAPI document declares: errors, public operations, media types, formats.

(test_openapi_fuzz.py checks that the service behaves as declared.)"""
from __future__ import annotations

import re

import pytest

from app.platform.json_limits import MAX_DEPTH, MAX_NUMBER_DIGITS


@pytest.fixture(scope="module")
def doc():
    from app import create_app
    from app.platform.config import Settings

    app = create_app({"SETTINGS": Settings(database_url="sqlite://"), "TESTING": True})
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", op


PUBLIC = {"GET /api/v1/certificates/public-key", "POST /api/v1/certificates/verify",
          "GET /api/v1/certificates/{serial}/verification"}


def test_every_operation_says_whether_it_needs_a_token(doc):
    assert doc["security"] == [{"bearerAuth": []}]
    for name, op in operations(doc):
        responses = op["responses"]
        assert "default" not in responses, name
        if name in PUBLIC:
            assert op["security"] == [] and "401" not in responses, name
        else:
            assert "security" not in op, name  # the document's default: a bearer token
            assert responses["401"] == {"$ref": "#/components/responses/Unauthorized"}, name
            assert responses["429"] == {"$ref": "#/components/responses/TooManyRequests"}, name


def test_error_answers_carry_the_error_body_and_their_headers(doc):
    error = doc["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "status", "message"}
    answers = doc["components"]["responses"]
    for name in ("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "PayloadTooLarge",
                 "UnprocessableEntity", "TooManyRequests"):
        assert answers[name]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert answers["Unauthorized"]["headers"]["WWW-Authenticate"]["required"] is True
    assert answers["TooManyRequests"]["headers"]["Retry-After"]["required"] is True
    assert f"{MAX_DEPTH} levels" in answers["BadRequest"]["description"]
    assert f"{MAX_NUMBER_DIGITS} digits" in answers["BadRequest"]["description"]


def test_errors_follow_roles_paths_and_bodies(doc):
    ops = dict(operations(doc))
    assert "403" in ops["POST /api/v1/customers"]["responses"]  # admin only
    assert "403" not in ops["GET /api/v1/customers"]["responses"]  # every role
    assert "404" in ops["GET /api/v1/sites/{site_id}"]["responses"]  # names something
    for name in ("POST /api/v1/customers", "PATCH /api/v1/sites/{site_id}", "POST /api/v1/labels/sheets"):
        assert {"400", "413", "422"} <= set(ops[name]["responses"]), name
    assert {"413", "422"} <= set(ops["POST /api/v1/scans"]["responses"])  # a malformed batch is 422
    for name in ("POST /api/v1/customers", "POST /api/v1/return-requests/{request_id}/cancel",
                 "GET /api/v1/plans/{plan_id}.csv", "POST /api/v1/certificates"):
        assert "409" in ops[name]["responses"], name


@pytest.mark.parametrize("name,media_type", [
    ("GET /api/v1/certificates/{serial}.json", "application/json"),
    ("GET /api/v1/certificates/{serial}.pdf", "application/pdf"),
    ("GET /api/v1/assets/{code}/label.png", "image/png"),
    ("GET /api/v1/assets/{code}/label.svg", "image/svg+xml"),
    ("GET /api/v1/assets/{code}/label.zpl", "text/plain"),
    ("POST /api/v1/labels/sheets", "application/pdf"),
    ("GET /api/v1/plans/{plan_id}.csv", "text/csv"),
    ("GET /api/v1/plans/{plan_id}.geojson", "application/geo+json"),
    ("GET /api/v1/assets/{code}/epcis", "application/ld+json"),
])
def test_downloads_declare_their_media_type(doc, name, media_type):
    content = dict(operations(doc))[name]["responses"]["200"]["content"]
    assert list(content) == [media_type]
    assert content[media_type]["schema"], name


def test_signed_certificate_is_described(doc):
    signed = doc["components"]["schemas"]["SignedCertificate"]
    assert set(signed["required"]) == {"document", "signature", "algorithm", "key_id"}


def test_month_and_ids_have_their_patterns(doc):
    month = re.compile(doc["components"]["schemas"]["Issue"]["properties"]["month"]["pattern"])
    assert month.match("2026-10") and month.match("2000-01")
    assert not any(month.match(m) for m in ("2026-13", "2026-00", "1999-12", "26-10", "2026-1"))
    query = {p["name"]: p for p in dict(operations(doc))["GET /api/v1/certificates"]["parameters"]}
    assert query["month"]["schema"]["pattern"] == month.pattern
    serial = re.compile(doc["paths"]["/api/v1/certificates/{serial}"]["parameters"][0]["schema"]["pattern"])
    assert serial.match("CO2-2026-10-RHEINCHEM-R1") and not serial.match("verify")
    plan = doc["paths"]["/api/v1/plans/{plan_id}"]["parameters"][0]["schema"]
    assert plan["format"] == "uuid"
