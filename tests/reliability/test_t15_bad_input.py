"""T15 Bad-input corpus (RELIABILITY.md §3, ASVS 2.2.1).

Table-driven against the intake API (POST /api/v1/cases/) and the staff screens: ID numbers,
phones, amounts (more in T13), oversized bodies, deep JSON, too many fields, NUL, RTL and
zero-width characters, emoji, markup and template syntax.

Pass: 0 x 5xx; 0 invalid values stored (a refused request creates nothing); a 10 MB body is
refused (400/413) before it is parsed; markup shows as literal text in the HTML pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case, Person
from tests.api.conftest import ID_NUMBER, draft_payload

pytestmark = pytest.mark.django_db

#: (raw ID number, accepted?) -- GB 11643 with the ISO 7064 check character.
ID_CORPUS = [
    ("11010519491231002X", True),
    ("11010519491231002x", True),  # lower-case x: normalised to X
    ("110105194912310021", False),  # bad check character
    ("110105194902300026", False),  # 30 February
    ("110105209901010010", False),  # born in the future
    ("110105491231002", False),  # legacy 15 digits
    ("11010519491231002", False),  # 17
    ("11010519491231002X1", False),  # 19
    ("１１０１０５１９４９１２３１００２Ｘ", False),  # full-width
    ("110105-19491231-002X", False),  # dashes
    ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", False),  # Arabic-Indic digits
    ("11010519491231002X\x00", False),  # NUL
]
PHONE_CORPUS = [
    ("13800138000", True),
    ("010-69243456", True),
    ("01069243456", True),
    ("+8613800138000", False),
    ("+86 138 0013 8000", False),
    ("１３８００１３８０００", False),
    ("1380013800", False),
    ("138001380000", False),
    ("1380013800\u200b0", False),  # zero-width space inside
]
TEXT_CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}{% debug %}",
    '=HYPERLINK("http://x")',
    "王\u202e小明",  # RTL override
    "王\u200b小明",  # zero-width space
    "王小明😀",
]


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _applicant(**fields: str) -> dict[str, Any]:
    return draft_payload(applicants=[{"name": "王小明", "address": "北京市大兴区", **fields}])


@pytest.mark.parametrize(("raw", "accepted"), ID_CORPUS)
def test_id_numbers(world: Any, clerk: Any, raw: str, accepted: bool) -> None:
    response = _api(clerk).post("/api/v1/cases/", _applicant(id_number=raw), format="json")
    assert response.status_code == (201 if accepted else 400), response.content
    if accepted:
        assert Person.objects.get().id_number == ID_NUMBER
    else:
        assert any(k.endswith("id_number") for k in response.json()["error"]["fields"])
        assert not Case.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(("raw", "accepted"), PHONE_CORPUS)
def test_phones(world: Any, clerk: Any, raw: str, accepted: bool) -> None:
    response = _api(clerk).post("/api/v1/cases/", _applicant(phone=raw), format="json")
    assert response.status_code == (201 if accepted else 400), response.content
    if not accepted:
        assert any(k.endswith("phone") for k in response.json()["error"]["fields"])
        assert not Case.objects.exists() and not Person.objects.exists()


def test_nul_in_text_is_refused_and_stores_nothing(world: Any, clerk: Any) -> None:
    response = _api(clerk).post("/api/v1/cases/", draft_payload(facts_summary="拖欠\x00工资"), format="json")
    assert response.status_code == 400
    assert "facts_summary" in response.json()["error"]["fields"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("text", TEXT_CORPUS)
def test_markup_is_stored_as_text_and_shown_as_text(world: Any, clerk: Any, text: str) -> None:
    payload = _applicant()
    payload["applicants"][0]["name"] = text
    payload["facts_summary"] = text
    response = _api(clerk).post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.facts_summary == text
    web = Client()
    web.force_login(clerk)
    html = web.get(f"/cases/{case.pk}/").content.decode()
    assert text not in html or not any(c in text for c in "<>\"'&")  # markup never verbatim
    if "<script>" in text:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if "{{7*7}}" in text:
        assert "{{7*7}}" in html  # not evaluated


def test_a_10_mb_body_is_refused_before_parsing(world: Any, clerk: Any) -> None:
    body = json.dumps(draft_payload(facts_summary="拖" * (10 * 1024 * 1024 // 3)))
    response = _api(clerk).generic("POST", "/api/v1/cases/", body, content_type="application/json")
    assert response.status_code in (400, 413)
    assert set(response.json()) == {"error"}
    web = Client()
    web.force_login(clerk)
    page = web.post("/cases/new/", {"facts_summary": "拖" * (10 * 1024 * 1024 // 3)})
    assert page.status_code in (400, 413)
    assert not Case.objects.exists()


def test_deeply_nested_json_is_a_400(world: Any, clerk: Any) -> None:
    body = json.dumps(draft_payload(facts_summary="@@")).replace('"@@"', "[" * 1000 + '"x"' + "]" * 1000)
    response = _api(clerk).generic("POST", "/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"error"}  # parse error or field error
    raw = "[" * 100_000 + "]" * 100_000  # deeper than the JSON parser's recursion limit
    response = _api(clerk).generic("POST", "/api/v1/cases/", raw, content_type="application/json")
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_ten_thousand_fields_are_a_400(world: Any, clerk: Any) -> None:
    web = Client()
    web.force_login(clerk)
    response = web.post("/cases/new/", {f"f{i}": "x" for i in range(10_000)})
    assert response.status_code == 400
    api_response = _api(clerk).post("/api/v1/cases/", {f"f{i}": "x" for i in range(10_000)}, format="json")
    assert api_response.status_code == 400
    assert not Case.objects.exists()
