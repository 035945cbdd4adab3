"""Case pages: login, home work list, list, detail and the transition dialogs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertRedirects

from cases import services
from cases.models import CaseAssignment, CaseNumberSequence
from cases.workflow import Status
from tests.cases.services.helpers import assert_unchanged, snapshot
from tests.factories import CaseFactory

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _html(response: Any) -> str:
    return response.content.decode()


def _section(html: str, title: str) -> str:
    """The HTML of the home page card whose heading starts with `title`."""
    start = html.index(f"<h2>{title}")
    end = html.find("</section>", start)
    return html[start:end]


# --- login ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "target"), [("/", "/accounts/login/?next=/"), ("/cases/", "/accounts/login/?next=/cases/")]
)
def test_logged_out_visitors_are_sent_to_the_login_page(client, db, url, target):
    response = client.get(url)

    assertRedirects(response, target)


@pytest.mark.parametrize("url", ["/cases/1/", "/cases/1/transitions/accept/"])
def test_logged_out_case_pages_redirect_too(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_login_page_is_in_chinese(client, db):
    response = client.get("/accounts/login/")

    html = _html(response)
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    for text in ("<h1>登录</h1>", "用户名", "密码", "区、街乡劳动争议调解中心及联动单位工作人员使用。"):
        assert text in html
    assert "Username" not in html and "Password" not in html


def test_login_page_stays_chinese_for_an_english_browser(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="zh-hans">' in _html(response)
    assert "<h1>登录</h1>" in _html(response)


def test_wrong_password_is_explained_in_chinese(client, director):
    response = client.post("/accounts/login/", {"username": "director", "password": "wrong"})

    assert response.status_code == 200
    assert "用户名或密码不正确，请重新输入。" in _html(response)
    assert "_auth_user_id" not in client.session


def test_login_with_the_right_password_goes_home(client, director):
    response = client.post("/accounts/login/", {"username": "director", "password": "pw-12345678"})

    assertRedirects(response, "/")


# --- accept through the page ------------------------------------------------------------------


def test_director_opens_the_accept_dialog(client, director, mediator, case_in):
    case = case_in(Status.REGISTERED)
    client.force_login(director)

    response = client.get(f"/cases/{case.pk}/transitions/accept/")

    html = _html(response)
    assert response.status_code == 200
    assert "<h1>受理</h1>" in html
    assert f'value="{mediator.pk}"' in html
    assert "已登记（待审查）" in html


def test_director_accepts_through_the_page(client, director, mediator, case_in):
    case = case_in(Status.REGISTERED)
    client.force_login(director)

    response = client.post(
        f"/cases/{case.pk}/transitions/accept/", {"lead_mediator": mediator.pk, "note": "同意受理"}, follow=True
    )

    assertRedirects(response, f"/cases/{case.pk}/")
    case.refresh_from_db()
    number = f"（{timezone.localdate().year}）京兴工调字第0001号"
    assert (case.status, case.case_number) == (Status.ACCEPTED, number)
    assert list(CaseAssignment.objects.filter(case=case).values_list("user_id", "role")) == [(mediator.pk, "lead")]
    detail = _html(response)
    assert f"<h1>{number}</h1>" in detail
    assert '<span class="badge big st-accepted">已受理</span>' in detail
    assert "已完成“受理”，案件状态：已受理。" in detail


def test_accept_with_a_lead_and_co_mediators_through_the_page(client, world, director, mediator, case_in):
    from tests.factories import MembershipFactory, UserFactory

    co = UserFactory(username="co_mediator", full_name="co_mediator")
    MembershipFactory(user=co, role="mediator", organization=world.district)
    case = case_in(Status.REGISTERED)
    client.force_login(director)

    response = client.post(
        f"/cases/{case.pk}/transitions/accept/", {"lead_mediator": co.pk, "co_mediators": [mediator.pk, co.pk]}
    )

    assert response.status_code == 302
    assert list(CaseAssignment.objects.filter(case=case).order_by("pk").values_list("user_id", "role")) == [
        (co.pk, "lead"),
        (mediator.pk, "co"),
    ]


def test_accept_without_mediator_is_a_400_in_chinese_and_changes_nothing(client, director, case_in):
    case = case_in(Status.REGISTERED)
    before = snapshot(case)
    client.force_login(director)

    response = client.post(f"/cases/{case.pk}/transitions/accept/", {"note": "同意受理"})

    assert response.status_code == 400
    assert re.search(r'id="id_lead_mediator".*?<div class="error-text">该字段是必填项。</div>', _html(response), re.S)
    assert_unchanged(case, before)
    assert not CaseNumberSequence.objects.filter(series="case").exists()


def test_reject_for_other_reason_without_explanation_is_a_400_with_the_guard_message(client, director, case_in):
    case = case_in(Status.REGISTERED)
    before = snapshot(case)
    client.force_login(director)

    response = client.post(f"/cases/{case.pk}/transitions/reject/", {"reason_code": "other", "note": ""})

    assert response.status_code == 400
    assert "理由选择“其他”时须填写具体说明。" in _html(response)
    assert_unchanged(case, before)


def test_transition_on_a_case_that_moved_on_is_a_409(client, director, mediator, case_in):
    case = case_in(Status.ACCEPTED)
    before = snapshot(case)
    client.force_login(director)

    response = client.post(f"/cases/{case.pk}/transitions/accept/", {"lead_mediator": mediator.pk})

    assert response.status_code == 409
    assert "案件当前状态为“已受理”，不能“受理”。" in _html(response)
    assert_unchanged(case, before)


@pytest.mark.parametrize("method", ["get", "post"])
def test_auditor_gets_403_on_a_transition_and_nothing_changes(client, auditor, mediator, case_in, method):
    case = case_in(Status.REGISTERED)
    before = snapshot(case)
    client.force_login(auditor)

    response = getattr(client, method)(f"/cases/{case.pk}/transitions/accept/", {"lead_mediator": mediator.pk})

    assert response.status_code == 403
    assert "您的角色只能查看，不能修改案件。" in _html(response)
    assert_unchanged(case, before)


def test_clerk_without_the_role_gets_403_from_the_service(client, clerk, mediator, case_in):
    case = case_in(Status.REGISTERED)
    before = snapshot(case)
    client.force_login(clerk)

    response = client.post(f"/cases/{case.pk}/transitions/accept/", {"lead_mediator": mediator.pk})

    assert response.status_code == 403
    assert "您无权对本案执行“受理”。" in _html(response)
    assert_unchanged(case, before)


@pytest.mark.parametrize("name", ["start", "extend", "archive", "no_such_transition"])
def test_transitions_not_wired_are_404(client, director, case_in, name):
    case = case_in(Status.ACCEPTED)
    before = snapshot(case)
    client.force_login(director)

    response = client.post(f"/cases/{case.pk}/transitions/{name}/")

    assert response.status_code == 404
    assert_unchanged(case, before)


def test_transition_on_an_out_of_scope_case_is_404(client, other_town_clerk, case_in):
    case = case_in(Status.REGISTERED)
    before = snapshot(case)
    client.force_login(other_town_clerk)

    response = client.post(f"/cases/{case.pk}/transitions/withdraw/", {"reason_code": "settled_privately"})

    assert response.status_code == 404
    assert_unchanged(case, before)


# --- home, list and detail ---------------------------------------------------------------------


def test_director_home_lists_the_registered_case_for_review(client, director, case_in):
    registered = case_in(Status.REGISTERED)
    accepted = case_in(Status.ACCEPTED)
    client.force_login(director)

    response = client.get("/")

    html = _html(response)
    assert response.status_code == 200
    review = _section(html, "待受理审查的申请")
    assert f'href="/cases/{registered.pk}/"' in review
    assert registered.registry_number in review
    assert f'href="/cases/{accepted.pk}/"' not in review


def test_admin_home_goes_to_the_admin_site(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_case_list_shows_only_cases_in_scope(client, world, town_clerk, case_in):
    own = case_in(Status.REGISTERED, world.town)
    other_town = case_in(Status.REGISTERED, world.other_town)
    district = case_in(Status.REGISTERED, world.district)
    client.force_login(town_clerk)

    html = _html(client.get("/cases/"))

    assert f'href="/cases/{own.pk}/"' in html
    assert own.registry_number in html
    for hidden in (other_town, district):
        assert f'href="/cases/{hidden.pk}/"' not in html
        assert hidden.registry_number not in html


def test_detail_of_an_out_of_scope_case_is_404(client, world, town_clerk, case_in):
    other_town = case_in(Status.REGISTERED, world.other_town)
    district = case_in(Status.REGISTERED, world.district)
    client.force_login(town_clerk)

    for case in (other_town, district):
        response = client.get(f"/cases/{case.pk}/")
        assert response.status_code == 404
        assert case.registry_number not in _html(response)


@pytest.mark.parametrize("persona", ["liaison", "admin_user"])
def test_detail_is_404_for_roles_without_case_content(client, request, case_in, persona):
    case = case_in(Status.REGISTERED)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_detail_is_404_for_a_missing_case(client, director):
    client.force_login(director)

    assert client.get("/cases/999999/").status_code == 404


def test_detail_shows_masked_id_numbers_and_phones_only(client, world, clerk, auditor):
    case = CaseFactory(organization=world.district, created_by=clerk, with_parties=False)
    person = services.person_get_or_create(actor=clerk, name="张三", id_number=ID_NUMBER, phone=PHONE)
    employer = services.employer_get_or_create(actor=clerk, name="北京某某有限公司", contact_phone="010-69243456")
    services.case_party_add(case=case, actor=clerk, side="applicant", person=person)
    services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
    client.force_login(auditor)

    response = client.get(f"/cases/{case.pk}/")

    html = _html(response)
    assert response.status_code == 200
    assert "张三" in html
    assert "110***********002X" in html
    assert "138****5678" in html
    assert employer.contact_phone_masked in html
    assert ID_NUMBER not in html
    assert "19491231" not in html
    assert PHONE not in html
    assert "69243456" not in html


def test_detail_offers_the_directors_actions_on_a_registered_case(client, director, case_in):
    case = case_in(Status.REGISTERED)
    client.force_login(director)

    html = _html(client.get(f"/cases/{case.pk}/"))

    for name in ("accept", "reject"):
        assert f'href="/cases/{case.pk}/transitions/{name}/"' in html
    assert f'href="/cases/{case.pk}/transitions/withdraw/"' not in html  # a clerk's or mediator's action


def test_detail_offers_withdraw_to_the_clerk(client, clerk, case_in):
    case = case_in(Status.IN_MEDIATION)
    client.force_login(clerk)

    html = _html(client.get(f"/cases/{case.pk}/"))

    assert f'href="/cases/{case.pk}/transitions/withdraw/"' in html


def test_detail_shows_why_a_draft_cannot_be_registered_yet(client, world, clerk):
    case = CaseFactory(organization=world.district, created_by=clerk, with_parties=False)
    client.force_login(clerk)

    html = _html(client.get(f"/cases/{case.pk}/"))

    assert "登记前需补充：至少一名申请人、至少一名被申请人、至少一项请求事项。" in html
    assert f'href="/cases/{case.pk}/transitions/register/"' not in html


def test_auditor_sees_no_actions(client, auditor, case_in):
    case = case_in(Status.REGISTERED)
    client.force_login(auditor)

    html = _html(client.get(f"/cases/{case.pk}/"))

    assert "/transitions/" not in html


# --- query counts ---------------------------------------------------------------------------------


def _make_cases(world, clerk, count: int) -> None:
    organizations = [world.district, world.town, world.other_town]
    for index in range(count):
        case = CaseFactory(organization=organizations[index % 3], created_by=clerk)
        if index % 2:
            services.case_register(case=case, actor=clerk)


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), _html(response)


@pytest.mark.parametrize("url", ["/cases/", "/cases/?order=-received_at&q=京兴", "/"])
def test_list_pages_cost_the_same_queries_for_5_and_30_cases(client, world, director, clerk, url):
    client.force_login(director)
    _make_cases(world, clerk, 5)
    client.get(url)  # warm the session and per-process caches

    few, few_html = _queries(client, url)
    _make_cases(world, clerk, 25)
    many, many_html = _queries(client, url)

    assert many == few
    if url == "/cases/":
        assert len(re.findall(r'<td><a href="/cases/\d+/">', few_html)) == 5
        assert len(re.findall(r'<td><a href="/cases/\d+/">', many_html)) == 30


def test_case_list_query_ceiling(client, world, director, clerk, django_assert_max_num_queries):
    client.force_login(director)
    _make_cases(world, clerk, 30)
    client.get("/cases/")

    with django_assert_max_num_queries(10):
        client.get("/cases/")
