"""The online application in Chromium, through the real pages only (ISSUE #11, "done when"):

a worker applies at /apply/ without logging in and gets a tracking code; the clerk of the town
the worker chose (西红门镇) finds the draft on the work list under 网上申请待处理 and registers
it; the director accepts it, the accept form suggesting the duty lawyer of the town's zone, who
is chosen; the worker looks the case up with the code and the last four digits of the phone and
sees 已受理 and the next step, and nothing about either party.

The zone, the law firm and the duty roster are set up by the test (tests/lawyer_helpers.py).
The form's minimum fill time is set to zero: the browser fills the form faster than a person,
and the check itself is covered in tests/cases/test_online_intake.py.

Screenshots go to $E2E_ARTIFACTS (default: the test's tmp_path / "screenshots").
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import LawyerSuggestion
from cases import online
from cases.models import Case, OnlineApplication
from cases.workflow import Status
from tests.e2e.test_journey import Journey
from tests.lawyer_helpers import make_firm, make_lawyer, make_zone, on_duty

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = "刘春生"
ID_NUMBER = "11010519491231002X"
PHONE = "13911112468"
ADDRESS = "北京市大兴区西红门镇宏福路8号院"
EMPLOYER = "北京宏福物流配送有限公司"
FACTS = "2025年3月入职，担任配送员，公司自2025年10月起拖欠工资三个月。"


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("E2E_ARTIFACTS") or tmp_path / "screenshots") / "online"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def duty_lawyer(world: Any) -> Any:
    """The west zone (the town 西红门镇) with a lawyer of a contracted firm on duty today."""
    lawyer = make_lawyer("lawyer_sun", make_firm("北京市中和律师事务所"), world.district)
    on_duty(make_zone(world.district, "西片区", towns=[world.town]), lawyer, timezone.localdate())
    return lawyer


def _status_lookup(j: Journey, code: str, last4: str) -> str:
    j.goto("/apply/status/")
    j.page.fill("input[name=tracking_code]", code)
    j.page.fill("input[name=phone_last4]", last4)
    with j.page.expect_navigation(wait_until="load"):
        j.page.locator("form button.primary").click()
    return j.page.locator("main").inner_text() if j.page.locator("main").count() else j.page.inner_text("body")


def test_a_worker_applies_online_and_sees_the_case_accepted(
    browser_page: Any,
    live_server: Any,
    shots_dir: Path,
    world: Any,
    town_clerk: Any,
    other_town_clerk: Any,
    director: Any,
    duty_lawyer: Any,
    monkeypatch: Any,
) -> None:
    cache.clear()  # the per-address counters of /apply/
    monkeypatch.setattr(online, "MIN_FILL_SECONDS", 0)
    page = browser_page
    j = Journey(page, live_server.url, shots_dir)

    # 1. The worker applies at /apply/, without logging in.
    j.goto("/apply/")
    assert page.locator("form[action$='/logout/']").count() == 0
    page.select_option("select[name=organization]", label=world.town.name)
    page.fill("input[name=applicant_name]", WORKER)
    page.fill("input[name=id_number]", ID_NUMBER)
    page.fill("input[name=phone]", PHONE)
    page.fill("input[name=address]", ADDRESS)
    page.fill("input[name=employer_name]", EMPLOYER)
    page.select_option("select[name=dispute_type]", "PAY")
    page.select_option("select[name=claims-0-claim_type]", "WAGE")
    page.fill("input[name=claims-0-description]", "支付2025年10月至12月拖欠工资")
    page.fill("input[name=claims-0-amount]", "21000")
    page.fill("textarea[name=facts]", FACTS)
    for consent in ("pipl_notice", "voluntary", "truthful", "e_service"):
        page.check(f"input[name={consent}]")
    j.shot("apply_form")
    j.submit(page.get_by_role("button", name="提交申请"))
    assert page.url.endswith("/apply/done/"), page.url
    code = page.locator("p.code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
    j.shot("tracking_code")
    application = OnlineApplication.objects.select_related("case").get()
    case = application.case
    assert (case.status, case.organization) == (Status.DRAFT, world.town)
    case_url = f"/cases/{case.pk}/"

    # Right after applying, the lookup answers 已收到，待登记.
    answer = _status_lookup(j, code, PHONE[-4:])
    assert "已收到，待登记" in answer, answer

    # 2. The clerk of 西红门镇 finds the draft on the work list and registers it.
    j.log_in_as(town_clerk.username)
    section = page.locator("section.card", has=page.locator("h2", has_text="网上申请待处理"))
    assert section.locator(f"a[href='{case_url}']").count() == 1
    j.shot("work_list")
    j.submit(section.locator(f"a[href='{case_url}']"))
    assert j.status() == Status.DRAFT.label
    assert page.get_by_text(application.reference).count() >= 1  # the 网上申请 panel
    j.action("登记")
    j.confirm()
    assert j.status() == Status.REGISTERED.label, j.status()
    j.shot("registered")

    # The clerk of 旧宫镇 has no such draft on the work list.
    j.log_in_as(other_town_clerk.username)
    assert page.locator(f"a[href='{case_url}']").count() == 0

    # 3. The director accepts it: the form suggests the zone's duty lawyer, who is chosen.
    j.log_in_as(director.username)
    j.goto(case_url)
    j.action("受理")
    assert page.get_by_text("值班律师（片区：西片区）：lawyer_sun").count() >= 1
    assert page.locator("select[name=lead_mediator]").input_value() == str(duty_lawyer.pk)
    page.fill("textarea[name=note]", "属于劳动争议，材料齐全，予以受理。")
    j.shot("accept_form")
    j.confirm()
    assert j.status() == Status.ACCEPTED.label, j.status()
    j.shot("accepted")
    case = Case.objects.get(pk=case.pk)
    suggestion = LawyerSuggestion.objects.get(case=case)
    assert (suggestion.suggested_lawyer, suggestion.suggestion_taken) == (duty_lawyer, True)

    # 4. The worker looks the case up: 已受理, the case number and the next step, no party data.
    log_out = page.locator("form[action$='/logout/'] button")
    j.submit(log_out)
    answer = _status_lookup(j, code.lower().replace("-", " "), PHONE[-4:])
    j.shot("status_accepted")
    assert "已受理" in answer and case.case_number in answer, answer
    assert "下一步：调解员将与您联系，约定调解的时间和地点。" in answer, answer
    html = page.content()
    for private in (WORKER, ID_NUMBER, PHONE, ADDRESS, EMPLOYER, "21000", "lawyer_sun", FACTS):
        assert private not in html, private

    # A wrong phone gets the same refusal as a wrong code.
    wrong_phone = _status_lookup(j, code, "0000")
    wrong_code = _status_lookup(j, "ABCD-EFGH-JKMN", PHONE[-4:])
    assert "已受理" not in wrong_phone
    assert "查询码或电话号码后4位不正确" in wrong_phone and "查询码或电话号码后4位不正确" in wrong_code
