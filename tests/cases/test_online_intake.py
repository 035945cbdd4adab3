"""Online applications (docs/intake.md): the public form /apply/, the partner-platform API,
the public status lookup, the anti-abuse rules, the clerk's work list, and the intake rule
that referral and hotline sources carry their reference number."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.services import system_user
from cases import online, selectors, services
from cases.models import (
    Case,
    CaseEvent,
    CaseParty,
    ClaimItem,
    Employer,
    OnlineApplication,
    OnlineApplicationFile,
    Person,
)
from cases.workflow import Status
from tests.factories import OrganizationFactory

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
API = "/api/v1/online-applications/"


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    cache.clear()


def _stamp(age: float = 60) -> str:
    """The signed form timestamp of a form opened `age` seconds ago."""
    return signing.dumps(time.time() - age, salt=online._STAMP_SALT)


def _form(organization: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organization": str(organization.pk),
        "applicant_name": "王小明",
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "address": "北京市大兴区西红门镇1号",
        "employer_name": "北京某某科技有限公司",
        "employer_uscc": "",
        "dispute_type": "PAY",
        "facts": "2024年5月起公司拖欠工资三个月。",
        "claims-TOTAL_FORMS": "5",
        "claims-INITIAL_FORMS": "0",
        "claims-0-claim_type": "WAGE",
        "claims-0-description": "支付拖欠工资",
        "claims-0-amount": "12000",
        "claims-2-claim_type": "CERT",
        "claims-2-description": "出具解除劳动合同证明",
        "pipl_notice": "on",
        "voluntary": "on",
        "truthful": "on",
        "website": "",
        "started": _stamp(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _counts() -> dict[str, int]:
    models = (Case, Person, Employer, CaseParty, ClaimItem, CaseEvent, OnlineApplication, OnlineApplicationFile)
    return {model.__name__: model.objects.count() for model in models}


def _submit(client: Any, organization: Any, address: str = "10.0.0.1", **overrides: Any) -> Any:
    return client.post("/apply/", _form(organization, **overrides), REMOTE_ADDR=address)


def _tracking_code(client: Any, response: Any) -> str:
    assert response.status_code == 302 and response["Location"] == "/apply/done/", response.content[:500]
    page = client.get("/apply/done/")
    match = re.search(r'class="code">([A-Z0-9-]+)<', page.content.decode())
    assert match, page.content.decode()
    return match.group(1)


def _without_csrf(response: Any) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


# --- the public form -------------------------------------------------------------------------------


def test_the_public_form_needs_no_login_and_lists_only_active_centres(client, world):
    OrganizationFactory(code="OLD", name="已撤销的调解中心", active=False)

    response = client.get("/apply/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "大兴区总工会劳动争议调解中心" in html and "西红门镇调解分中心" in html
    assert "已撤销的调解中心" not in html
    assert "我的工作" not in html  # the public base has no staff navigation
    assert 'name="website"' in html and 'name="started"' in html


def test_bad_input_is_refused_field_by_field_and_creates_nothing(client, world):
    before = _counts()

    response = _submit(
        client,
        world.town,
        applicant_name="",
        id_number="110105194912310021",  # wrong check digit
        phone="12345",
        employer_name="",
        employer_uscc="91110000MA01ABCD10",
        dispute_type="",
        facts="",
        **{"claims-0-amount": "1万", "claims-2-amount": "100"},
        pipl_notice=None,
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["applicant_name"] == ["请填写申请人姓名。"]
    assert form.errors["id_number"] == ["居民身份证号码校验位不正确，请核对。"]
    assert "电话号码格式无效" in form.errors["phone"][0]
    assert form.errors["employer_name"] == ["请填写用人单位名称。"]
    assert "统一社会信用代码" in form.errors["employer_uscc"][0]
    assert form.errors["dispute_type"] == ["请选择争议类型。"]
    assert form.errors["facts"] == ["请简要写明事实与理由。"]
    assert form.errors["pipl_notice"] == ["请阅读并勾选此项，否则无法提交申请。"]
    claims = response.context["claims"]
    assert "金额应为不小于0的数字" in claims.forms[0].errors["amount"][0]
    assert claims.forms[2].errors["amount"] == ["非金钱请求（如出具离职证明）不填写金额。"]
    assert "申请信息有误，请按提示修改。" in response.content.decode()
    assert _counts() == before


def test_an_application_without_claims_or_centre_is_refused(client, world):
    before = _counts()

    blank = {"claims-0-claim_type": "", "claims-0-description": "", "claims-0-amount": "", "claims-2-claim_type": ""}
    data = _form(world.town, **blank, **{"claims-2-description": ""})
    data["organization"] = ""
    response = client.post("/apply/", data, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 400
    assert response.context["form"].errors["organization"] == ["请选择受理申请的调解中心。"]
    assert "请至少填写一项请求事项。" in response.content.decode()
    assert _counts() == before


def test_a_good_application_creates_a_draft_in_the_chosen_centre_with_a_tracking_code(client, world):
    response = _submit(client, world.town, evidence_1=SimpleUploadedFile("工资条.png", PNG, content_type="image/png"))
    shown = _tracking_code(client, response)

    application = OnlineApplication.objects.get()
    case = application.case
    assert case.organization == world.town
    assert case.status == Status.DRAFT
    assert (case.source, case.channel) == ("online_platform", "online")
    assert case.source_reference == application.reference and application.reference.startswith("WS")
    assert case.created_by == system_user()
    assert case.facts_summary == "2024年5月起公司拖欠工资三个月。"
    applicant = case.parties.get(side="applicant").person
    assert (applicant.name, applicant.id_number, applicant.phone) == ("王小明", ID_NUMBER, PHONE)
    assert case.parties.get(side="respondent").employer.name == "北京某某科技有限公司"
    assert [(c.claim_type, c.amount) for c in case.claims.order_by("id")] == [("WAGE", 12000), ("CERT", None)]
    assert case.events.get().payload == {"via": "online", "reference": application.reference}
    assert case.history.get().history_user == system_user()
    assert application.consents["pipl_notice"] is True and application.consents["e_service"] is False
    assert application.files.get().original_name == "工资条.png"
    code = shown.replace("-", "")
    assert len(code) == online.TRACKING_LENGTH and set(code) <= set(online.TRACKING_ALPHABET)
    assert code not in application.tracking_code_hash and application.tracking_code_hash != code
    # Shown once: the page is gone on a second visit.
    assert client.get("/apply/done/")["Location"] == "/apply/"


def test_evidence_that_is_not_pdf_jpg_or_png_is_refused(client, world):
    before = _counts()

    response = _submit(
        client, world.town, evidence_2=SimpleUploadedFile("合同.png", b"MZ not an image", content_type="image/png")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["evidence_2"] == ["文件内容与扩展名不符，只能上传 PDF、JPG 或 PNG 文件。"]
    assert _counts() == before


def test_the_honeypot_refuses_and_creates_nothing(client, world):
    before = _counts()

    response = _submit(client, world.town, website="http://spam.example")

    assert response.status_code == 400
    assert "提交未通过校验" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        (lambda: _stamp(age=1), "提交过快"),
        (lambda: "forged", "表单校验未通过"),
        (lambda: _stamp(age=online.FORM_MAX_AGE + 10), "超过24小时"),
    ],
)
def test_a_form_sent_too_fast_forged_or_stale_is_refused(client, world, stamp, message):
    before = _counts()

    response = _submit(client, world.town, started=stamp())

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before


def test_submissions_are_limited_per_address_and_hour(client, world):
    for _i in range(online.SUBMIT_LIMIT):
        assert _submit(client, world.town).status_code == 302
    before = _counts()

    refused = _submit(client, world.town)

    assert refused.status_code == 429
    assert "一小时内最多提交5份申请" in refused.content.decode()
    assert _counts() == before
    assert _submit(client, world.town, address="10.0.0.2").status_code == 302  # another address


# --- status lookup ------------------------------------------------------------------------------------


def _lookup(client: Any, code: str, digits: str, address: str = "10.0.0.9") -> Any:
    return client.post("/apply/status/", {"tracking_code": code, "phone_last4": digits}, REMOTE_ADDR=address)


def test_the_status_answers_with_the_right_code_and_phone_digits_only(client, world, people):
    code = _tracking_code(client, _submit(client, world.district))

    response = _lookup(client, code.lower(), PHONE[-4:])

    assert response.status_code == 200
    html = response.content.decode()
    assert "已收到，待登记" in html and "下一步" in html
    for private in ("王小明", "北京某某科技有限公司", ID_NUMBER, PHONE, "12000"):
        assert private not in html
    case = OnlineApplication.objects.get().case
    services.case_register(case=case, actor=people.clerk)
    assert "审查中" in _lookup(client, code, PHONE[-4:]).content.decode()
    case = services.case_accept(case=case, actor=people.director, mediators=[people.mediator])
    html = _lookup(client, code, PHONE[-4:]).content.decode()
    assert "已受理" in html and case.case_number in html


def test_a_wrong_code_and_a_wrong_phone_get_the_same_answer(client, world):
    code = _tracking_code(client, _submit(client, world.town))
    other = "".join("A" if ch != "A" else "B" for ch in code.replace("-", ""))

    wrong_phone = _lookup(client, code, "0000")
    wrong_code = _lookup(client, other, PHONE[-4:])

    assert wrong_phone.status_code == wrong_code.status_code == 400
    assert "查询码或电话号码后4位不正确" in wrong_phone.content.decode()
    assert _without_csrf(wrong_phone) == _without_csrf(wrong_code)
    assert "已收到" not in wrong_phone.content.decode()


def test_status_lookups_are_limited_per_address_and_per_code(client, world):
    code = _tracking_code(client, _submit(client, world.town))
    for _i in range(online.LOOKUP_FAILURES_PER_CODE):
        assert _lookup(client, code, "0000", address=f"10.1.0.{_i}").status_code == 400

    # Ten wrong guesses at one code: the right digits from a new address are refused too.
    refused = _lookup(client, code, PHONE[-4:], address="10.2.0.1")
    assert refused.status_code == 429 and "查询次数过多" in refused.content.decode()

    cache.clear()
    for _i in range(online.LOOKUP_LIMIT):
        _lookup(client, f"WRONG{_i:07d}", "0000", address="10.3.0.1")
    assert _lookup(client, code, PHONE[-4:], address="10.3.0.1").status_code == 429
    assert _lookup(client, code, PHONE[-4:], address="10.3.0.2").status_code == 200


# --- partner platforms ---------------------------------------------------------------------------------


def _payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "organization": "XHM",
        "platform_reference": "WSPT-2026-0001",
        "applicant": {"name": "李四", "id_number": ID_NUMBER, "phone": PHONE, "address": "北京市大兴区"},
        "employer": {"name": "北京某某物流有限公司", "uscc": ""},
        "dispute_type": "TER",
        "claims": [{"claim_type": "ECON_COMP", "description": "支付经济补偿", "amount": "30000.00"}],
        "facts": "公司违法解除劳动合同。",
        "consents": {"pipl_notice": True, "voluntary": True, "truthful": True, "transfer_court": True},
        "evidence": [{"filename": "解除通知.png", "content_base64": "iVBORw0KGgoAAAAAAAAAAA=="}],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def platform(world: Any) -> tuple[Any, str]:
    return online.platform_client_issue(
        actor=system_user(), name="北京工会网上调解平台", organizations=[world.district]
    )


def _staff_api(user: Any) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _platform_api(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_a_platform_files_a_draft_in_the_centre_it_names(world, platform, client, town_clerk, other_town_clerk):
    response = _platform_api(platform[1]).post(API, _payload(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"tracking_code", "reference", "organization", "status"}
    assert body["organization"] == {"code": "XHM", "name": "西红门镇调解分中心"} and body["status"] == "received"
    application = OnlineApplication.objects.get()
    case = application.case
    assert case.organization == world.town and case.status == Status.DRAFT
    assert (case.source, case.channel, case.source_reference) == ("online_platform", "online", "WSPT-2026-0001")
    assert application.platform == platform[0] and application.consents["transfer_court"] is True
    assert application.files.get().original_name == "解除通知.png"
    sections = {s.title: s.cases for s in selectors.worklist(user=town_clerk)}
    assert sections["网上申请待处理"] == [case]
    assert {s.title: s.cases for s in selectors.worklist(user=other_town_clerk)}["网上申请待处理"] == []
    assert "审查中" not in _lookup(client, body["tracking_code"], PHONE[-4:]).content.decode()
    assert _lookup(client, body["tracking_code"], PHONE[-4:]).status_code == 200


def test_another_platforms_key_no_key_and_a_staff_token_are_refused(world, platform, clerk):
    other_district = OrganizationFactory(code="CY", name="朝阳区调解中心", short_code="京朝工调")
    _other, other_key = online.platform_client_issue(
        actor=system_user(), name="其他平台", organizations=[other_district]
    )
    before = _counts()

    refused = _platform_api(other_key).post(API, _payload(), format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert _platform_api(None).post(API, _payload(), format="json").status_code == 401
    assert _platform_api("plk_not-a-key").post(API, _payload(), format="json").status_code == 401
    assert _staff_api(clerk).post(API, _payload(), format="json").status_code == 401
    assert _counts() == before


def test_a_disabled_platform_key_is_refused(world, platform):
    platform[0].active = False
    platform[0].save()

    assert _platform_api(platform[1]).post(API, _payload(), format="json").status_code == 401


def test_the_platform_api_refuses_bad_input_field_by_field(world, platform):
    before = _counts()
    applicant = {"name": "李四", "id_number": "110105194912310021", "phone": "12", "address": "北京"}
    consents = {"pipl_notice": False, "voluntary": True, "truthful": True}

    response = _platform_api(platform[1]).post(API, _payload(applicant=applicant, consents=consents), format="json")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["applicant.id_number"] == ["居民身份证号码校验位不正确，请核对。"]
    assert "电话号码格式无效" in fields["applicant.phone"][0]
    assert fields["consents.pipl_notice"] == ["请阅读并勾选此项，否则无法提交申请。"]
    bad_file = [{"filename": "a.exe", "content_base64": "TVo="}]
    response = _platform_api(platform[1]).post(API, _payload(evidence=bad_file), format="json")
    assert response.json()["error"]["fields"]["evidence.0"] == ["凭证只能上传 PDF、JPG 或 PNG 文件。"]
    unknown = _platform_api(platform[1]).post(API, _payload(organization="NOPE"), format="json")
    assert unknown.status_code == 400 and "organization" in unknown.json()["error"]["fields"]
    assert _counts() == before


def test_the_same_platform_reference_is_filed_once(world, platform):
    assert _platform_api(platform[1]).post(API, _payload(), format="json").status_code == 201
    before = _counts()

    again = _platform_api(platform[1]).post(API, _payload(), format="json")

    assert again.status_code == 409 and again.json()["error"]["fields"] == {
        "platform_reference": ["该平台编号已提交过。"]
    }
    assert _counts() == before


# --- staff side ------------------------------------------------------------------------------------------


def test_the_clerk_of_that_centre_finds_the_application_on_the_work_list(client, world, town_clerk, other_town_clerk):
    _tracking_code(client, _submit(client, world.town))
    case = OnlineApplication.objects.get().case

    sections = {s.title: s.cases for s in selectors.worklist(user=town_clerk)}
    assert sections["网上申请待处理"] == [case]
    assert case not in sections["待完善登记的草稿"]
    other = {s.title: s.cases for s in selectors.worklist(user=other_town_clerk)}
    assert other["网上申请待处理"] == []

    client.force_login(town_clerk)
    assert "网上申请待处理" in client.get("/").content.decode()


def test_the_case_page_shows_the_declarations_and_serves_the_evidence_in_scope(client, world, clerk, other_town_clerk):
    _tracking_code(client, _submit(client, world.town, evidence_1=SimpleUploadedFile("a.png", PNG)))
    case = OnlineApplication.objects.get().case
    attachment = OnlineApplicationFile.objects.get()

    client.force_login(clerk)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "网上申请" in page and "a.png" in page and "我自愿申请调解。" in page
    download = client.get(f"/cases/{case.pk}/online-files/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    client.force_login(other_town_clerk)
    assert client.get(f"/cases/{case.pk}/online-files/{attachment.pk}/").status_code == 404


# --- the reference number of referral and hotline sources -------------------------------------------------


def test_the_staff_intake_form_requires_the_reference_of_a_hotline_source(client, clerk, world):
    from tests.cases.test_intake import _post_data

    client.force_login(clerk)
    before = _counts()

    response = client.post("/cases/new/", _post_data(world.district, source="hotline_12351"))

    assert response.status_code == 400
    assert response.context["form"].errors["source_reference"] == [
        "案件来源为“12351职工热线”时须填写来源编号（工单号、委派函号或平台编号）。"
    ]
    assert _counts() == before
    ok = client.post("/cases/new/", _post_data(world.district, source="hotline_12351", source_reference="RX2026-1"))
    assert ok.status_code == 302


def test_the_case_api_requires_the_reference_of_a_referral_source(clerk, world):
    from tests.api.conftest import draft_payload

    response = _staff_api(clerk).post("/api/v1/cases/", draft_payload(source="court_prefiling"), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "source_reference": ["案件来源为“法院委派（诉前）”时须填写来源编号（工单号、委派函号或平台编号）。"]
    }
    assert not Case.objects.exists()
    walk_in = _staff_api(clerk).post("/api/v1/cases/", draft_payload(source="walk_in_written"), format="json")
    assert walk_in.status_code == 201


def test_platform_key_command_issues_a_key_that_works(world, capsys):
    from django.core.management import call_command

    call_command("platform_key", "测试平台", "--organization", "DX")

    key = capsys.readouterr().out.split(": ", 1)[1].split()[0]
    response = _platform_api(key).post(API, _payload(), format="json")
    assert response.status_code == 201, response.content
