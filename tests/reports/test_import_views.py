"""The register import in the browser (upload, preview, confirm, progress) and in the API
(POST /api/v1/imports/): reports.views, reports.apis.RegisterImportApi, reports.tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from cases.models import Case, CaseEvent, CaseParty
from reports import tasks
from reports.imports import MAX_FILE_BYTES
from tests.api.conftest import api as api_client
from tests.api.conftest import assert_error
from tests.factories import MembershipFactory, UserFactory
from tests.reports.fixtures.registers import HEADERS, row, to_csv, to_xlsx

GOOD_ROWS = [
    row(申请人="王小明"),
    row(申请人="李四", 申请人身份证号="", 申请人电话="", 被申请人="北京李记餐饮有限公司", 统一社会信用代码=""),
]
BAD_ROW = row(申请人="赵六", 申请人身份证号="", 申请人电话="", 请求金额="一万元")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

#: api(user) -> a client that sends the user's token (tests/api/conftest.py).
api = api_client


def _file(content: bytes, name: str = "台账2018.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _upload(client: Client, content: bytes, name: str = "台账2018.xlsx", organization: str = "DX") -> Any:
    return client.post("/reports/import/", {"organization": organization, "file": _file(content, name)})


def _token(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    location = response["Location"]
    assert location.startswith("/reports/import/")
    return location.rstrip("/").rsplit("/", 1)[-1]


def _stored_files() -> list[Path]:
    directory = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(directory.iterdir()) if directory.is_dir() else []


def _uploads() -> list[Path]:
    return [p for p in _stored_files() if p.suffix == ".upload"]


def _nothing_imported() -> None:
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0
    assert Case.history.count() == 0


@pytest.fixture
def town_director(world: Any) -> User:
    user = UserFactory(username="town_director", full_name="town_director")
    MembershipFactory(user=user, role="director", organization=world.town)
    return user


# --- the page -------------------------------------------------------------------------------------


def test_the_upload_page_offers_the_organisations_the_director_imports_into(client, world, director):
    response = _login(client, director).get("/reports/import/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "导入案件台账" in html and 'enctype="multipart/form-data"' in html
    for org in (world.district, world.town, world.other_town):
        assert f'value="{org.code}"' in html


def test_the_preview_shows_the_errors_and_creates_nothing(client, world, director):
    response = _upload(_login(client, director), to_xlsx([*GOOD_ROWS, BAD_ROW]))
    token = _token(response)

    page = client.get(f"/reports/import/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "预览（试运行，未写入任何数据）" in html
    assert "金额应为不小于0的数字" in html  # the message of row 4, column 请求金额
    assert '<td class="num">4</td><td>请求金额</td>' in html
    report = page.context["report"]
    assert (report["rows"], report["created"], report["duplicates"], report["invalid_rows"]) == (3, 2, 0, 1)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(4, "请求金额")]
    # the first rows that would be created, as the file shows them
    assert [number for number, _cells in page.context["preview"]["preview"]["rows"]] == [2, 3]
    assert "北京李记餐饮有限公司" in html
    # ID numbers and phones are masked there, as on every page
    assert "110105199001010117" not in html and "110***********0117" in html
    assert "13800138000" not in html and "138****8000" in html
    assert "确认导入" in html and "跳过错误行" in html
    _nothing_imported()
    assert len(_uploads()) == 1  # kept privately for the confirmation
    assert "/media/" not in html and str(settings.MEDIA_ROOT) not in html


def test_confirm_imports_the_previewed_file(client, world, director):
    token = _token(_upload(_login(client, director), to_xlsx(GOOD_ROWS)))
    assert Case.objects.count() == 0

    response = client.post(f"/reports/import/{token}/confirm/")

    assert response.status_code == 302 and response["Location"] == f"/reports/import/{token}/"
    assert Case.objects.filter(organization=world.district).count() == 2
    note = CaseEvent.objects.filter(name="import").first()
    assert note.actor == director and note.payload["file"] == "台账2018.xlsx"
    page = client.get(f"/reports/import/{token}/")
    assert page.context["result"]["created"] == 2 and not page.context["may_confirm"]
    assert "已导入 2 件案件" in page.content.decode()
    assert _uploads() == []  # imported: the upload is gone

    # a second confirmation (double click, replay) imports nothing
    again = client.post(f"/reports/import/{token}/confirm/")
    assert again.status_code == 302
    assert Case.objects.count() == 2


def test_confirm_with_errors_imports_nothing_unless_bad_rows_are_skipped(client, world, director):
    token = _token(_upload(_login(client, director), to_xlsx([*GOOD_ROWS, BAD_ROW])))

    client.post(f"/reports/import/{token}/confirm/")
    _nothing_imported()
    page = client.get(f"/reports/import/{token}/")
    assert page.context["result"]["created"] == 0 and page.context["may_confirm"]
    assert "整个文件均未导入" in page.content.decode()

    client.post(f"/reports/import/{token}/confirm/", {"skip_invalid": "on"})
    applicants = CaseParty.objects.filter(side="applicant").select_related("person")
    assert Case.objects.count() == 2 and sorted(p.person.name for p in applicants) == ["李四", "王小明"]


def test_reimporting_the_same_file_creates_nothing(client, world, director):
    _login(client, director)
    first = _token(_upload(client, to_csv(GOOD_ROWS), "台账.csv"))
    client.post(f"/reports/import/{first}/confirm/")
    assert Case.objects.count() == 2

    second = _token(_upload(client, to_csv(GOOD_ROWS), "台账.csv"))
    report = client.get(f"/reports/import/{second}/").context["report"]

    assert (report["created"], report["duplicates"]) == (0, 2)
    assert not client.get(f"/reports/import/{second}/").context["may_confirm"]


@pytest.mark.parametrize("persona", ["clerk", "mediator", "auditor", "liaison", "town_clerk"])
def test_other_roles_get_403_and_nothing_is_stored(client, world, persona, request):
    user = request.getfixturevalue(persona)
    _login(client, user)

    assert client.get("/reports/import/").status_code == 403
    assert _upload(client, to_xlsx(GOOD_ROWS)).status_code == 403
    _nothing_imported()
    assert _stored_files() == []


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get("/reports/import/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("code", ["JG", "DX", "NOPE"])
def test_a_town_director_cannot_import_into_another_organisation(client, world, town_director, code):
    response = _upload(_login(client, town_director), to_xlsx(GOOD_ROWS), organization=code)

    assert response.status_code == 404
    _nothing_imported()
    assert _stored_files() == []


def test_a_town_director_imports_into_their_town(client, world, town_director):
    token = _token(_upload(_login(client, town_director), to_xlsx(GOOD_ROWS), organization="XHM"))
    client.post(f"/reports/import/{token}/confirm/")
    assert set(Case.objects.values_list("organization__code", flat=True)) == {"XHM"}


def test_another_users_token_is_a_404(client, world, director, town_director):
    token = _token(_upload(_login(client, director), to_xlsx(GOOD_ROWS)))
    other = Client()
    _login(other, town_director)

    assert other.get(f"/reports/import/{token}/").status_code == 404
    assert other.get(f"/reports/import/{token}/progress/").status_code == 404
    assert other.post(f"/reports/import/{token}/confirm/").status_code == 404
    _nothing_imported()
    assert client.get("/reports/import/not-a-token/").status_code == 404


# --- bad files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PNG, "台账.xlsx", "文件内容不是 .xlsx 表格"),  # a picture renamed to .xlsx
        (to_xlsx(GOOD_ROWS), "台账.csv", "文件内容是 Excel 表格而不是 CSV"),  # an .xlsx renamed to .csv
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "台账.xls", "不支持旧版 .xls 文件"),
        (b"%PDF-1.7\n", "台账.pdf", "只能导入 .xlsx 或 .csv 文件"),
        ("登记日期,申请人\n".encode("utf-16"), "台账.csv", "无法识别文件编码"),
        (b"", "台账.csv", "空文件"),
    ],
)
def test_a_file_that_is_not_a_register_is_refused_and_changes_nothing(client, world, director, content, name, message):
    response = _upload(_login(client, director), content, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    _nothing_imported()
    assert _stored_files() == []


def test_a_file_over_20_mb_is_refused_with_413(client, world, director):
    content = b"a" * (MAX_FILE_BYTES + 1)

    response = _upload(_login(client, director), content, "台账.csv")

    assert response.status_code == 413
    assert "文件超过20MB" in response.content.decode()
    _nothing_imported()
    assert _stored_files() == []


def test_missing_required_columns_are_reported_and_nothing_can_be_confirmed(client, world, director):
    headers = [h for h in HEADERS if h != "被申请人"]
    token = _token(_upload(_login(client, director), to_csv(GOOD_ROWS, headers=headers), "台账.csv"))

    page = client.get(f"/reports/import/{token}/")

    assert "缺少必填列" in page.content.decode()
    assert [(e["row"], e["column"]) for e in page.context["report"]["errors"]] == [(1, "被申请人")]
    assert not page.context["may_confirm"] and "确认导入" not in page.content.decode()
    assert client.post(f"/reports/import/{token}/confirm/").status_code == 302
    _nothing_imported()


def test_a_damaged_xlsx_gives_a_message_not_a_500(client, world, director):
    token = _token(_upload(_login(client, director), b"PK\x03\x04" + b"garbage" * 20))

    page = client.get(f"/reports/import/{token}/")

    assert page.status_code == 200
    assert "无法读取该 Excel 文件" in page.content.decode()
    assert not page.context["may_confirm"]
    _nothing_imported()


def test_a_file_changed_after_the_preview_is_not_imported(client, world, director):
    token = _token(_upload(_login(client, director), to_xlsx(GOOD_ROWS)))
    (stored,) = _uploads()
    stored.write_bytes(to_xlsx([*GOOD_ROWS, row(申请人="孙八", 申请人身份证号="", 申请人电话="")]))

    response = client.post(f"/reports/import/{token}/confirm/", follow=True)

    assert "上传的文件已被改动" in response.content.decode()
    _nothing_imported()


def test_an_internal_error_of_the_import_is_a_message_not_a_500(client, world, director, monkeypatch):
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr("reports.imports.case_import", broken)
    token = _token(_upload(_login(client, director), to_xlsx(GOOD_ROWS)))

    page = client.get(f"/reports/import/{token}/")

    assert page.status_code == 200 and "导入时发生内部错误" in page.content.decode()
    _nothing_imported()


# --- progress ------------------------------------------------------------------------------------------


def test_a_run_under_way_shows_a_progress_bar_polled_by_htmx(client, world, director, monkeypatch):
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.import_register_task, "delay", lambda **kwargs: queued.append(kwargs))
    token = _token(_upload(_login(client, director), to_xlsx(GOOD_ROWS)))

    page = client.get(f"/reports/import/{token}/")
    html = page.content.decode()
    assert f'hx-get="/reports/import/{token}/progress/"' in html and "正在检查文件" in html
    assert "确认导入" not in html

    tasks._job_update(token, tasks.PREVIEW, queued[0]["run"], state=tasks.RUNNING, done=500, total=2000)
    partial = client.get(f"/reports/import/{token}/progress/")
    assert partial.status_code == 200 and 'value="25"' in partial.content.decode()
    assert "HX-Refresh" not in partial

    tasks.import_register_task.run(**queued[0])  # the worker finishes it
    done = client.get(f"/reports/import/{token}/progress/")
    assert done["HX-Refresh"] == "true"
    assert client.get(f"/reports/import/{token}/").context["report"]["created"] == 2


def test_the_task_does_not_repeat_a_finished_run(client, world, director):
    token = _token(_upload(_login(client, director), to_xlsx(GOOD_ROWS)))
    entry = client.session["register_imports"][token]
    run = tasks.job_start(token, tasks.IMPORT)
    kwargs = {
        "token": token,
        "run": run,
        "actor_id": director.pk,
        "organization_id": entry["organization_id"],
        "file_name": entry["file_name"],
        "sha256": entry["sha256"],
        "dry_run": False,
        "skip_invalid": False,
    }
    assert tasks.import_register_task.run(**kwargs) == tasks.DONE
    events = CaseEvent.objects.count()

    assert tasks.import_register_task.run(**kwargs) == tasks.DONE  # redelivered
    assert Case.objects.count() == 2 and CaseEvent.objects.count() == events
    assert tasks.job_get(token, tasks.IMPORT)["report"]["created"] == 2


# --- the API ---------------------------------------------------------------------------------------------


def _post(client: Any, content: bytes, name: str = "台账.xlsx", **fields: Any) -> Any:
    data = {"organization": "DX", "file": _file(content, name), **fields}
    return client.post("/api/v1/imports/", data, format="multipart")


def test_the_api_dry_run_is_the_default_and_writes_nothing(api, world, director):
    response = _post(api(director), to_xlsx([*GOOD_ROWS, BAD_ROW]), skip_invalid="true")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True
    assert (body["rows"], body["created"], body["duplicates"]) == (3, 2, 0)
    assert body["errors"] == [{"row": 4, "column": "请求金额", "message": body["errors"][0]["message"]}]
    assert "金额" in body["errors"][0]["message"]
    _nothing_imported()


def test_the_api_imports_with_dry_run_false(api, world, director):
    client = api(director)

    refused = _post(client, to_xlsx([*GOOD_ROWS, BAD_ROW]), dry_run="false")
    assert refused.status_code == 200 and refused.json()["created"] == 0 and refused.json()["errors"]
    _nothing_imported()

    response = _post(client, to_xlsx(GOOD_ROWS), dry_run="false")
    assert response.status_code == 200
    assert response.json()["dry_run"] is False and response.json()["created"] == 2
    assert Case.objects.filter(organization=world.district).count() == 2

    again = _post(client, to_xlsx(GOOD_ROWS), dry_run="false")
    assert (again.json()["created"], again.json()["duplicates"]) == (0, 2)
    assert Case.objects.count() == 2


@pytest.mark.parametrize("persona", ["clerk", "mediator", "auditor", "town_clerk"])
def test_the_api_refuses_non_directors_with_403(api, world, persona, request):
    response = _post(api(request.getfixturevalue(persona)), to_xlsx(GOOD_ROWS), dry_run="false")

    assert_error(response, 403, "forbidden")
    _nothing_imported()


def test_the_api_answers_404_outside_the_directors_scope(api, world, town_director):
    response = _post(api(town_director), to_xlsx(GOOD_ROWS), organization="JG", dry_run="false")

    assert_error(response, 404, "not_found")
    _nothing_imported()


def test_the_api_refuses_bad_input_with_400(api, world, director):
    client = api(director)

    missing = client.post("/api/v1/imports/", {"organization": "DX"}, format="multipart")
    assert "file" in assert_error(missing, 400, "invalid")["fields"]

    renamed = _post(client, PNG, "台账.xlsx", dry_run="false")
    error = assert_error(renamed, 400, "invalid")
    assert "不是 .xlsx" in error["message"] and error["fields"]["file"]

    damaged = _post(client, b"PK\x03\x04" + b"garbage" * 20, dry_run="false")
    assert "无法读取该 Excel 文件" in assert_error(damaged, 400, "invalid")["message"]

    json_body = client.post("/api/v1/imports/", {"organization": "DX", "file": "x"}, format="json")
    assert_error(json_body, 400, "invalid")
    a_list = client.post("/api/v1/imports/", [1, 2], format="json")
    assert_error(a_list, 400, "invalid")
    _nothing_imported()


def test_the_api_answers_413_above_20_mb(api, world, director):
    response = _post(api(director), b"a" * (MAX_FILE_BYTES + 1), "台账.csv", dry_run="false")

    error = assert_error(response, 413, "request_too_large")
    assert "20MB" in error["message"]
    _nothing_imported()


def test_the_import_is_in_the_schema(api, world, director):
    schema = api(None).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/imports/"]["post"]

    assert set(operation["requestBody"]["content"]) == {"multipart/form-data"}
    assert {"200", "400", "401", "403", "413", "default"} <= set(operation["responses"])


def test_an_organisation_in_scope_without_the_director_role_is_a_403(client, api, world, town_director):
    MembershipFactory(user=town_director, role="clerk", organization=world.district)

    page = _upload(_login(client, town_director), to_xlsx(GOOD_ROWS), organization="JG")
    assert page.status_code == 403 and "中心主任" in page.content.decode()
    assert_error(_post(api(town_director), to_xlsx(GOOD_ROWS), organization="JG"), 403, "forbidden")
    _nothing_imported()
    assert _stored_files() == []
