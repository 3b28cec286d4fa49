"""The OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

EXPECTED = {
    "/api/v1/standards": {"get", "post"},
    "/api/v1/standards/{number}": {"get", "patch"},
    "/api/v1/standards/status-check": {"post"},
}


@pytest.fixture
def spec(client: Any) -> dict[str, Any]:
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    return resp.get_json()  # type: ignore[no-any-return]


class TestOpenApiDocument:
    def test_is_valid_openapi_3(self, spec):
        assert spec["openapi"].startswith("3.")
        validate(spec)

    def test_lists_every_catalogue_endpoint(self, spec):
        for path, methods in EXPECTED.items():
            assert path in spec["paths"], path
            assert methods <= set(spec["paths"][path]), path

    def test_number_parameter_is_documented(self, spec):
        op = spec["paths"]["/api/v1/standards/{number}"]
        params = op.get("parameters", []) + op["get"].get("parameters", [])
        (number,) = [p for p in params if p["name"] == "number"]
        assert number["in"] == "path" and number["required"] is True

    def test_writes_declare_bearer_auth(self, spec):
        scheme = spec["components"]["securitySchemes"]["bearerAuth"]
        assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
        for path, method in (
            ("/api/v1/standards", "post"),
            ("/api/v1/standards/{number}", "patch"),
        ):
            op = spec["paths"][path][method]
            assert op["security"] == [{"bearerAuth": []}]
            assert {"401", "403", "422"} <= set(op["responses"])
        assert "security" not in spec["paths"]["/api/v1/standards"]["get"]

    def test_documents_the_responses(self, spec):
        paths = spec["paths"]
        assert {"200", "422"} <= set(paths["/api/v1/standards"]["get"]["responses"])
        assert {"200", "404"} <= set(paths["/api/v1/standards/{number}"]["get"]["responses"])
        assert {"201", "409"} <= set(paths["/api/v1/standards"]["post"]["responses"])
        assert "Location" in paths["/api/v1/standards"]["post"]["responses"]["201"]["headers"]
        assert {"200", "404"} <= set(paths["/api/v1/standards/{number}"]["patch"]["responses"])
        assert {"200", "422"} <= set(paths["/api/v1/standards/status-check"]["post"]["responses"])

    def test_error_schema_is_the_contract(self, spec):
        error = spec["components"]["schemas"]["Error"]["properties"]
        assert set(error) == {"code", "status", "message", "errors"}
        assert error["code"]["type"] == "string"
        assert error["status"]["type"] == "integer"
        # every documented error response points at it
        responses = spec["components"]["responses"]
        for name in ("NOT_FOUND", "UNAUTHORIZED", "FORBIDDEN", "CONFLICT"):
            ref = responses[name]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error"

    def test_error_answers_match_the_documented_schema(self, client):
        body = client.get("/api/v1/standards/GB%2FT%2012345-2000").get_json()
        assert isinstance(body["code"], str)
        assert isinstance(body["status"], int)


def test_every_api_route_is_documented(app: Any) -> None:
    """Each /api/v1 route of every blueprint appears in the OpenAPI document."""
    import re as _re

    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = set(spec["paths"])
    missing = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if not path.startswith("/api/v1/") or path.endswith("openapi.json"):
            continue
        openapi_path = _re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", path)
        if openapi_path not in documented:
            missing.append(path)
    assert not missing, missing
