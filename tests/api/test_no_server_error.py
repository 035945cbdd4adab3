"""Every documented operation, with bodies of the wrong shape and type and as every kind
of caller, answers in the error shape and never with a 500 (a small stand-in for a
schema-driven fuzzer)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from cases.workflow import Status

GARBAGE: list[Any] = [
    {},
    [],
    "text",
    None,
    {"amount": 1e308, "due_on": "2024-13-45", "mediators": ["x"], "party": True, "blocks": "x"},
]


def _values_of_the_wrong_type(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """For a request body schema: one body per property with a value of another type, and
    bodies with every property a list, a huge string, a huge negative number."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    properties = schema.get("properties", {})
    wrong = {"string": 12, "integer": "x", "boolean": "maybe", "array": {"a": 1}, "object": [1]}
    bodies = [{name: wrong.get(spec.get("type", ""), [None])} for name, spec in properties.items()]
    for value in ([1], "龘" * 5000, -(2**70)):
        bodies.append(dict.fromkeys(properties, value))
    return bodies


@pytest.fixture
def ids(case_in: Any, world: Any) -> dict[str, Any]:
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    session = case.sessions.get()
    agreement = case.agreements.get()
    return {
        "case_id": case.pk,
        "session_id": session.pk,
        "attendance_id": session.attendances.first().pk,
        "obligation_id": agreement.obligations.first().pk,
        "extension_id": 999,
        "transfer_id": 999,  # a missing transfer: its routes must answer 404, never 500
        "follow_up_id": case.follow_ups.first().pk,
        "record_id": case.service_records.first().pk,
        "document_id": 999,  # a missing document: 404, never 500
        "party_id": case.parties.first().pk,
        "claim_id": case.claims.first().pk,
        "submission_id": 999,  # a missing report submission: 404, never 500
        "file_id": 999,
        "consultation_id": 999,  # a missing consultation: 404, never 500
        "kind": "periodic",  # GET /api/v1/reports/{kind}/
    }


def test_no_operation_answers_500(
    api: Any, ids: dict[str, Any], clerk: Any, director: Any, auditor: Any, other_town_clerk: Any
) -> None:
    schema = APIClient().get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    writers = [api(clerk), api(director)]
    refused = [api(auditor), api(other_town_clerk), api(None)]  # turned away before the body is read
    checked = 0
    for path, operations in schema["paths"].items():
        url = path.format(**ids)
        for method, operation in operations.items():
            body_schema = (
                operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            )
            bodies = [*GARBAGE, *_values_of_the_wrong_type(body_schema, components)] if method != "get" else [None]
            for client, tried in [*((w, bodies) for w in writers), *((r, bodies[:2]) for r in refused)]:
                for body in tried:
                    response = getattr(client, method)(url, body, format="json")
                    checked += 1
                    assert response.status_code < 500, (method, url, body, response.content[:300])
                    if response.status_code >= 400:
                        assert set(response.json()) == {"error"}, (method, url, response.content[:300])
    assert checked > 700
