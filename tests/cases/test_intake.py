"""The 登记申请 page: a clerk types in a new application; it becomes a draft, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from stdnum.cn import uscc

from cases import services
from cases.models import Case, CaseParty, ClaimItem, Employer, Person
from cases.workflow import Status

ID_1 = "11010519491231002X"
ID_2 = "110105198001010016"
USCC = "91110108MA01ABCD1" + uscc.calc_check_digit("91110108MA01ABCD1")
URL = "/cases/new/"


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Case, Person, Employer, CaseParty, ClaimItem)}


def _post_data(organization: Any, **overrides: str) -> dict[str, str]:
    data = {
        "organization": str(organization.pk),
        "channel": "written",
        "source": "walk_in_written",
        "source_reference": "",
        "referring_body": "",
        "dispute_type": "PAY",
        "workers_involved": "2",
        "facts_summary": "公司拖欠2024年5月至7月工资。",
        "applicants-TOTAL_FORMS": "3",
        "applicants-INITIAL_FORMS": "0",
        "applicants-0-name": "张三",
        "applicants-0-id_number": ID_1,
        "applicants-0-phone": "13812345678",
        "applicants-0-address": "北京市大兴区西红门镇1号",
        "applicants-1-name": "",
        "applicants-1-id_number": "",
        "applicants-2-name": "李四",
        "applicants-2-id_number": ID_2,
        "respondent-name": "北京某某有限公司",
        "respondent-uscc": USCC,
        "respondent-legal_rep_name": "王五",
        "respondent-registered_address": "北京市大兴区某路2号",
        "respondent-contact_name": "赵六",
        "respondent-contact_phone": "010-69243456",
        "claims-TOTAL_FORMS": "4",
        "claims-INITIAL_FORMS": "0",
        "claims-0-claim_type": "WAGE",
        "claims-0-description": "支付拖欠工资",
        "claims-0-amount": "12,000.50",
        "claims-1-claim_type": "",
        "claims-2-claim_type": "CERT",
        "claims-2-description": "出具解除劳动合同证明",
        "claims-2-amount": "",
    }
    data.update(overrides)
    return data


def _field_errors(response: Any, form: str, field: str, index: int | None = None) -> list[str]:
    context = response.context
    if index is None:
        return list(context[form][field].errors)
    return list(context[form].forms[index][field].errors)


def test_the_page_shows_the_intake_form(client, clerk, world):
    client.force_login(clerk)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for label in ("申请方式", "案件来源", "来源编号", "争议类型", "涉及职工人数", "统一社会信用代码", "事实与理由"):
        assert label in html
    assert len(response.context["applicants"].forms) == 3
    assert len(response.context["claims"].forms) == 4
    assert set(response.context["form"].fields["organization"].queryset) == {
        world.district,
        world.town,
        world.other_town,
    }


def test_a_clerk_files_an_application_and_registers_it(client, clerk, world):
    client.force_login(clerk)

    response = client.post(URL, _post_data(world.town))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.status == Status.DRAFT
    assert case.organization == world.town
    assert case.dispute_type == "PAY"
    assert case.workers_involved == 2
    assert case.created_by == clerk
    applicants = case.parties.filter(side="applicant").select_related("person").order_by("pk")
    assert [p.person.name for p in applicants] == ["张三", "李四"]
    assert case.parties.get(side="respondent").employer.uscc == USCC
    claims = list(case.claims.order_by("pk"))
    assert [c.claim_type for c in claims] == ["WAGE", "CERT"]
    assert str(claims[0].amount) == "12000.50"
    assert claims[1].amount is None
    page = client.get(response["Location"])
    assert "申请已保存为草稿" in page.content.decode()

    registered = client.post(f"/cases/{case.pk}/transitions/register/", {"note": ""})

    assert registered.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.registry_number


@pytest.mark.parametrize(
    ("overrides", "form", "field", "index", "message"),
    [
        ({"applicants-2-id_number": "110105198001010017"}, "applicants", "id_number", 2, "居民身份证号码校验位不正确"),
        (
            {"respondent-uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")},
            "respondent",
            "uscc",
            None,
            "校验位不正确",
        ),
        ({"claims-2-claim_type": "OT", "claims-2-amount": "１２００"}, "claims", "amount", 2, "金额应为不小于0的数字"),
        ({"claims-0-amount": "-5"}, "claims", "amount", 0, "金额应为不小于0的数字"),
        ({"dispute_type": ""}, "form", "dispute_type", None, "请选择争议类型"),
        ({"workers_involved": "0"}, "form", "workers_involved", None, "涉及职工人数应为不小于1的整数"),
        ({"respondent-name": ""}, "respondent", "name", None, "请填写用人单位名称"),
        ({"applicants-0-phone": "12345"}, "applicants", "phone", 0, "电话号码格式无效"),
    ],
)
def test_a_mistake_is_shown_at_its_field_and_nothing_is_saved(
    client, clerk, world, overrides, form, field, index, message
):
    client.force_login(clerk)
    before = _counts()

    response = client.post(URL, _post_data(world.district, **overrides))

    assert response.status_code == 400
    errors = _field_errors(response, form, field, index)
    assert any(message in e for e in errors), errors
    assert message in response.content.decode()
    assert _counts() == before


def test_blank_applicant_rows_are_skipped_when_filing_errors(client, clerk, world):
    """The second filled applicant sits in row 3: its message belongs there, not in row 2."""
    client.force_login(clerk)

    response = client.post(URL, _post_data(world.district, **{"applicants-2-id_number": "123"}))

    assert response.status_code == 400
    assert response.context["applicants"].forms[2]["id_number"].errors
    assert not response.context["applicants"].forms[1]["id_number"].errors


def test_several_mistakes_are_all_reported(client, clerk, world):
    client.force_login(clerk)
    before = _counts()

    response = client.post(
        URL,
        _post_data(
            world.district, **{"applicants-0-id_number": "123", "respondent-uscc": "X", "claims-0-amount": "abc"}
        ),
    )

    assert response.status_code == 400
    assert response.context["applicants"].forms[0]["id_number"].errors
    assert response.context["respondent"]["uscc"].errors
    assert response.context["claims"].forms[0]["amount"].errors
    assert _counts() == before


def test_an_application_needs_an_applicant(client, clerk, world):
    client.force_login(clerk)
    blank = {f"applicants-{i}-{f}": "" for i in range(3) for f in ("name", "id_number", "phone", "address")}
    before = _counts()

    response = client.post(URL, _post_data(world.district, **blank))

    assert response.status_code == 400
    assert response.context["section_errors"]["applicants"] == ["请至少填写一名申请人。"]
    assert "请至少填写一名申请人。" in response.content.decode()
    assert _counts() == before


def test_an_application_needs_a_claim(client, clerk, world):
    client.force_login(clerk)
    blank = {f"claims-{i}-{f}": "" for i in range(4) for f in ("claim_type", "description", "amount")}
    before = _counts()

    response = client.post(URL, _post_data(world.district, **blank))

    assert response.status_code == 400
    assert response.context["section_errors"]["claims"] == ["请至少填写一项请求事项。"]
    assert _counts() == before


def test_an_auditor_may_not_file(client, auditor, world):
    client.force_login(auditor)

    assert client.get(URL).status_code == 403
    assert client.post(URL, _post_data(world.district)).status_code == 403
    assert Case.objects.count() == 0
    for page in ("/", "/cases/"):
        assert "登记新申请" not in client.get(page).content.decode()


def test_a_clerk_sees_the_button(client, clerk):
    client.force_login(clerk)

    for page in ("/", "/cases/"):
        assert 'href="/cases/new/"' in client.get(page).content.decode()


def test_a_town_clerk_can_only_pick_their_town(client, town_clerk, world):
    client.force_login(town_clerk)

    page = client.get(URL)
    field = page.context["form"]["organization"]
    assert list(field.field.queryset) == [world.town]
    assert str(field.value()) == str(world.town.pk)

    response = client.post(URL, _post_data(world.district))
    assert response.status_code == 400
    assert response.context["form"]["organization"].errors
    assert Case.objects.count() == 0

    assert client.post(URL, _post_data(world.town)).status_code == 302
    assert Case.objects.get().organization == world.town


def test_an_open_case_between_the_same_parties_gives_a_warning(client, clerk, world):
    client.force_login(clerk)
    assert client.post(URL, _post_data(world.district)).status_code == 302
    first = Case.objects.get()

    response = client.post(URL, _post_data(world.district), follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "可能重复申请" in html
    assert f"#{first.pk}" in html
    assert Case.objects.count() == 2
    assert Person.objects.count() == 2  # the same people, found by ID number


def test_a_finished_case_gives_no_warning(client, clerk, world):
    client.force_login(clerk)
    client.post(URL, _post_data(world.district))
    first = Case.objects.get()
    services.case_register(case=first, actor=clerk)
    services.case_withdraw(case=first, actor=clerk, reason_code="settled_privately")

    response = client.post(URL, _post_data(world.district), follow=True)

    assert "可能重复申请" not in response.content.decode()
