"""The OpenAPI 3.1 description at GET /api/v1/openapi.json, and the live API checked against it
(CONTRACT.md "Machine-readable description")."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import openapi as schemathesis_openapi
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from compapp.openapi import openapi_spec


def test_the_description_is_valid_openapi_3_1(client):
    """The served document is OpenAPI 3.1 and names both endpoints with their error bodies."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/api/v1/quote", "/api/v1/promotion"}
    for path in spec["paths"].values():
        assert {"200", "400", "422"} <= set(path["post"]["responses"])
    quote = spec["components"]["schemas"]["QuoteRequest"]["properties"]
    assert (
        "organiser" in quote
        and "organiser" in (spec["components"]["schemas"]["PromotionRequest"]["properties"])
    )
    assert "national_skills_competition" in quote["category"]["enum"]


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_non_post_calls_to_the_api_answer_json_405(client, method):
    """A GET (or PUT, DELETE, PATCH) of an endpoint is a JSON 405 naming POST, not an HTML page."""
    response = getattr(client, method)("/api/v1/quote")
    assert response.status_code == 405
    assert response.is_json
    assert response.get_json()["error"]["message"]
    assert "POST" in response.headers["Allow"]


def test_the_contract_examples_answer_as_described(client):
    """The examples in the description are accepted and answered with the documented shape."""
    spec = openapi_spec()
    from jsonschema import Draft202012Validator

    for path, request, answer in (
        ("/api/v1/quote", "QuoteRequest", "QuoteAnswer"),
        ("/api/v1/promotion", "PromotionRequest", "PromotionAnswer"),
    ):
        schemas = spec["components"]["schemas"]
        body = schemas[request]["examples"][0]
        response = client.post(path, json=body)
        assert response.status_code == 200, response.get_json()
        resolver_schema = {"$ref": f"#/components/schemas/{answer}", **spec}
        Draft202012Validator(resolver_schema).validate(response.get_json())


@pytest.fixture
def api_schema(app):
    return schemathesis_openapi.from_wsgi("/api/v1/openapi.json", app)


def test_generated_requests_get_documented_answers(app, api_schema):
    """Requests generated from the description (schemathesis) never get a 500 and every answer
    has a documented status, content type and body shape."""
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    for operation in api_schema.get_all_operations():
        op = operation.ok()

        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=op.as_strategy())
        def run(case):
            case.call_and_validate(checks=checks)

        run()
