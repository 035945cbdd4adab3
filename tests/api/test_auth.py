"""The token endpoint and authentication (accounts/apis.py)."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.conftest import assert_error

TOKEN_URL = "/api/v1/auth/token/"


def test_token_for_username_and_password(clerk: Any) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "clerk", "password": "pw-12345678"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=clerk).key}
    again = APIClient().post(TOKEN_URL, {"username": "clerk", "password": "pw-12345678"}, format="json")
    assert again.json() == response.json()  # one token per user


def test_bad_password_is_400_in_the_error_shape(clerk: Any) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "clerk", "password": "wrong"}, format="json")

    error = assert_error(response, 400, "invalid")
    assert error["message"] == "用户名或密码不正确。"
    assert "password" in error["fields"]
    assert not Token.objects.exists()


def test_missing_fields_are_named(db: Any) -> None:
    error = assert_error(APIClient().post(TOKEN_URL, {}, format="json"), 400, "invalid")

    assert error["message"] == "请求数据有误，请按提示修改。"
    assert set(error["fields"]) == {"username", "password"}


def test_inactive_user_gets_no_token(clerk: Any) -> None:
    clerk.is_active = False
    clerk.save()

    response = APIClient().post(TOKEN_URL, {"username": "clerk", "password": "pw-12345678"}, format="json")

    assert_error(response, 400, "invalid")


def test_repeated_attempts_are_throttled(clerk: Any) -> None:
    client = APIClient()
    for i in range(10):  # ten user names: the per-address rate limit, not the per-account lockout
        assert client.post(TOKEN_URL, {"username": f"u{i}", "password": "guess"}, format="json").status_code == 400

    response = client.post(TOKEN_URL, {"username": "clerk", "password": "pw-12345678"}, format="json")

    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert not Token.objects.exists()


def test_no_token_is_401_in_the_error_shape(db: Any) -> None:
    response = APIClient().get("/api/v1/cases/")

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_token_is_401(db: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert_error(client.get("/api/v1/cases/"), 401, "authentication_failed")


def test_session_login_works_for_the_browser(clerk: Any) -> None:
    client = APIClient()
    client.force_login(clerk)

    assert client.get("/api/v1/me/").json()["username"] == "clerk"


def test_me_lists_the_roles(api: Any, town_clerk: Any) -> None:
    body = api(town_clerk).get("/api/v1/me/").json()

    assert body["name"] == "town_clerk"
    assert body["memberships"] == [
        {"role": "clerk", "organization": {"code": "XHM", "name": "西红门镇调解分中心"}, "agency": None}
    ]


def test_staff_lists_only_the_callers_scope(api: Any, town_clerk: Any, other_town_clerk: Any, mediator: Any) -> None:
    staff = api(town_clerk).get("/api/v1/staff/").json()

    assert {s["name"] for s in staff} == {"town_clerk"}  # not the district, not the other town
    district = api(mediator).get("/api/v1/staff/?role=clerk").json()
    assert {s["name"] for s in district} == {"town_clerk", "other_town_clerk"}
