"""Issue #8 "done when": a district statistician imports last year's register for two towns,
reads the annual report on the dashboard and in XLSX, and a town submits its files up and
the district accepts them — through the pages, with django's test client.

The town's imported closed cases are archived through documents.archive (the archive build
renders the file's documents from the imported data), then submitted as last year's annual
report (年报)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from cases.models import Case
from cases.workflow import Status
from documents.archive import archive_blockers, archive_build, archive_request
from documents.models import VolumeStatus
from reports.bench.registers import row, to_csv
from reports.models import FileVerdict, ReportSubmission, SubmissionStatus
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1


def _day(month: int, day: int) -> str:
    return dt.date(YEAR, month, day).isoformat()


def _register_rows(prefix: str, specs: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [
        row(申请人身份证号="", 申请人电话="", 统一社会信用代码="", 被申请人=f"{prefix}第{i}商贸有限公司", **spec)
        for i, spec in enumerate(specs, start=1)
    ]


#: Last year's registers of the two towns, and their known totals.
XHM_ROWS = _register_rows(
    "西红门",
    [
        {"登记日期": _day(2, 10), "受理日期": _day(2, 11), "申请人": "张三", "涉及职工人数": "1", "争议类型": "劳动报酬",
         "请求金额": "10000", "处理结果": "调解成功", "协议金额": "8000", "挽回金额": "8000", "结案日期": _day(2, 20)},
        {"登记日期": _day(5, 6), "受理日期": _day(5, 7), "申请人": "李四、王五", "涉及职工人数": "2",
         "争议类型": "解除终止劳动合同", "请求金额": "20000.50", "处理结果": "调解不成", "协议金额": "",
         "挽回金额": "", "结案日期": _day(5, 30)},
        {"登记日期": _day(9, 1), "受理日期": "", "申请人": "赵六", "涉及职工人数": "1", "争议类型": "劳动报酬",
         "请求金额": "3000", "处理结果": "不予受理", "协议金额": "", "挽回金额": "", "结案日期": ""},
    ],
)  # fmt: skip
JG_ROWS = _register_rows(
    "旧宫",
    [
        {"登记日期": _day(3, 3), "受理日期": _day(3, 4), "申请人": "孙七", "涉及职工人数": "3", "争议类型": "社会保险",
         "请求金额": "5000", "处理结果": "调解成功", "协议金额": "4000", "挽回金额": "3000", "结案日期": _day(3, 25)},
        {"登记日期": _day(11, 11), "受理日期": _day(11, 12), "申请人": "周八", "涉及职工人数": "1",
         "争议类型": "劳动报酬", "请求金额": "7000", "处理结果": "撤回", "协议金额": "", "挽回金额": "",
         "结案日期": _day(11, 20)},
    ],
)  # fmt: skip
TOTALS = {
    "received": 5,
    "accepted": 4,
    "rejected": 1,
    "closed": 4,
    "workers": 8,
    "claimed": Decimal("45000.50"),
    "agreed": Decimal("12000"),
    "recovered": Decimal("11000"),
}


@pytest.fixture
def town_director(world: SimpleNamespace) -> User:
    user = UserFactory(username="town_director", full_name="西红门主任")
    MembershipFactory(user=user, role="director", organization=world.town)
    return user


def _import(client: Client, organization: str, rows: list[dict[str, Any]]) -> None:
    upload = SimpleUploadedFile(f"{organization}台账{YEAR}.csv", to_csv(rows), content_type="text/csv")
    response = client.post("/reports/import/", {"organization": organization, "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    detail = response["Location"]
    preview = client.get(detail)
    assert preview.context["report"]["created"] == len(rows), preview.context["report"]
    assert preview.context["may_confirm"]
    assert client.post(detail + "confirm/").status_code == 302
    result = client.get(detail).context["result"]
    assert (result["created"], result["errors"]) == (len(rows), [])


def _download_annual_report(client: Client, fmt: str) -> Any:
    query = {
        "organization": "DX",
        "period": "custom",
        "from": _day(1, 1),
        "to": _day(12, 31),
        "include_children": "1",
        "format": fmt,
    }
    response = client.get("/reports/standard/periodic/", query)
    assert response.status_code == 302  # a year is built in the background (eager in tests)
    job = client.get(response["Location"])
    assert job.status_code == 200 and job.context["done"], job.context["job"]
    return job


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(values) for values in sheet.iter_rows(values_only=True)]


def test_district_imports_a_year_reads_the_annual_report_and_accepts_a_towns_files(
    world: SimpleNamespace, director: User, clerk: User, town_director: User
) -> None:
    district = Client()
    district.force_login(director)

    # 1. last year's register of each town, through the import page
    _import(district, "XHM", XHM_ROWS)
    _import(district, "JG", JG_ROWS)
    assert Case.objects.filter(organization=world.town).count() == 3
    assert Case.objects.filter(organization=world.other_town).count() == 2

    # 2. the annual figures on the dashboard
    dashboard = district.get(
        "/reports/", {"organization": "DX", "period": "custom", "from": _day(1, 1), "to": _day(12, 31),
                      "include_children": "1"},
    )  # fmt: skip
    assert dashboard.status_code == 200
    stats = dashboard.context["stats"]
    assert (stats["cases_received"], stats["cases_accepted"], stats["cases_closed"]) == (
        TOTALS["received"], TOTALS["accepted"], TOTALS["closed"],
    )  # fmt: skip
    assert stats["workers_involved"] == TOTALS["workers"]
    assert Decimal(stats["amount_claimed"]) == TOTALS["claimed"]
    assert Decimal(stats["amount_agreed"]) == TOTALS["agreed"]
    assert Decimal(stats["amount_recovered"]) == TOTALS["recovered"]
    assert stats["by_organization"]["XHM"]["cases"] == 3 and stats["by_organization"]["JG"]["cases"] == 2

    # 3. the annual report as a page and as XLSX
    page = _download_annual_report(district, "html")
    assert "收结案情况".encode() in page.content
    job = _download_annual_report(district, "xlsx")
    token = job.context["token"]
    download = district.get(f"/reports/standard/job/{token}/download/")
    assert download.status_code == 200
    rows = _xlsx_rows(b"".join(download.streaming_content))
    totals = [r for r in rows if r and r[0] == "合计"]
    flows, outcomes = totals[0], totals[1]
    # 调解组织, 上期未结, 收案, 受理, 不予受理, 结案, 期末未结, 涉及职工人数
    assert flows[2:8] == [TOTALS["received"], TOTALS["accepted"], TOTALS["rejected"], TOTALS["closed"], 0,
                          TOTALS["workers"]]  # fmt: skip
    # 处理结果, 案件数, 涉及职工人数, 请求金额, 协议金额, 挽回金额 (amounts are numbers)
    assert outcomes[1:6] == [
        TOTALS["received"],
        TOTALS["workers"],
        pytest.approx(float(TOTALS["claimed"])),
        pytest.approx(float(TOTALS["agreed"])),
        pytest.approx(float(TOTALS["recovered"])),
    ]
    flows_by_org = {}  # the first table: 收案 per town
    for r in rows:
        if r and r[0] in (world.town.name, world.other_town.name):
            flows_by_org.setdefault(r[0], r)
    assert flows_by_org[world.town.name][2] == 3 and flows_by_org[world.other_town.name][2] == 2

    # 4. the town's closed cases of last year are archived (documents.archive services: the
    # archive build renders each document of the file from the imported case data)
    town = Client()
    town.force_login(town_director)
    period = {"organization": "XHM", "period_kind": "year", "year": YEAR}
    empty = town.post("/reports/upward/new/", period)  # nothing archived yet: refused
    assert empty.status_code == 400 and "没有已归档的案卷".encode() in empty.content
    assert not ReportSubmission.objects.exists()
    closed = list(Case.objects.filter(organization=world.town, status=Status.CLOSED).order_by("pk"))
    assert len(closed) == 2
    for case in closed:
        assert archive_blockers(case) == []
        volume = archive_request(case=case, actor=clerk)
        built = archive_build(volume.pk)
        assert built is not None and built.status == VolumeStatus.ARCHIVED, built and built.error

    # 5. the town previews and submits last year's annual report with its files
    preview = town.get("/reports/upward/new/", period)
    assert preview.status_code == 200
    assert [v.case_id for v in preview.context["preview"].volumes] == [c.pk for c in closed]
    submitted = town.post("/reports/upward/new/", period)
    assert submitted.status_code == 302, submitted.content.decode()[-2000:]
    submission = ReportSubmission.objects.get()
    assert submission.target == world.district and submission.files.count() == 2
    locked = submission.snapshot["stats"]
    assert (locked["cases_received"], locked["cases_accepted"], locked["workers_involved"]) == (3, 2, 4)
    assert Decimal(locked["amount_claimed"]) == Decimal("33000.50")

    # 6. the district reviews each file and accepts the submission
    inbox = district.get("/reports/upward/")
    assert [s.pk for s in inbox.context["inbox"]] == [submission.pk]
    detail = district.get(f"/reports/upward/{submission.pk}/")
    assert detail.context["reviewable"]
    for row_ in detail.context["files"]:
        assert f"/documents/cases/{row_.volume.case_id}/archive/".encode() in detail.content
        answer = district.post(
            f"/reports/upward/{submission.pk}/files/{row_.pk}/review/", {"verdict": "accepted", "comment": ""}
        )
        assert answer.status_code == 302
    finished = district.post(f"/reports/upward/{submission.pk}/finish/", {"comment": "案卷规范，同意。"})
    assert finished.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
    assert submission.reviewed_by == director and submission.review_comment == "案卷规范，同意。"
    assert set(submission.files.values_list("verdict", flat=True)) == {FileVerdict.ACCEPTED}
    final = town.get(f"/reports/upward/{submission.pk}/")
    assert final.status_code == 200 and "已通过".encode() in final.content
