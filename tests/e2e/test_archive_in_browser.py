"""In Chromium: a clerk generates a document on the case page, archives a closed case from
its archive page, downloads the case file and verifies it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from cases.workflow import Status
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_clerk_archives_a_closed_case_and_downloads_the_case_file(
    browser_page: Any, live_server: Any, case_in: Any, clerk: Any
) -> None:
    case = case_in(Status.CLOSED)
    page = browser_page
    log_in(page, live_server.url, clerk.username)
    assert clerk.username in page.content()

    # the case page offers the archive page; the documents panel generates a document
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.select_option("select[name=document]", "D15:")
    page.click("form.doc-request button")
    page.wait_for_load_state("networkidle")
    assert page.locator("#documents .badge.doc-ready").count() >= 1

    page.goto(f"{live_server.url}/documents/cases/{case.pk}/archive/")
    assert "材料齐全" in page.content()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("form button.primary")
    page.wait_for_selector("text=下载卷宗 PDF")
    assert "档号" in page.content()

    with page.expect_download() as download_info:
        page.click("text=下载卷宗 PDF")
    path = download_info.value.path()
    data = open(path, "rb").read()
    reader = PdfReader(io.BytesIO(data))
    text = "".join(p.extract_text() or "" for p in reader.pages).replace(" ", "")
    assert "劳动争议调解卷宗" in text and "卷内目录" in text

    page.click("text=校验完整性")
    page.wait_for_load_state("networkidle")
    assert "校验通过" in page.content()
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED


def test_the_language_switch_shows_english(browser_page: Any, live_server: Any, clerk: Any) -> None:
    page = browser_page
    log_in(page, live_server.url, clerk.username)
    with page.expect_navigation():
        page.select_option("form.lang select", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Log out" in page.content()
