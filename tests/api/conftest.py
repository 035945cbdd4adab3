"""The API tests talk to the API only: a token per persona, JSON in and out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

ID_NUMBER = "11010519491231002X"  # valid check digit; born 1949-12-31
OTHER_ID_NUMBER = "110105198001011238"
USCC = "91110000MA01ABCD1M"


@pytest.fixture(autouse=True)
def _fresh_throttle_and_media(settings: Any, tmp_path: Any) -> None:
    """The token endpoint's throttle counts in the cache: each test starts at zero. Uploaded
    evidence goes to a temporary folder, not the project's media/."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api() -> Callable[[Any], APIClient]:
    """api(user) -> a client that sends the user's token; api(None) -> anonymous."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The one error shape: {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def draft_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "organization": "DX",
        "dispute_type": "PAY",
        "facts_summary": "拖欠三个月工资。",
        "applicants": [{"name": "王小明", "id_number": ID_NUMBER, "phone": "13800138000", "address": "北京市大兴区"}],
        "respondents": [{"name": "北京某某科技有限公司", "uscc": USCC, "legal_rep_name": "李总"}],
        "claims": [
            {"claim_type": "WAGE", "description": "支付拖欠工资", "amount": "12000"},
            {"claim_type": "CERT", "description": "出具解除劳动合同证明"},
        ],
    }
    payload.update(overrides)
    return payload
