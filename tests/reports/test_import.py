"""The register import (reports.imports, manage.py import_cases; IMPORT_FORMAT.md)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.services import system_user
from cases.audit import check_invariants, verify_chain
from cases.models import Case, CaseEvent, CaseParty, ClaimItem, EventKind, Person
from cases.workflow import Status
from core.exceptions import ApplicationError, PermissionDeniedError
from mediation.models import Agreement, PaymentRecord
from reports.imports import case_import
from reports.selectors import case_stats
from tests.reports.fixtures.registers import HEADERS, credit_code, resident_id, row, to_csv, to_xlsx


def _import(org: Any, actor: Any, content: bytes, name: str = "台账.xlsx", **options: Any) -> Any:
    return case_import(actor=actor, organization=org, content=content, file_name=name, **options)


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        Person.objects.count(),
        Case.history.count(),
        PaymentRecord.objects.count(),
    )


#: One row per outcome: (overrides, expected status)
OUTCOME_ROWS = [
    ({"案号": "（2018）京兴工调字第0007号"}, Status.CLOSED),  # settled, performed, closed
    ({"申请人": "李四", "申请人身份证号": "", "挽回金额": "4000"}, Status.CLOSED),  # not performed, closed
    ({"申请人": "赵六", "申请人身份证号": "", "结案日期": ""}, Status.PERFORMED),
    ({"申请人": "钱七", "申请人身份证号": "", "挽回金额": "", "结案日期": ""}, Status.AGREEMENT_EFFECTIVE),
    (
        {
            "申请人": "孙八",
            "申请人身份证号": "",
            "处理结果": "调解不成",
            "协议金额": "",
            "挽回金额": "",
            "移送去向": "仲裁",
        },
        Status.CLOSED,
    ),
    ({"申请人": "周九", "申请人身份证号": "", "处理结果": "撤回", "协议金额": "", "挽回金额": ""}, Status.CLOSED),
    (
        {
            "申请人": "吴十",
            "申请人身份证号": "",
            "处理结果": "不予受理",
            "受理日期": "",
            "协议金额": "",
            "挽回金额": "",
        },
        Status.CLOSED,
    ),
    (
        {"申请人": "郑一", "申请人身份证号": "", "处理结果": "调解中", "协议金额": "", "挽回金额": "", "结案日期": ""},
        Status.IN_MEDIATION,
    ),
    (
        {"申请人": "王甲、王乙", "申请人身份证号": "", "申请人电话": "", "涉及职工人数": "12", "处理结果": "调解不成"}
        | {"协议金额": "", "挽回金额": "", "结案日期": ""},
        Status.TERMINATED,
    ),
]


@pytest.fixture
def register() -> bytes:
    return to_xlsx([row(**values) for values, _state in OUTCOME_ROWS])


def test_a_good_register_imports_every_outcome_with_its_history(world, director, register):
    report = _import(world.district, director, register)

    assert report.errors == [] and report.rows_read == 9 and report.created == 9
    cases = {c.parties.filter(side="applicant").first().person.name: c for c in Case.objects.all()}
    assert [cases[values.get("申请人", "王小明").split("、")[0]].status for values, _ in OUTCOME_ROWS] == [
        state for _values, state in OUTCOME_ROWS
    ]
    first = cases["王小明"]
    assert first.case_number == "（2018）京兴工调字第0007号"
    assert first.pre_closure_status == Status.PERFORMED
    assert first.dispute_type == "PAY" and first.file_type == "simple" and first.workers_involved == 1
    assert first.received_at == dt.datetime(2018, 3, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert first.closed_at.date() == dt.date(2018, 3, 20)
    assert first.registry_number and first.arbitration_release_on and first.mediation_due_on
    assert cases["李四"].pre_closure_status == Status.NOT_PERFORMED
    assert cases["吴十"].pre_closure_status == Status.REJECTED and cases["吴十"].case_number is None
    assert cases["孙八"].outcome_note.endswith("移送去向：仲裁")
    assert cases["王甲"].is_collective and cases["王甲"].parties.filter(side="applicant").count() == 2
    # cases without 案号 get numbers of the organisation's format after the given one
    assert cases["李四"].case_number == "（2018）京兴工调字第0008号"

    person = first.parties.get(side="applicant").person
    assert person.id_number == resident_id(dt.date(1990, 1, 1), 11) and person.phone == "13800138000"
    assert first.parties.get(side="respondent").employer.uscc == credit_code(1)

    # every step is an event at its historic time, plus the note naming importer, file and row
    events = list(first.events.order_by("id"))
    assert [(e.kind, e.name) for e in events] == [
        (EventKind.CREATED, ""),
        *[
            (EventKind.TRANSITION, name)
            for name in (
                "register",
                "accept",
                "start",
                "draft_agreement",
                "make_effective",
                "confirm_performance",
                "submit_closure",
                "approve_closure",
            )
        ],
        (EventKind.NOTE, "import"),
    ]
    assert all(e.actor == director for e in events)
    assert events[2].created_at.date() == dt.date(2018, 3, 6)
    note = events[-1]
    assert "台账.xlsx" in note.reason and "第2行" in note.reason
    assert note.payload["row"] == 2 and note.payload["file"] == "台账.xlsx" and len(note.payload["sha256"]) == 64
    statuses = list(first.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == [
        *("draft", "registered", "accepted", "in_mediation", "agreement_pending"),
        *("agreement_effective", "performed", "closing", "closed"),
    ]
    assert first.history.filter(history_user=director).count() == len(statuses)

    # the audit trail holds: chained events, invariants of every imported case
    assert verify_chain()[1] == []
    assert check_invariants(report.case_ids) == []


def test_the_statistics_reproduce_the_register(world, director, register):
    _import(world.district, director, register)

    stats = case_stats(organization=world.district, date_from=dt.date(2018, 1, 1), date_to=dt.date(2018, 12, 31))

    assert stats["cases_received"] == 9
    assert stats["amount_claimed"] == "108004.50"  # 9 x 12000.50
    assert stats["amount_agreed"] == "40000.00"  # the four 调解成功 rows
    assert stats["amount_recovered"] == "24000.00"  # 10000 + 4000 + 10000 + 0
    assert stats["by_outcome"]["settled"]["cases"] == 4
    assert stats["by_outcome"]["rejected"]["cases"] == 1
    assert stats["by_outcome"]["in_progress"]["cases"] == 1
    assert stats["cases_closed"] == 4  # accepted and closed (the rejected one was never accepted)
    assert stats["by_file_type"]["simple"]["cases"] == 9
    assert Agreement.objects.count() == 4 and PaymentRecord.objects.count() == 3


def test_reimporting_creates_no_duplicates(world, director, register):
    first = _import(world.district, director, register)
    before = _counts()

    again = _import(world.district, director, register)

    assert again.created == 0 and again.skipped_duplicates == 9 and again.errors == []
    assert {number for _row, number in again.duplicates} >= {"（2018）京兴工调字第0007号"}
    assert _counts() == before
    assert first.batch != again.batch


def test_dry_run_reports_the_same_and_writes_nothing(world, director, register):
    before = _counts()

    report = _import(world.district, director, register, dry_run=True)

    assert report.dry_run and report.created == 9 and report.errors == []
    assert _counts() == before


BAD_CELLS = [
    ({"登记日期": "2018.03.05"}, "登记日期", "日期格式"),
    ({"登记日期": "2018-02-30"}, "登记日期", "日期不存在"),
    (
        {"登记日期": "2099-01-01", "受理日期": "", "处理结果": "不予受理", "协议金额": "", "挽回金额": ""},
        "登记日期",
        "今天",
    ),
    ({"登记日期": ""}, "登记日期", "必填"),
    ({"受理日期": ""}, "受理日期", "受理日期必填"),
    ({"受理日期": "2018-03-01"}, "受理日期", "早于登记日期"),
    ({"结案日期": "2018-03-01"}, "结案日期", "早于受理日期"),
    ({"申请人": ""}, "申请人", "必填"),
    ({"申请人身份证号": "110105199001011234"}, "申请人身份证号", "校验位"),
    ({"申请人身份证号": "1101051990"}, "申请人身份证号", "18位"),
    ({"申请人电话": "12345"}, "申请人电话", "电话号码格式"),
    ({"涉及职工人数": "0"}, "涉及职工人数", "不小于1"),
    ({"涉及职工人数": "三"}, "涉及职工人数", "不小于1"),
    ({"被申请人": ""}, "被申请人", "必填"),
    ({"统一社会信用代码": "91110115MA01ABCD1X"}, "统一社会信用代码", "统一社会信用代码"),
    ({"争议类型": "工资"}, "争议类型", "应为以下之一"),
    ({"请求金额": "-5"}, "请求金额", "不小于0"),
    ({"请求金额": "12.345"}, "请求金额", "两位小数"),
    ({"请求金额": "1e5"}, "请求金额", "不小于0"),
    ({"请求金额": ""}, "请求金额", "必填"),
    ({"处理结果": "已结"}, "处理结果", "应为以下之一"),
    ({"挽回金额": "20000"}, "挽回金额", "不能大于协议金额"),
    ({"处理结果": "撤回", "挽回金额": ""}, "协议金额", "调解成功"),
    ({"处理结果": "调解中", "协议金额": "", "挽回金额": ""}, "结案日期", "调解中"),
    ({"案卷类型": "电子"}, "案卷类型", "应为以下之一"),
    ({"移送去向": "公安"}, "移送去向", "应为以下之一"),
    (
        {"案号": "（2018）京兴工调字第0001号", "处理结果": "不予受理", "受理日期": "", "协议金额": "", "挽回金额": ""},
        "案号",
        "没有案号",
    ),
]


@pytest.mark.parametrize(("overrides", "column", "reason"), BAD_CELLS)
def test_every_bad_cell_names_row_column_and_reason_and_nothing_is_written(world, director, overrides, column, reason):
    content = to_xlsx([row(申请人="好人", 申请人身份证号=""), row(**overrides)])
    before = _counts()

    report = _import(world.district, director, content)

    assert report.created == 0
    assert [(e.row, e.column) for e in report.errors] == [(3, column)], report.errors
    assert reason in report.errors[0].message
    assert report.errors[0].english
    assert _counts() == before


def test_duplicate_rows_in_the_file_and_an_id_number_under_two_names_are_errors(world, director):
    content = to_csv(
        [
            row(),
            row(),  # same 登记日期 + 申请人 + 被申请人, no 案号
            row(
                申请人="王小明二", 登记日期="2018-04-01", 受理日期="2018-04-02", 结案日期="2018-04-20"
            ),  # same ID, other name
        ]
    )

    report = _import(world.district, director, content, name="a.csv")

    assert [(e.row, e.column) for e in report.errors] == [(3, "申请人"), (4, "申请人身份证号")]
    assert "第2行" in report.errors[0].message and "第2行" in report.errors[1].message
    assert Case.objects.count() == 0


def test_skip_invalid_imports_the_good_rows(world, director):
    content = to_xlsx(
        [row(), row(申请人="坏行", 申请人身份证号="", 请求金额="abc"), row(申请人="张三", 申请人身份证号="")]
    )

    report = _import(world.district, director, content, skip_invalid=True)

    assert report.created == 2 and report.skipped_invalid == 1
    assert [(e.row, e.column) for e in report.errors] == [(3, "请求金额")]
    assert set(Person.objects.values_list("name", flat=True)) == {"王小明", "张三"}


def test_a_gbk_csv_with_aliases_and_unknown_columns(world, director):
    aliases = {
        "登记日期": "received_on",
        "申请人": "applicant_name",
        "请求金额": "请求金额（元）",
        "处理结果": "outcome",
    }
    headers = [aliases.get(h, h) for h in HEADERS] + ["备注"]
    values = [
        {aliases.get(k, k): v for k, v in row(申请人="欧阳娜娜", 争议类型="TER").items()} | {"备注": "=1+1"},
    ]
    content = to_csv(values, headers=headers, encoding="gbk")
    assert content.decode("gbk")  # really GBK, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")

    report = _import(world.district, director, content, name="台账.csv")

    assert report.errors == [] and report.created == 1
    assert [(w.row, w.column) for w in report.warnings] == [(1, "备注")]
    case = Case.objects.get()
    assert case.dispute_type == "TER"
    assert CaseParty.objects.get(case=case, side="applicant").person.name == "欧阳娜娜"
    assert ClaimItem.objects.get(case=case).amount == Decimal("12000.50")


def test_utf8_bom_csv_and_excel_typed_cells(world, director):
    bom = to_csv([row()], encoding="utf-8-sig")
    assert bom.startswith(b"\xef\xbb\xbf")
    assert _import(world.district, director, bom, name="a.csv", dry_run=True).errors == []

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    typed = row(登记日期=dt.datetime(2018, 3, 5), 受理日期=dt.date(2018, 3, 6), 结案日期=dt.datetime(2018, 3, 20))
    typed |= {"涉及职工人数": 1, "请求金额": 12000.5, "协议金额": 10000, "挽回金额": 10000, "申请人电话": 13800138000}
    sheet.append([typed[h] for h in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = _import(world.district, director, buffer.getvalue())

    assert report.errors == []
    assert ClaimItem.objects.get().amount == Decimal("12000.50")


def test_formulas_are_never_evaluated(world, director):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    values = row()
    values["请求金额"] = "=10000+2000"
    sheet.append([values[h] for h in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = _import(world.district, director, buffer.getvalue())

    assert [(e.row, e.column) for e in report.errors] == [(2, "请求金额")]
    assert "公式" in report.errors[0].message
    assert Case.objects.count() == 0


def test_missing_required_columns_are_reported_on_the_header_row(world, director):
    content = to_csv([row()], headers=[h for h in HEADERS if h not in ("请求金额", "处理结果")])

    report = _import(world.district, director, content, name="a.csv")

    assert [(e.row, e.column) for e in report.errors] == [(1, "请求金额"), (1, "处理结果")]
    assert report.created == 0


def test_only_a_director_or_the_system_imports(world, clerk, register):
    with pytest.raises(PermissionDeniedError):
        _import(world.district, clerk, register)
    assert Case.objects.count() == 0

    report = _import(world.district, system_user(), register, dry_run=True)
    assert report.created == 9


def test_the_command_prints_progress_and_the_report(world, director, tmp_path, register):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(register)
    out, err = io.StringIO(), io.StringIO()

    call_command("import_cases", str(path), "--organization", "DX", "--actor", "director", stdout=out, stderr=err)

    assert "9/9 (100%)" in err.getvalue()
    assert "已导入 / created: 9" in out.getvalue()
    assert Case.objects.filter(created_by__username="director").count() == 9


def test_the_command_fails_on_errors_and_writes_nothing(world, director, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(to_csv([row(请求金额="12.345")]))
    out = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_cases", str(path), "--organization", "DX", stdout=out, stderr=io.StringIO())

    assert caught.value.returncode == 1
    assert "第2行“请求金额”" in out.getvalue() and "row 2, amount_claimed" in out.getvalue()
    assert Case.objects.count() == 0


def test_the_command_dry_run_and_skip_invalid(world, director, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(to_csv([row(), row(申请人="坏行", 申请人身份证号="", 处理结果="?")]))

    with pytest.raises(CommandError):
        call_command(
            "import_cases",
            str(path),
            "--organization",
            "DX",
            "--dry-run",
            "--skip-invalid",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Case.objects.count() == 0

    with pytest.raises(CommandError):
        call_command(
            "import_cases",
            str(path),
            "--organization",
            "DX",
            "--skip-invalid",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Case.objects.count() == 1


def test_an_empty_file_and_an_old_xls_file(world, director):
    assert [(e.row, e.column) for e in _import(world.district, director, b"", name="a.csv").errors] == [(0, "")]
    with pytest.raises(ApplicationError, match="xlsx"):
        _import(world.district, director, b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="a.xls")
