"""T25: the pages work in a real browser under the Content-Security-Policy. Chromium reports
every refused script, style or handler on the console; none may appear, and the behaviour
that used to be inline (language switch, dashboard bars, reveal form, Swagger UI) still works."""

from __future__ import annotations

from typing import Any

import pytest

from cases import services
from tests.e2e.conftest import browser_page, log_in  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"{page.url}: {m.text[:160]}") if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def test_pages_work_under_the_policy(browser_page: Any, live_server: Any, case_in: Any, director: Any) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    case = case_in("registered")
    person = services.person_get_or_create(actor=director, name="李四", id_number="11010519491231002X")
    services.case_party_add(case=case, actor=director, side="applicant", person=person)
    problems = _watch(page)

    page.goto(base + "/apply/")
    assert page.locator(".public .hp").evaluate("e => getComputedStyle(e).position") == "absolute"  # public.css
    log_in(page, base, "director")
    for path in ("/", "/cases/", f"/cases/{case.pk}/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")

    # the reveal form arrives by htmx and answers in place
    page.goto(f"{base}/cases/{case.pk}/")
    page.locator("a.reveal-link").first.click()
    page.locator(".reveal-form input[name=reason]").fill("核对申请人身份信息以便送达")
    page.locator(".reveal-form button").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("text=11010519491231002X")

    # dashboard bars get their width from static/js/app.js
    page.goto(base + "/reports/")
    page.wait_for_load_state("networkidle")
    bars = page.locator("span.bar[data-bar-width]")
    if bars.count():
        widths = bars.evaluate_all("bs => bs.map(b => b.style.width)")
        assert all(w.endswith("%") for w in widths), widths

    # the language switch submits itself
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"

    # Swagger UI starts from a script file
    page.goto(base + "/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)

    assert problems == []
