"""The whole journey of a case in Chromium, through the real forms only (ISSUE #6):

a clerk registers an application through the intake form; the director accepts it; the
mediator logs a session (attendance, transcript), drafts and signs the agreement (the director
approves the seal), makes it effective and records the payment; the case is `performed`; the
auditor finds each of these steps in the history browser; the clerk of another town gets the
404 page for the case's URL.

A full-page screenshot of each step is saved into $E2E_ARTIFACTS (default: the test's
tmp_path / "screenshots") as 01_intake.png, 02_registered.png, ...

Only the people and the organisations come from fixtures. The session is scheduled through
the form starting ten minutes ago: the session form and the services accept a past start, and
nothing in the transcript rules depends on the session having started.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Case
from cases.workflow import Status
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT = "张小明"
RESPONDENT = "北京兴业精密机械有限公司"
CLAIM = "支付2025年10月至12月拖欠工资"
AMOUNT = "18000"

#: The steps the auditor must find in the history browser, as the page renders them.
TRANSITION_LABELS = ("登记", "受理", "开始调解", "拟定调解协议", "协议生效", "确认履行完毕")
#: Data changes the auditor must find created (新增): the session, the agreement and the payment.
CHANGE_OBJECTS = ("调解会议 #", "调解协议 #", "履行凭证 #")


class Journey:
    """The browser page, the live server's address and the screenshot folder."""

    def __init__(self, page: Any, base: str, shots: Path) -> None:
        self.page = page
        self.base = base
        self.shots = shots
        self.count = 0

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.shots / f"{self.count:02d}_{name}.png"), full_page=True)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")

    def submit(self, locator: Any) -> None:
        """Click a submit button (or a link) and wait for the page it leads to; fail with the
        page's error messages if the server refused the form."""
        with self.page.expect_navigation(wait_until="load"):
            locator.click()
        errors = self.page.locator(".flash.error, .error-text, .flash.warning .blockers")
        if errors.count():
            texts = " | ".join(t.strip() for t in errors.all_inner_texts())
            raise AssertionError(f"{self.page.url}: {texts}")

    def log_in_as(self, username: str) -> None:
        logout = self.page.locator("form[action$='/logout/'] button")
        if logout.count():
            self.submit(logout)
        log_in(self.page, self.base, username)
        assert username in self.page.content()

    def action(self, label: str) -> None:
        """Follow an action button of the case page."""
        self.submit(self.page.locator("section.actions").get_by_role("link", name=label, exact=True))

    def confirm(self) -> None:
        """Press the primary button of a confirmation page."""
        self.submit(self.page.locator(".form-card form button.primary"))

    def status(self) -> str:
        return self.page.locator(".case-head .badge.big").inner_text().strip()


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("E2E_ARTIFACTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_case_from_intake_to_performed_in_the_browser(
    browser_page: Any,
    live_server: Any,
    shots_dir: Path,
    world: Any,
    clerk: Any,
    director: Any,
    mediator: Any,
    auditor: Any,
    town_clerk: Any,
    other_town_clerk: Any,
) -> None:
    page = browser_page
    j = Journey(page, live_server.url, shots_dir)

    # 1. The clerk (district) types in the application, filed under 西红门镇, and saves the draft.
    j.log_in_as(clerk.username)
    j.goto("/cases/new/")
    page.select_option("select[name=organization]", label=world.town.name)
    page.select_option("select[name=dispute_type]", "PAY")
    page.fill("textarea[name=facts_summary]", "申请人在被申请人处工作，被申请人拖欠三个月工资。")
    page.fill("input[name=applicants-0-name]", APPLICANT)
    page.fill("input[name=respondent-name]", RESPONDENT)
    page.fill("input[name=respondent-legal_rep_name]", "王建国")
    page.select_option("select[name=claims-0-claim_type]", "WAGE")
    page.fill("input[name=claims-0-description]", CLAIM)
    page.fill("input[name=claims-0-amount]", AMOUNT)
    j.shot("intake")
    j.submit(page.locator("form.intake button[type=submit]"))
    match = re.search(r"/cases/(\d+)/$", page.url)
    assert match, page.url
    case_id = int(match.group(1))
    case_url = f"/cases/{case_id}/"
    assert j.status() == Status.DRAFT.label

    # 2. ... and registers it.
    j.action("登记")
    j.confirm()
    assert j.status() == Status.REGISTERED.label, j.status()
    j.shot("registered")

    # 3. The director accepts it with the mediator as lead.
    j.log_in_as(director.username)
    j.goto(case_url)
    j.action("受理")
    page.select_option("select[name=lead_mediator]", str(mediator.pk))
    page.fill("textarea[name=note]", "属于劳动争议，材料齐全，予以受理。")
    j.confirm()
    assert j.status() == Status.ACCEPTED.label, j.status()
    j.shot("accepted")

    # 4. The mediator logs the session that started ten minutes ago.
    j.log_in_as(mediator.username)
    j.goto(case_url)
    j.submit(page.locator("#mediation-sessions").get_by_role("link", name="安排调解"))
    now = timezone.localtime()
    page.fill("input[name=starts_at]", (now - dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (now + dt.timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "西红门镇调解分中心第一调解室")
    assert page.locator(f"input[name=mediators][value='{mediator.pk}']").is_checked()
    j.confirm()
    assert j.status() == Status.IN_MEDIATION.label, j.status()
    j.shot("session_scheduled")

    # 5. Attendance, signatures on the transcript, the transcript read back and completed.
    j.submit(page.locator("#mediation-sessions table a").first)
    for party in (f"申请人 {APPLICANT}", f"被申请人 {RESPONDENT}"):
        page.select_option("select[name=attendance-party]", label=party)
        capacity = "applicant" if party.startswith("申请人") else "respondent"
        page.select_option("select[name=attendance-capacity]", capacity)
        page.check("input[name=attendance-identity_checked]")
        j.submit(page.locator("#attendance form.row-form button[type=submit]"))
    for name in (APPLICANT, RESPONDENT):
        row = page.locator("#attendance tr", has_text=name)
        j.submit(row.get_by_role("button", name="已签名"))
    page.fill("textarea[name=transcript-rights_notice]", "已告知双方当事人在调解中的权利和义务，双方表示清楚。")
    page.fill("textarea[name=transcript-result]", "双方同意由被申请人一次性支付拖欠工资18000元。")
    j.submit(page.locator("#transcript").get_by_role("button", name="保存笔录"))
    j.submit(page.locator("#transcript").get_by_role("button", name="确认已宣读"))
    j.submit(page.locator("#transcript").get_by_role("button", name="完成笔录"))
    assert page.locator(".case-head .badge.big").inner_text().strip() == "已举行"
    j.shot("session_held")

    # 6. The mediator drafts the agreement (one obligation per claim) and sets its due date.
    j.goto(case_url)
    j.action("拟定调解协议")
    j.confirm()
    assert "/agreement/" in page.url
    due_form = page.locator("#obligations form.due-form").first
    due_form.locator("input[type=date]").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    j.submit(due_form.get_by_role("button", name="保存"))
    page.fill(
        "textarea[name=terms-terms]", "被申请人于七日内向申请人支付拖欠工资18000元。\n\n双方就本争议再无其他争议。"
    )
    j.submit(page.locator("#terms").get_by_role("button", name="保存条款"))
    j.shot("agreement_drafted")

    # 7. Both parties sign in person; the mediator signs.
    for party in (f"申请人 {APPLICANT}", f"被申请人 {RESPONDENT}"):
        page.select_option("select[name=signature-party]", label=party)
        j.submit(page.locator("#signatures").get_by_role("button", name="记录签名"))
    j.submit(page.locator("#signatures").get_by_role("button", name="调解员签名"))
    j.shot("agreement_signed")

    # 8. The director approves the seal.
    j.log_in_as(director.username)
    j.goto(f"/mediation/cases/{case_id}/agreement/")
    j.submit(page.locator("#signatures").get_by_role("button", name="加盖印章"))
    assert page.locator(".blockers-card").get_by_text("协议已具备生效条件").count() == 1
    j.shot("agreement_sealed")

    # 9. The mediator makes it effective.
    j.log_in_as(mediator.username)
    j.goto(case_url)
    j.action("协议生效")
    j.confirm()
    assert j.status() == Status.AGREEMENT_EFFECTIVE.label, j.status()
    j.shot("agreement_effective")

    # 10. The payment, recorded through the payment form.
    j.submit(page.locator("#mediation-performance").get_by_role("link", name="登记付款"))
    page.fill("input[name=amount]", AMOUNT)
    page.select_option("select[name=method]", "bank_transfer")
    page.fill("input[name=note]", "银行转账，已核对回单。")
    j.confirm()
    assert page.locator("#mediation-performance").get_by_text("已付清").count() == 1
    j.shot("payment_recorded")

    # 11. Performance confirmed: the case is performed.
    j.action("确认履行完毕")
    j.confirm()
    assert j.status() == Status.PERFORMED.label, j.status()
    j.shot("performed")
    assert Case.objects.get(pk=case_id).status == Status.PERFORMED

    # 12. The auditor browses the case's history.
    j.log_in_as(auditor.username)
    j.goto(f"/cases/history/?case={case_id}")
    assert page.locator("table.history tbody tr").count() > 1
    j.shot("history")
    # the transitions, filtered with the page's own form
    page.select_option("form.filters select[name=kind]", "transition")
    j.submit(page.locator("form.filters button.primary"))
    actions = [t.strip() for t in page.locator("table.history tbody tr td:nth-child(5)").all_inner_texts()]
    for label in TRANSITION_LABELS:
        assert f"状态变更 {label}" in actions, (label, actions)
    j.shot("history_transitions")
    # the data changes: the session, the agreement and the payment, page after page
    page.select_option("form.filters select[name=kind]", "change")
    j.submit(page.locator("form.filters button.primary"))
    rows = _history_rows(j)
    for name in CHANGE_OBJECTS:
        assert any(obj.startswith(name) and action == "数据修改 新增" for obj, action in rows), (name, rows)
    j.shot("history_changes")

    # 13. The clerk of 西红门镇 opens the case; the clerk of 旧宫镇 gets the 404 page.
    j.log_in_as(town_clerk.username)
    j.goto(case_url)
    assert j.status() == Status.PERFORMED.label
    j.log_in_as(other_town_clerk.username)
    response = page.goto(live_server.url + case_url)
    assert response is not None and response.status == 404
    assert "找不到该页面或案件" in page.content()
    assert RESPONDENT not in page.content()
    j.shot("other_town_404")


def _history_rows(j: Journey, max_pages: int = 20) -> list[tuple[str, str]]:
    """(object, action) of every row of the history browser, following 下一页."""
    rows: list[tuple[str, str]] = []
    for _page in range(max_pages):
        for tr in j.page.locator("table.history tbody tr").all():
            cells = [c.strip() for c in tr.locator("td").all_inner_texts()]
            if len(cells) >= 5:
                rows.append((cells[3], cells[4]))
        following = j.page.locator(".pager").get_by_role("link", name="下一页")
        if not following.count():
            break
        j.submit(following)
    return rows
