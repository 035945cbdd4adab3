"""The history browser /cases/history/ (cases.history): every change to the cases in scope,
masked, filtered, paginated and exported as CSV; for auditors and directors only (administrators configure the system and see no case content, DOMAIN.md §2.2)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import PersonalDataReveal
from cases.workflow import Status
from core.history import save_with_history
from documents.models import CaseDocument, DocumentDownload
from tests.factories import CaseFactory

ID_NUMBER = "11010519491231002X"
NEW_ID_NUMBER = "110105198001011238"
PHONE = "13812345678"
URL = "/cases/history/"
EXPORT = "/cases/history/export.csv"
FULL_ID = re.compile(r"[0-9]{17}[0-9Xx]")
FULL_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


@pytest.fixture
def case(clerk, director):
    """A draft with a claim edited once and a person whose ID number and phone changed."""
    case = CaseFactory(organization=director.memberships.get().organization, created_by=clerk)
    claim = case.claims.get()
    claim.amount = "15000.00"
    save_with_history(claim, actor=clerk, reason="更正请求金额")
    person = case.parties.get(side="applicant").person
    person.id_number, person.phone = ID_NUMBER, PHONE
    save_with_history(person, actor=clerk, reason="补录证件号码")
    person.id_number = NEW_ID_NUMBER
    save_with_history(person, actor=clerk, reason="更正证件号码")
    return case


def _html(client, params=None) -> str:
    response = client.get(URL, params or {})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [row for row in body.split("<tr")[1:] if "colspan" not in row]


def test_the_auditor_sees_a_claim_edit_old_to_new_with_its_reason(client, case, auditor):
    client.force_login(auditor)

    html = _html(client, {"case": case.pk})

    assert "请求金额（元）" in html
    assert re.search(r"<del>12000\.00</del>\s*→\s*15000\.00", html)
    assert "更正请求金额" in html


def test_a_transition_shows_with_its_reason(client, case, clerk, director, auditor):
    services.case_register(case=case, actor=clerk)
    services.case_reject(case=case, actor=director, reason_code="not_labour_dispute", note="双方为承揽关系")
    client.force_login(auditor)

    html = _html(client, {"case": case.pk, "kind": "transition"})

    rows = _rows(html)
    assert len(rows) == 2  # register, reject
    assert "不予受理" in rows[0] and "双方为承揽关系" in rows[0]
    assert re.search(r"<del>已登记（待审查）</del>\s*→\s*不予受理", rows[0])


def test_id_numbers_and_phones_are_masked_in_the_page(client, case, clerk, auditor):
    client.force_login(clerk)  # who reveals once, with an ID number typed into the reason
    party = case.parties.get(side="applicant")
    client.post(
        f"/cases/{case.pk}/parties/{party.pk}/reveal/", {"field": "id_number", "reason": f"核对 {NEW_ID_NUMBER}"}
    )
    client.force_login(auditor)

    html = _html(client)

    for value in (ID_NUMBER, NEW_ID_NUMBER, PHONE):
        assert value not in html
    assert not FULL_ID.search(html) and not FULL_MOBILE.search(html)
    assert "110***********002X" in html and "110***********1238" in html and "138****5678" in html
    assert "查看个人信息" in html


def test_the_csv_export_is_masked_too(client, case, auditor):
    client.force_login(auditor)

    response = client.get(EXPORT, {"case": case.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    for value in (ID_NUMBER, NEW_ID_NUMBER, PHONE):
        assert value not in text
    assert not FULL_ID.search(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["时间", "操作人", "案件"]
    assert any("12000.00 → 15000.00" in row[6] and row[7] == "更正请求金额" for row in rows[1:])
    assert any("110***********002X → 110***********1238" in row[6] for row in rows[1:])


def test_the_csv_neutralises_formulas(client, case, clerk, auditor):
    claim = case.claims.get()
    claim.description = "=HYPERLINK(1)"
    save_with_history(claim, actor=clerk, reason="@SUM(1)")
    client.force_login(auditor)

    text = client.get(EXPORT, {"case": case.pk}).content.decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(text)))
    assert any(row[7] == "'@SUM(1)" for row in rows[1:])
    assert not any(cell.startswith(("=", "@", "+")) for row in rows for cell in row)


def test_filter_by_user(client, case, clerk, director, auditor):
    services.case_register(case=case, actor=clerk)
    services.case_reject(case=case, actor=director, reason_code="not_labour_dispute", note="不属于受理范围")
    client.force_login(auditor)

    html = _html(client, {"user": director.pk})

    rows = _rows(html)
    assert rows and all(">director<" in row for row in rows)
    assert "更正请求金额" not in html


def test_filter_by_case_number(client, case, case_in, clerk, auditor):
    other = case_in(Status.ACCEPTED)
    client.force_login(auditor)

    html = _html(client, {"number": other.case_number})

    assert other.case_number in html
    assert "更正请求金额" not in html  # the draft's claim edit is not listed


def test_filter_by_period(client, case, auditor):
    client.force_login(auditor)
    today = timezone.localdate()

    assert _rows(_html(client, {"from": today.isoformat(), "to": today.isoformat()}))
    assert not _rows(_html(client, {"to": (today - dt.timedelta(days=1)).isoformat()}))
    assert not _rows(_html(client, {"from": (today + dt.timedelta(days=1)).isoformat()}))


def test_filter_by_kind(client, case, clerk, auditor):
    doc = CaseDocument.objects.create(case=case, kind="D3", title="受理通知书", requested_by=clerk)
    DocumentDownload.objects.create(document=doc, user=clerk, remote_addr="10.0.0.8")
    client.force_login(auditor)

    downloads = _rows(_html(client, {"kind": "download"}))
    changes = _rows(_html(client, {"kind": "change"}))

    assert len(downloads) == 1 and "受理通知书" in downloads[0] and "10.0.0.8" in downloads[0]
    assert changes and all("数据修改" in row for row in changes)


def test_bad_filters_answer_400(client, case, auditor):
    client.force_login(auditor)

    assert client.get(URL, {"from": "31/01/2026"}).status_code == 400
    assert client.get(URL, {"kind": "nonsense"}).status_code == 400


def test_reveals_and_refused_reveals_are_listed(client, case, clerk, auditor):
    party = case.parties.get(side="applicant")
    client.force_login(auditor)
    client.post(f"/cases/{case.pk}/parties/{party.pk}/reveal/", {"field": "phone", "reason": "想看一下电话"})
    client.force_login(clerk)
    client.post(f"/cases/{case.pk}/parties/{party.pk}/reveal/", {"field": "id_number", "reason": "核对身份信息"})
    client.force_login(auditor)

    rows = _rows(_html(client, {"kind": "reveal"}))

    assert PersonalDataReveal.objects.count() == 2
    assert len(rows) == 2
    assert "核对身份信息" in rows[0] and "证件号码" in rows[0]
    assert "被拒绝" in rows[1] and "想看一下电话" in rows[1]


def test_pages_hold_fifty_rows_newest_first(client, case, clerk, auditor):
    claim = case.claims.get()
    for n in range(60):
        claim.description = f"支付拖欠工资 {n}"
        save_with_history(claim, actor=clerk, reason=f"修改 {n}")
    client.force_login(auditor)

    first = _rows(_html(client, {"case": case.pk}))
    second_html = _html(client, {"case": case.pk, "page": 2})

    assert len(first) == 50
    assert "修改 59" in first[0]
    assert "修改 58" in first[1]
    assert _rows(second_html) and "上一页" in second_html


def test_the_page_costs_the_same_queries_for_many_rows(client, case, clerk, auditor):
    client.force_login(auditor)
    client.get(URL)  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    claim = case.claims.get()
    for n in range(60):
        claim.description = f"支付拖欠工资 {n}"
        save_with_history(claim, actor=clerk, reason=f"修改 {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(URL)

    assert len(many.captured_queries) <= len(few.captured_queries) + 1


def test_the_auditor_of_another_town_sees_nothing_of_the_district(client, case, world):
    from tests.conftest import _persona

    town_auditor = _persona("town_auditor", "auditor", world.other_town)
    client.force_login(town_auditor)

    assert not _rows(_html(client))
    assert client.get(URL, {"case": case.pk}).status_code == 200
    assert not _rows(_html(client, {"case": case.pk}))


@pytest.mark.parametrize("persona", ["director", "auditor"])
def test_directors_and_auditors_may_browse(client, case, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 200
    assert client.get(EXPORT).status_code == 200


@pytest.mark.parametrize("persona", ["clerk", "mediator", "liaison", "other_town_clerk", "admin_user"])
def test_other_roles_get_403(client, case, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_case_page_links_to_its_history_for_auditors_only(client, case, auditor, clerk):
    client.force_login(auditor)
    assert f"/cases/history/?case={case.pk}" in client.get(f"/cases/{case.pk}/").content.decode()

    client.force_login(clerk)
    assert "/cases/history/" not in client.get(f"/cases/{case.pk}/").content.decode()
