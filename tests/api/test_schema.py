"""The OpenAPI schema covers every route and method under /api/v1/; Swagger UI works offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.contrib.staticfiles import finders
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

API_PREFIX = "api/v1/"
PATH_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def _api_routes() -> dict[str, set[str]]:
    """{"/api/v1/cases/{case_id}/": {"get"}, ...} from the URL resolver itself."""
    found: dict[str, set[str]] = {}
    for route, callback in _routes(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX):
            continue
        view_class = getattr(callback, "cls", None)
        assert view_class is not None, f"/{route} is not an API view"
        methods = {m for m in view_class.http_method_names if m not in ("options", "head") and hasattr(view_class, m)}
        found["/" + PATH_PARAMETER.sub(r"{\1}", route)] = methods
    return found


def _schema(db: Any) -> dict[str, Any]:
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_every_api_route_and_method_is_in_the_schema(db: Any) -> None:
    routes = _api_routes()
    schema_paths = {path: set(ops) - {"parameters"} for path, ops in _schema(db)["paths"].items()}

    assert len(routes) > 40
    assert set(routes) == set(schema_paths)
    for path, methods in routes.items():
        assert methods == schema_paths[path], path


def test_the_check_sees_a_missing_route(db: Any) -> None:
    """Negative control: a route the schema leaves out is reported."""
    routes = _api_routes()
    paths = set(_schema(db)["paths"]) - {"/api/v1/cases/{case_id}/history/"}
    assert set(routes) - paths == {"/api/v1/cases/{case_id}/history/"}


def test_every_operation_documents_its_errors(db: Any) -> None:
    for path, operations in _schema(db)["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "default" in codes, (method, path)
            if path != "/api/v1/auth/token/":
                assert "401" in codes, (method, path)
            if "{case_id}" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "delete") and "{case_id}" in path:
                assert {"400", "403", "409"} <= codes, (method, path)


def test_error_and_money_components(db: Any) -> None:
    components = _schema(db)["components"]["schemas"]

    assert components["Error"]["properties"]["error"]["$ref"] == "#/components/schemas/ErrorBody"
    assert set(components["ErrorBody"]["required"]) == {"code", "message", "fields"}
    money = components["Claim"]["properties"]["amount"]
    assert money["type"] == "string"
    assert money["pattern"] == r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


def test_schema_is_yaml_by_default(db: Any) -> None:
    response = APIClient().get("/api/schema/")

    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3")


def test_swagger_ui_loads_only_local_assets(db: Any) -> None:
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert "//" not in "".join(a.split("?")[0] for a in assets)  # no CDN, no other host
    # The start-up script comes from the page itself (split view: no inline script under the CSP).
    assert "/api/docs/?script=" in assets
    script = APIClient().get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "/api/schema/" in script.content.decode()
    for asset in (a for a in assets if a != "/api/docs/?script="):
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "https://" not in html and "http://" not in html
