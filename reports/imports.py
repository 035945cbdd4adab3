"""Import of a case register (案件登记台账): IMPORT_FORMAT.md is the contract, docs/import.md
the user's guide. This module is the only place that writes imported data.

`case_import` reads the file (XLSX, or CSV in UTF-8, UTF-8 with BOM or GBK), maps the headers
(Chinese names or English aliases), checks every cell and every row, and then, in one
transaction, writes each good row as a case in the final state its outcome implies, with its
historic times. A bad row rejects the whole file unless `skip_invalid`; `dry_run` returns the
same report and writes nothing. A row already in the system (by 案号, else by 登记日期 +
申请人 + 被申请人) is skipped, so importing a file twice creates nothing the second time.

How an imported case reaches its state (why not `case_transition` per step)
---------------------------------------------------------------------------
A live case reaches `performed` through sessions, a completed transcript, an agreement signed
by every party and the mediator and sealed by the director, payments, service of the
agreement and a closure approved by a director who is not its mediator; the guards of
cases.workflow and mediation.workflow check each of these. A register row records none of
them: it says when the case came in, was accepted and closed, what was agreed and what was
recovered. Replaying the services would mean inventing transcripts, signatures, seals and
service records that the paper file (卷宗) holds and the system never saw, and it would cost
some 300 queries per case (10,000 rows: many minutes; the budget is well under one minute).

So the import replays the state machine itself, not its guards:

- the path of each row (register, accept, start, ..., approve_closure) is derived from its
  outcome and walked over `cases.workflow.TRANSITIONS`: every step must start from the state
  the previous one reached and go where the table says, or the import refuses to run;
- every step is recorded as the services record it: a `CaseEvent` (kind transition, name,
  from, to, actor = the importing user, the historic time, reason "历史台账导入", payload with
  the batch and row), and a django-simple-history row of the case with the fields as they
  were after that step (history_user = the importing user, change reason "import: <step>");
- the fields the services stamp (registry and case numbers, received/accepted/started/
  outcome/closed times, deadlines A, B, C, reason codes, pre_closure_status) get the values
  the services would have given them at those times;
- the case row is inserted once, in its final state. django-fsm forbids assigning a status to
  an existing case; a new row is created with its status, like the history rows are;
- the facts the register does record and the statistics need are written as the records the
  system keeps them in: the claim (请求金额), an effective agreement with its payment
  obligation (协议金额) and a payment through the agreement (挽回金额). Nothing else.

Each case also gets a note event "import" at the real time of the import, naming the importing
user, the file, its SHA-256, the row and the batch, so an auditor sees where it came from.
Rows, parties, claims and history are written with bulk inserts; case events one by one,
because each is chained to the case's previous event (cases.audit).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import roles_for_organization
from accounts.models import Organization, Role, User
from cases import audit, deadlines
from cases import vocab as case_vocab
from cases.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseParty,
    ClaimItem,
    Employer,
    EventKind,
    NumberSeries,
    Person,
)
from cases.services import parse_amount
from cases.workflow import OUTCOME_STATES, TRANSITIONS, Status
from core import crypto
from core.exceptions import ApplicationError, PermissionDeniedError
from core.history import save_with_history
from core.validators import normalize_phone, normalize_resident_id, normalize_uscc
from mediation import vocab as mediation_vocab
from mediation.models import Agreement, Obligation, PaymentRecord

BEIJING = ZoneInfo("Asia/Shanghai")
MAX_FILE_BYTES = 20 * 1024 * 1024
#: An XLSX is a ZIP: refuse archives that expand beyond this (zip bombs).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 50_000
EARLIEST_DATE = dt.date(1995, 1, 1)  # 劳动法 in force; anything earlier is a typing error
CHUNK = 500
IMPORT_REASON = "历史台账导入"

Progress = Callable[[int, int], None]


# --- columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header of IMPORT_FORMAT.md
    required: bool


COLUMNS: tuple[Column, ...] = (
    Column("case_number", "案号", False),
    Column("received_on", "登记日期", True),
    Column("accepted_on", "受理日期", False),
    Column("applicant_name", "申请人", True),
    Column("applicant_id_number", "申请人身份证号", False),
    Column("applicant_phone", "申请人电话", False),
    Column("workers_involved", "涉及职工人数", True),
    Column("respondent_name", "被申请人", True),
    Column("respondent_uscc", "统一社会信用代码", False),
    Column("dispute_type", "争议类型", True),
    Column("amount_claimed", "请求金额", True),
    Column("outcome", "处理结果", True),
    Column("amount_agreed", "协议金额", False),
    Column("amount_recovered", "挽回金额", False),
    Column("closed_on", "结案日期", False),
    Column("file_type", "案卷类型", False),
    Column("transferred_to", "移送去向", False),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
_ALIASES = {c.label: c.key for c in COLUMNS} | {c.key: c.key for c in COLUMNS}
#: "请求金额（元）", "涉及职工人数(人)", "*登记日期": units and required-markers are ignored.
_HEADER_NOISE = re.compile(r"[（(](元|人|人数|人民币元)[)）]$")

OUTCOMES = {
    "调解成功": "settled",
    "调解不成": "terminated",
    "撤回": "withdrawn",
    "不予受理": "rejected",
    "调解中": "in_progress",
}
TRANSFERS = {"法院": "court", "仲裁": "arbitration", "劳动监察": "labor_inspection", "法律援助": "legal_aid"}
TRANSFER_LABELS = {code: label for label, code in TRANSFERS.items()}
FILE_TYPES = {"实体": "formal", "实体卷": "formal", "简易": "simple", "简易卷": "simple"}
#: The claim an imported case carries, by dispute type (the register has only the total).
CLAIM_TYPES = {
    "PAY": case_vocab.ClaimType.WAGE,
    "TER": case_vocab.ClaimType.ECON_COMP,
    "SOC": case_vocab.ClaimType.SOC_LOSS,
    "INJ": case_vocab.ClaimType.INJURY_OTHER,
}
NAME_SEPARATOR = "、"


def _header_key(text: Any) -> str | None:
    cleaned = re.sub(r"\s+", "", str(text or "")).strip("*")
    cleaned = _HEADER_NOISE.sub("", cleaned)
    return _ALIASES.get(cleaned) or _ALIASES.get(cleaned.lower())


# --- report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """What is wrong where: `row` is the row number as the spreadsheet shows it (the header is
    row 1; 0 for the file as a whole), `column` the header as written in the file."""

    row: int
    column: str
    message: str  # Chinese (gettext)
    english: str = ""

    def __str__(self) -> str:
        where = _("第%(row)d行") % {"row": self.row} if self.row else _("文件")
        column = f"“{self.column}”" if self.column else ""
        return f"{where}{column}：{self.message}"


@dataclass
class ImportReport:
    file_name: str
    batch: str
    dry_run: bool
    rows_read: int = 0
    created: int = 0  # with dry_run: would be created
    skipped_duplicates: int = 0
    skipped_invalid: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (row, the case already there)
    case_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _CellError(Exception):
    def __init__(self, message: str, english: str) -> None:
        super().__init__(message)
        self.message, self.english = message, english


# --- reading the file ---------------------------------------------------------------------------


def read_table(content: bytes) -> list[tuple[int, list[Any]]]:
    """(row number, cell values) of every row, header first; XLSX by its ZIP signature, else
    CSV. Formula cells of an XLSX come back as `_Formula` (never evaluated)."""
    if len(content) > MAX_FILE_BYTES:
        raise ApplicationError(_("文件超过20MB，请拆分后导入。"))
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ApplicationError(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后导入。"))
    return _read_csv(content)


class _Formula(str):
    """The text of a formula cell, kept only to report it."""


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise ApplicationError(_("文件解压后过大，不能导入。"))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except ApplicationError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ApplicationError(_("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values = [_Formula(c.value) if getattr(c, "data_type", None) == "f" else c.value for c in cells]
            rows.append((number, values))
            if number > MAX_ROWS + 1:
                raise ApplicationError(_("文件超过%d行，请拆分后导入。") % MAX_ROWS)
        return rows
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 decodes every GBK file
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any byte string
        raise ApplicationError(_("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。"))
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ApplicationError(_("CSV 格式有误：%s") % exc) from exc
    if len(records) > MAX_ROWS + 1:
        raise ApplicationError(_("文件超过%d行，请拆分后导入。") % MAX_ROWS)
    return [(number, record) for number, record in enumerate(records, start=1)]


# --- cells --------------------------------------------------------------------------------------


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, _Formula):
        raise _CellError(_("单元格是公式（%s），请复制后“粘贴为数值”再导入。") % raw, "formula cell; paste values")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _date(raw: Any) -> dt.date | None:
    if isinstance(raw, _Formula):
        _text(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool) and 20000 < raw < 80000:
        value = (dt.datetime(1899, 12, 30) + dt.timedelta(days=int(raw))).date()  # noqa: DTZ001 (Excel serial)
    else:
        match = re.fullmatch(
            r"(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2}))(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?",
            str(raw).strip(),
            re.ASCII,
        )
        if match is None:
            raise _CellError(_("日期格式应为 2024-03-05 或 2024/3/5。"), "not a date (YYYY-MM-DD or YYYY/M/D)")
        year, month, day = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
        try:
            value = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise _CellError(_("日期不存在（%s）。") % raw, "no such date") from None
    if not EARLIEST_DATE <= value <= timezone.localdate():
        raise _CellError(
            _("日期应在%(first)s至今天之间。") % {"first": EARLIEST_DATE.isoformat()},
            "date out of range (1995-01-01 to today)",
        )
    return value


def _amount(raw: Any) -> Decimal | None:
    if isinstance(raw, _Formula):
        _text(raw)
    if isinstance(raw, float):
        raw = repr(raw)  # the shortest text that reads back as the number Excel stored
    try:
        return parse_amount(raw)
    except ApplicationError as exc:
        raise _CellError(exc.message, "not an amount (digits, at most 2 decimals, >= 0)") from None


def _positive_int(raw: Any) -> int:
    text = _text(raw)
    if not re.fullmatch(r"[0-9]{1,6}", text, re.ASCII) or int(text) < 1:
        raise _CellError(_("应为不小于1的整数。"), "not an integer >= 1")
    return int(text)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(NAME_SEPARATOR)] if text else []


@cache
def _dispute_types() -> dict[str, str]:
    found = {str(label): code for code, label in case_vocab.DisputeType.choices}
    return found | {code: code for code in case_vocab.DisputeType.values}


# --- rows ---------------------------------------------------------------------------------------


@dataclass
class Applicant:
    name: str
    id_number: str = ""
    phone: str = ""


@dataclass
class Row:
    """One register row, checked and normalised."""

    number: int
    case_number: str
    received_on: dt.date
    accepted_on: dt.date | None
    applicants: list[Applicant]
    workers_involved: int
    respondent_name: str
    respondent_uscc: str
    dispute_type: str
    amount_claimed: Decimal
    outcome: str
    amount_agreed: Decimal | None
    amount_recovered: Decimal | None
    closed_on: dt.date | None
    file_type: str
    transferred_to: str

    @property
    def natural_key(self) -> tuple[dt.date, tuple[str, ...], tuple[str, ...]]:
        return (self.received_on, tuple(sorted(a.name for a in self.applicants)), (self.respondent_name,))

    @property
    def performed(self) -> bool:
        return (self.amount_recovered or 0) == (self.amount_agreed or 0)


class _RowReader:
    """Checks one row cell by cell, collecting every error with its column."""

    def __init__(self, number: int, values: dict[str, Any], headers: dict[str, str]) -> None:
        self.number, self.values, self.headers = number, values, headers
        self.errors: list[RowError] = []

    def error(self, key: str, message: str, english: str) -> None:
        column = self.headers.get(key) or COLUMN_BY_KEY[key].label
        self.errors.append(RowError(self.number, column, message, f"{key}: {english}"))

    def get(self, key: str, parse: Callable[[Any], Any]) -> Any:
        raw = self.values.get(key)
        try:
            value = parse(raw)
        except _CellError as exc:
            self.error(key, exc.message, exc.english)
            return None
        if COLUMN_BY_KEY[key].required and value in (None, ""):
            self.error(key, _("必填，不能为空。"), "required")
        return value

    def choice(self, key: str, options: dict[str, str], default: str = "") -> str:
        text = self.get(key, _text)
        if not text:
            return default
        value = (
            options.get(text) or options.get(text.upper()) or (text.lower() if text.lower() in options.values() else "")
        )
        if not value:
            self.error(key, _("应为以下之一：%s。") % " / ".join(options), f"one of {', '.join(options)}")
        return value


def parse_row(number: int, values: dict[str, Any], headers: dict[str, str]) -> tuple[Row | None, list[RowError]]:
    r = _RowReader(number, values, headers)
    case_number = r.get("case_number", _text)
    if case_number and len(case_number) > 60:
        r.error("case_number", _("案号不能超过60个字符。"), "longer than 60 characters")
    received_on = r.get("received_on", _date)
    accepted_on = r.get("accepted_on", _date)
    closed_on = r.get("closed_on", _date)
    applicants = _applicants(r)
    workers = r.get("workers_involved", _positive_int)
    respondent = r.get("respondent_name", _text)
    if respondent and len(respondent) > 200:
        r.error("respondent_name", _("单位名称不能超过200个字符。"), "longer than 200 characters")
    uscc = r.get("respondent_uscc", _text)
    if uscc:
        try:
            uscc = normalize_uscc(uscc)
        except ValueError as exc:
            r.error("respondent_uscc", str(exc), "not a valid USCC (18 characters, check character)")
    dispute_type = r.choice("dispute_type", _dispute_types())
    claimed = r.get("amount_claimed", _amount)
    outcome = r.choice("outcome", OUTCOMES)
    agreed = r.get("amount_agreed", _amount)
    recovered = r.get("amount_recovered", _amount)
    file_type = r.choice("file_type", FILE_TYPES, default=case_vocab.FileType.FORMAL)
    transferred_to = r.choice("transferred_to", TRANSFERS)
    if workers and applicants and workers < len(applicants):
        r.error("workers_involved", _("涉及职工人数少于申请人人数。"), "fewer workers than applicants")
    _check_outcome(r, outcome, case_number, received_on, accepted_on, closed_on, agreed, recovered)
    if r.errors:
        return None, r.errors
    return (
        Row(
            number=number,
            case_number=case_number,
            received_on=received_on,
            accepted_on=accepted_on,
            applicants=applicants,
            workers_involved=workers,
            respondent_name=respondent,
            respondent_uscc=uscc,
            dispute_type=dispute_type,
            amount_claimed=claimed,
            outcome=outcome,
            amount_agreed=agreed,
            amount_recovered=recovered,
            closed_on=closed_on,
            file_type=file_type,
            transferred_to=transferred_to,
        ),
        [],
    )


def _applicants(r: _RowReader) -> list[Applicant]:
    names = _split(r.get("applicant_name", _text) or "")
    if any(not name for name in names):
        r.error("applicant_name", _("多名申请人之间用“、”分隔，不能有空名。"), "empty name between separators")
    if any(len(name) > 50 for name in names):
        r.error("applicant_name", _("姓名不能超过50个字符。"), "name longer than 50 characters")
    applicants = [Applicant(name) for name in names]
    for key, attr, normalize, english in (
        ("applicant_id_number", "id_number", normalize_resident_id, "not a valid resident ID (18 characters)"),
        ("applicant_phone", "phone", normalize_phone, "not a mainland mobile or landline number"),
    ):
        parts = _split((r.get(key, _text) or "").lstrip("'"))
        if not parts or not applicants:
            continue
        if len(parts) != len(applicants):
            r.error(
                key,
                _("填写了%(n)d个，应与申请人人数（%(m)d）一致。") % {"n": len(parts), "m": len(applicants)},
                english,
            )
            continue
        for applicant, part in zip(applicants, parts, strict=True):
            if not part:
                continue
            try:
                setattr(applicant, attr, normalize(part))
            except ValueError as exc:
                r.error(key, f"{applicant.name}：{exc}", english)
    return applicants


def _check_outcome(
    r: _RowReader,
    outcome: str,
    case_number: str,
    received_on: dt.date | None,
    accepted_on: dt.date | None,
    closed_on: dt.date | None,
    agreed: Decimal | None,
    recovered: Decimal | None,
) -> None:
    """The rules between cells (IMPORT_FORMAT.md, and what the state machine allows)."""
    if received_on and accepted_on and accepted_on < received_on:
        r.error("accepted_on", _("受理日期早于登记日期。"), "before received_on")
    start = accepted_on or received_on
    if closed_on and start and closed_on < start:
        r.error(
            "closed_on",
            _("结案日期早于受理日期（不予受理的案件：登记日期）。"),
            "before accepted_on (rejected: received_on)",
        )
    if not outcome:
        return
    if outcome == "rejected":
        if accepted_on:
            r.error("accepted_on", _("不予受理的案件不应有受理日期。"), "a rejected case was never accepted")
        if case_number:
            r.error(
                "case_number", _("不予受理的案件没有案号（案号在受理时编定）。"), "a rejected case has no case number"
            )
    elif not accepted_on and not r.values.get("accepted_on"):
        r.error("accepted_on", _("处理结果不是“不予受理”时，受理日期必填。"), "required unless the outcome is 不予受理")
    if closed_on and outcome == "in_progress":
        r.error("closed_on", _("“调解中”的案件不应有结案日期。"), "a case in mediation is not closed")
    if outcome != "settled":
        if agreed is not None:
            r.error("amount_agreed", _("只有“调解成功”的案件有协议金额。"), "only with 调解成功")
        if recovered:
            r.error(
                "amount_recovered",
                _("只有“调解成功”的案件可填写挽回金额（按调解协议履行所得）。"),
                "only with 调解成功 (recovered through the agreement)",
            )
    elif recovered and agreed is None:
        r.error("amount_recovered", _("填写挽回金额时须同时填写协议金额。"), "needs amount_agreed")
    elif recovered is not None and agreed is not None and recovered > agreed:
        r.error("amount_recovered", _("挽回金额不能大于协议金额。"), "greater than amount_agreed")


# --- the service --------------------------------------------------------------------------------


def _require_importer(actor: User, organization: Organization) -> None:
    """Imported cases are accepted and closed cases: the director's decisions. Commands
    without --actor run as the system user."""
    if getattr(actor, "is_system", False):
        return
    if Role.DIRECTOR not in roles_for_organization(actor, organization):
        raise PermissionDeniedError(_("只有“%s”的中心主任可以导入案件台账。") % organization.name)


def case_import(
    *,
    actor: User,
    organization: Organization,
    content: bytes,
    file_name: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a register file into `organization` (see the module docstring). Returns the
    report; with errors and without `skip_invalid`, nothing is written."""
    _require_importer(actor, organization)
    report = ImportReport(
        file_name=file_name.replace("\\", "/").rsplit("/", 1)[-1], batch=uuid.uuid4().hex, dry_run=dry_run
    )
    table = read_table(content)
    rows, headers = _parse_table(table, report)
    rows = _check_people(rows, report, headers)
    report.errors.sort(key=lambda e: e.row)
    if report.errors and not skip_invalid:
        return report
    if dry_run:
        report.created = len(_mark_duplicates(organization, rows, report))
        if progress:
            progress(report.rows_read, report.rows_read)
        return report
    sha256 = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        # One import at a time per organisation (PostgreSQL; SQLite serialises writers anyway).
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        rows = _mark_duplicates(organization, rows, report)
        writer = _Writer(actor=actor, organization=organization, report=report, sha256=sha256)
        writer.write(rows, progress)
    return report


def _parse_table(table: list[tuple[int, list[Any]]], report: ImportReport) -> tuple[list[Row], dict[str, str]]:
    rows = [(n, values) for n, values in table if any(_text(v) if not isinstance(v, _Formula) else v for v in values)]
    if not rows:
        report.errors.append(
            RowError(0, "", _("文件是空的：第一行应为表头。"), "empty file: the first row is the header")
        )
        return [], {}
    (header_number, header), data = rows[0], rows[1:]
    report.rows_read = len(data)
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(header):
        title = str(cell or "").strip()
        if not title:
            continue
        key = _header_key(title)
        if key is None:
            report.warnings.append(
                RowError(header_number, title, _("无法识别的列，已忽略。"), "unknown column, ignored")
            )
        elif key in positions:
            report.errors.append(RowError(header_number, title, _("与另一列重复。"), f"{key}: duplicate column"))
        else:
            positions[key], headers[key] = index, title
    for column in COLUMNS:
        if column.required and column.key not in positions:
            report.errors.append(
                RowError(header_number, column.label, _("缺少必填列。"), f"{column.key}: required column missing")
            )
    if report.errors:
        return [], headers
    good: list[Row] = []
    for number, values in data:
        cells = {key: values[index] if index < len(values) else None for key, index in positions.items()}
        row, errors = parse_row(number, cells, headers)
        report.errors.extend(errors)
        if row is not None:
            good.append(row)
    report.skipped_invalid = report.rows_read - len(good)
    return _in_file_duplicates(good, report, headers), headers


def _in_file_duplicates(rows: list[Row], report: ImportReport, headers: dict[str, str]) -> list[Row]:
    first_by_number: dict[Any, int] = {}
    first_by_key: dict[Any, int] = {}
    kept = []
    for row in rows:
        key: Any
        if row.case_number:
            seen, key, column = first_by_number, row.case_number, "case_number"
            message, english = _("与第%d行案号相同。"), "same case number as another row"
        else:
            seen, key, column = first_by_key, row.natural_key, "applicant_name"
            message, english = (
                _("与第%d行重复（登记日期、申请人、被申请人均相同）。"),
                "same date, applicant, respondent",
            )
        if key in seen:
            label = headers.get(column) or COLUMN_BY_KEY[column].label
            report.errors.append(RowError(row.number, label, message % seen[key], f"{column}: {english}"))
            report.skipped_invalid += 1
            continue
        seen[key] = row.number
        kept.append(row)
    return kept


def _check_people(rows: list[Row], report: ImportReport, headers: dict[str, str]) -> list[Row]:
    """An ID number names one person: refuse a row whose applicant's ID number is already
    known (in the system or on an earlier row) under another name."""
    hashes = {crypto.lookup_hash(a.id_number) for r in rows for a in r.applicants if a.id_number}
    known: dict[str, tuple[str, int]] = {}
    for chunk in _chunks(sorted(hashes), 500):
        for id_hash, name in Person.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", "name"):
            known.setdefault(id_hash, (name, 0))
    column = headers.get("applicant_id_number") or COLUMN_BY_KEY["applicant_id_number"].label
    kept = []
    for row in rows:
        problems = []
        for applicant in row.applicants:
            if not applicant.id_number:
                continue
            id_hash = crypto.lookup_hash(applicant.id_number)
            name, first_row = known.setdefault(id_hash, (applicant.name, row.number))
            if name == applicant.name:
                continue
            if first_row:
                message = _("%(name)s 的身份证号与第%(row)d行另一姓名的身份证号相同。") % {
                    "name": applicant.name,
                    "row": first_row,
                }
            else:
                message = _("%s 的身份证号已登记在另一姓名下，请核对姓名或身份证号。") % applicant.name
            problems.append(
                RowError(row.number, column, message, "applicant_id_number: ID number known under another name")
            )
        if problems:
            report.errors.extend(problems)
            report.skipped_invalid += 1
        else:
            kept.append(row)
    return kept


def _mark_duplicates(organization: Organization, rows: list[Row], report: ImportReport) -> list[Row]:
    """Drop the rows already in the system (IMPORT_FORMAT.md: by 案号, else by 登记日期 +
    申请人 + 被申请人), recording them in the report."""
    numbers = {r.case_number for r in rows if r.case_number}
    existing_numbers = dict(
        Case.objects.filter(organization=organization, case_number__in=numbers).values_list("case_number", "pk")
    )
    keyed = [r for r in rows if not r.case_number]
    existing_keys: dict[Any, str] = {}
    if keyed:
        first = min(r.received_on for r in keyed)
        last = max(r.received_on for r in keyed)
        start = dt.datetime.combine(first, dt.time.min, tzinfo=BEIJING)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=BEIJING)
        cases = Case.objects.filter(organization=organization, received_at__gte=start, received_at__lt=end)
        names: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        parties = CaseParty.objects.filter(case__in=cases.values("pk")).values_list(
            "case_id", "side", "person__name", "employer__name"
        )
        for case_id, side, person_name, employer_name in parties:
            names[case_id][side].append(person_name or employer_name or "")
        for pk, received_at, number in cases.values_list("pk", "received_at", "case_number"):
            sides = names.get(pk, {})
            key = (
                timezone.localtime(received_at, BEIJING).date(),
                tuple(sorted(sides.get(case_vocab.Side.APPLICANT, []))),
                tuple(sorted(sides.get(case_vocab.Side.RESPONDENT, []))),
            )
            existing_keys[key] = number or f"#{pk}"
    kept = []
    for row in rows:
        found = existing_numbers.get(row.case_number) if row.case_number else existing_keys.get(row.natural_key)
        if found is not None:
            report.duplicates.append((row.number, str(row.case_number or found)))
            continue
        kept.append(row)
    report.skipped_duplicates = len(report.duplicates)
    return kept


# --- the path through the state machine ---------------------------------------------------------


def path_of(row: Row) -> list[str]:
    """The transitions that take a case with this outcome from draft to its final state."""
    steps = ["register"]
    if row.outcome == "rejected":
        steps.append("reject")
    else:
        steps.append("accept")
        steps += {
            "in_progress": ["start"],
            "terminated": ["terminate"],
            "withdrawn": ["withdraw"],
            "settled": ["start", "draft_agreement", "make_effective"],
        }[row.outcome]
        if row.outcome == "settled" and row.performed:
            steps.append("confirm_performance")
        elif row.outcome == "settled" and row.closed_on:
            steps.append("record_non_performance")  # closed with money still owed: 未履行
    if row.closed_on and row.outcome != "in_progress":
        steps += ["submit_closure", "approve_closure"]
    return steps


@cache
def replay(steps: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(name, from, to) of each step, walked over the transition table; raises if a step does
    not start from where the previous one ended."""
    state, walked = str(Status.DRAFT), []
    previous_outcome = ""
    for name in steps:
        spec = TRANSITIONS[name]
        if state not in spec.sources:
            raise RuntimeError(f"import path {steps}: {name} cannot start from {state}")
        target = str(spec.target) if spec.target is not None else previous_outcome
        walked.append((name, state, target))
        if target in OUTCOME_STATES:
            previous_outcome = target
        state = target
    return tuple(walked)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


def step_times(row: Row) -> dict[str, dt.datetime]:
    """When each step happened. The register has dates only: receipt 09:00, acceptance 10:00,
    start 10:30, agreement 14:00/15:00, outcome 16:00, closure 16:30/17:00 (Beijing), so the
    steps of one day keep their order."""
    accepted = row.accepted_on or row.received_on
    outcome_day = row.closed_on or accepted
    times = {
        "register": _at(row.received_on, 9),
        "accept": _at(accepted, 10),
        "start": _at(accepted, 10, 30),
        "draft_agreement": _at(outcome_day, 14),
        "make_effective": _at(outcome_day, 15),
        "submit_closure": _at(outcome_day, 16, 30),
        "approve_closure": _at(outcome_day, 17),
    }
    for name in ("reject", "terminate", "withdraw", "confirm_performance", "record_non_performance"):
        times[name] = _at(outcome_day, 16)
    return times


class _Calendar:
    """Deadline arithmetic of cases.deadlines over one calendar query for the whole file."""

    def __init__(self, rows: Sequence[Row]) -> None:
        first = min((r.received_on for r in rows), default=timezone.localdate())
        last = max((r.closed_on or r.accepted_on or r.received_on for r in rows), default=first)
        self.calendar = deadlines.WorkCalendar(first, last + dt.timedelta(days=120))

    def calendar_days(self, start: dt.date, days: int) -> dt.date:
        return deadlines.roll_to_working_day(start + dt.timedelta(days=days), self.calendar)

    def working_days(self, start: dt.date, days: int) -> dt.date:
        day, counted = start, 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.calendar.is_working_day(day):
                counted += 1
        return day


# --- writing ------------------------------------------------------------------------------------


def _insert_plain(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT rows given as {attname: value} without building model instances: the history
    and event rows, whose ids nobody needs back (about a third of the cost of bulk_create).
    Values are prepared by their fields as the ORM would (encryption, times, JSON)."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    connection = connections[router.db_for_write(model) or DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model, values bound)
        quote(model._meta.db_table),
        ", ".join(quote(f.column or f.name) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(row.get(f.attname, f.get_default()), connection) for f in fields]
                    for row in rows[start : start + 2000]
                ],
            )


def _history(model: type[models.Model], objs: Iterable[models.Model], *, actor: User, reason: str) -> None:
    """One '+' history row per created object, as simple-history writes it on save."""
    historical = model.history.model  # type: ignore[attr-defined]
    now = timezone.now()
    _insert_plain(
        historical,
        [
            {f.attname: getattr(obj, f.attname) for f in historical.tracked_fields}
            | {"history_date": now, "history_user_id": actor.pk, "history_change_reason": reason, "history_type": "+"}
            for obj in objs
        ],
    )


#: Case fields each step sets (as the services set them); the history rows show them appear.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "register": ("received_at", "registry_number", "arbitration_release_on", "acceptance_due_on"),
    "accept": ("accepted_at", "case_number", "mediation_due_on"),
    "start": ("mediation_started_at",),
    "reject": ("rejection_reason", "outcome_note", "outcome_at"),
    "withdraw": ("withdrawal_reason", "outcome_note", "outcome_at"),
    "terminate": ("termination_reason", "outcome_note", "outcome_at"),
    "confirm_performance": ("outcome_at",),
    "record_non_performance": ("outcome_at",),
    "submit_closure": ("pre_closure_status",),
    "approve_closure": ("closed_at",),
}


class _Writer:
    def __init__(self, *, actor: User, organization: Organization, report: ImportReport, sha256: str) -> None:
        self.actor, self.organization, self.report, self.sha256 = actor, organization, report, sha256
        self.now = timezone.now()
        self.reason = f"import {report.batch}"
        self.persons: dict[str, Person] = {}  # by ID-number hash
        self.employers: dict[tuple[str, str], Employer] = {}  # by (USCC, name-if-no-USCC)

    def write(self, rows: list[Row], progress: Progress | None) -> None:
        total = len(rows)
        calendar = _Calendar(rows)
        registry = _NumberAllocator(self.organization, NumberSeries.REGISTRY, self.actor)
        numbers = _NumberAllocator(self.organization, NumberSeries.CASE, self.actor)
        registry_numbers = registry.allocate([(r.received_on, r.number, "") for r in rows])
        case_numbers = numbers.allocate([(r.accepted_on, r.number, r.case_number) for r in rows if r.accepted_on])
        self._load_parties(rows)
        for start in range(0, total, CHUNK):
            chunk = rows[start : start + CHUNK]
            cases = [self._case(r, calendar, registry_numbers[r.number], case_numbers.get(r.number, "")) for r in chunk]
            Case.objects.bulk_create(cases)
            self._case_history(chunk, cases)
            parties = self._parties(chunk, cases)
            self._claims(chunk, cases, parties)
            self._agreements(chunk, cases, parties, calendar)
            self._events(chunk, cases)
            self.report.case_ids += [c.pk for c in cases]
            if progress:
                progress(min(start + CHUNK, total), total)
        self.report.created = total

    # cases

    def _case(self, row: Row, calendar: _Calendar, registry_number: str, case_number: str) -> Case:
        walked = replay(tuple(path_of(row)))
        times = step_times(row)
        names = {name for name, _from, _to in walked}
        reason_note = IMPORT_REASON + "，原始台账未记载理由"
        transfer = f"移送去向：{TRANSFER_LABELS[row.transferred_to]}" if row.transferred_to else ""
        outcome_at = next((times[n] for n, _f, to in walked if to in OUTCOME_STATES and _f != Status.CLOSING), None)
        values: dict[str, Any] = {
            "organization": self.organization,
            "dispute_type": row.dispute_type,
            "workers_involved": row.workers_involved,
            "is_collective": row.workers_involved >= 10,
            "file_type": row.file_type,
            "facts_summary": "",
            "created_by": self.actor,
            "created_at": times["register"],
            "received_at": times["register"],
            "registry_number": registry_number,
            "arbitration_release_on": calendar.calendar_days(row.received_on, deadlines.ARBITRATION_RELEASE_DAYS),
            "acceptance_due_on": calendar.working_days(row.received_on, deadlines.ACCEPTANCE_WORKING_DAYS),
            "outcome_note": "；".join(
                p for p in (reason_note if names & {"reject", "withdraw", "terminate"} else "", transfer) if p
            ),
            "outcome_at": outcome_at,
            "status": walked[-1][2],  # the state the replayed path ends in (see the module docstring)
        }
        if "accept" in names and row.accepted_on:
            values |= {
                "accepted_at": times["accept"],
                "case_number": case_number,
                "mediation_due_on": calendar.calendar_days(row.accepted_on, deadlines.MEDIATION_DAYS),
            }
        if "start" in names:
            values["mediation_started_at"] = times["start"]
        for name, field_name in (
            ("reject", "rejection_reason"),
            ("withdraw", "withdrawal_reason"),
            ("terminate", "termination_reason"),
        ):
            if name in names:
                values[field_name] = "other"
        if "submit_closure" in names:
            values["pre_closure_status"] = next(f for n, f, _to in walked if n == "submit_closure")
        if "approve_closure" in names:
            values["closed_at"] = times["approve_closure"]
        return Case(**values)

    def _case_history(self, rows: list[Row], cases: list[Case]) -> None:
        """One history row per state the case went through, with the fields of that moment."""
        historical = Case.history.model  # type: ignore[attr-defined]
        tracked = historical.tracked_fields
        history = []
        for row, case in zip(rows, cases, strict=True):
            walked = replay(tuple(path_of(row)))
            stamped = {f for name, _from, _to in walked for f in STEP_FIELDS.get(name, ())}
            blank = {f.attname: (None if f.null else "") for f in tracked if f.name in stamped}
            current = {f.attname: getattr(case, f.attname) for f in tracked} | blank | {"status": Status.DRAFT}
            snapshots = [("+", "import: create", dict(current))]
            for name, _from, to in walked:
                for field_name in STEP_FIELDS.get(name, ()):
                    attname = Case._meta.get_field(field_name).attname
                    current[attname] = getattr(case, attname)
                current["status"] = to
                snapshots.append(("~", f"import: {name}", dict(current)))
            for kind, reason, values in snapshots:
                values |= {
                    "history_date": self.now,
                    "history_user_id": self.actor.pk,
                    "history_change_reason": f"{reason} ({self.report.batch} #{row.number})",
                    "history_type": kind,
                }
                history.append(values)
        _insert_plain(historical, history)

    # parties and claims

    def _load_parties(self, rows: list[Row]) -> None:
        hashes = {crypto.lookup_hash(a.id_number) for r in rows for a in r.applicants if a.id_number}
        for chunk in _chunks(sorted(hashes), 500):
            for person in Person.objects.filter(id_number_hash__in=chunk).order_by("pk"):
                self.persons.setdefault(person.id_number_hash, person)
        usccs = {r.respondent_uscc for r in rows if r.respondent_uscc}
        names = {r.respondent_name for r in rows if not r.respondent_uscc}
        for chunk in _chunks(sorted(usccs), 500):
            for employer in Employer.objects.filter(uscc__in=chunk):
                self.employers[(employer.uscc, "")] = employer
        for chunk in _chunks(sorted(names), 500):
            for employer in Employer.objects.filter(uscc="", name__in=chunk).order_by("pk"):
                self.employers.setdefault(("", employer.name), employer)

    def _person(self, applicant: Applicant, new: list[Person]) -> Person:
        key = crypto.lookup_hash(applicant.id_number) if applicant.id_number else ""
        if key and key in self.persons:
            return self.persons[key]
        birth_date, sex = None, ""
        if applicant.id_number:
            number = applicant.id_number
            birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            sex = case_vocab.Sex.MALE if int(number[16]) % 2 else case_vocab.Sex.FEMALE
        person = Person(
            name=applicant.name,
            id_type=case_vocab.IdType.RESIDENT_ID,
            id_number=applicant.id_number,
            id_number_hash=key,
            phone=applicant.phone,
            phone_hash=crypto.lookup_hash(applicant.phone) if applicant.phone else "",
            birth_date=birth_date,
            sex=sex,
            created_at=self.now,
        )
        new.append(person)
        if key:
            self.persons[key] = person
        return person

    def _employer(self, row: Row, new: list[Employer]) -> Employer:
        key = (row.respondent_uscc, "" if row.respondent_uscc else row.respondent_name)
        employer = self.employers.get(key)
        if employer is None:
            employer = Employer(name=row.respondent_name, uscc=row.respondent_uscc, created_at=self.now)
            self.employers[key] = employer
            new.append(employer)
        return employer

    def _parties(self, rows: list[Row], cases: list[Case]) -> dict[int, list[CaseParty]]:
        new_persons: list[Person] = []
        new_employers: list[Employer] = []
        planned = []
        for row, case in zip(rows, cases, strict=True):
            persons = [self._person(a, new_persons) for a in row.applicants]
            planned.append((case, persons, self._employer(row, new_employers)))
        Person.objects.bulk_create(new_persons)
        Employer.objects.bulk_create(new_employers)
        _history(Person, new_persons, actor=self.actor, reason=self.reason)
        _history(Employer, new_employers, actor=self.actor, reason=self.reason)
        parties: dict[int, list[CaseParty]] = {}
        for case, persons, employer in planned:
            parties[case.pk] = [
                *(
                    CaseParty(
                        case=case, side=case_vocab.Side.APPLICANT, party_kind=case_vocab.PartyKind.WORKER, person=p
                    )
                    for p in dict.fromkeys(persons)
                ),
                CaseParty(
                    case=case,
                    side=case_vocab.Side.RESPONDENT,
                    party_kind=case_vocab.PartyKind.EMPLOYER,
                    employer=employer,
                ),
            ]
        created = [p for group in parties.values() for p in group]
        CaseParty.objects.bulk_create(created)
        _history(CaseParty, created, actor=self.actor, reason=self.reason)
        return parties

    def _claims(self, rows: list[Row], cases: list[Case], parties: dict[int, list[CaseParty]]) -> None:
        claims = [
            ClaimItem(
                case=case,
                claimant=parties[case.pk][0],
                claim_type=CLAIM_TYPES.get(row.dispute_type, case_vocab.ClaimType.OTHER),
                description=f"请求金额（{IMPORT_REASON}，明细见纸质卷宗）",
                amount=row.amount_claimed,
            )
            for row, case in zip(rows, cases, strict=True)
        ]
        ClaimItem.objects.bulk_create(claims)
        _history(ClaimItem, claims, actor=self.actor, reason=self.reason)

    def _agreements(
        self, rows: list[Row], cases: list[Case], parties: dict[int, list[CaseParty]], calendar: _Calendar
    ) -> None:
        """The effective agreement of a settled case: its agreed sum as one payment obligation
        (or, with no sum, one non-monetary obligation) and the recovered sum as one payment."""
        settled = [(r, c) for r, c in zip(rows, cases, strict=True) if r.outcome == "settled"]
        agreements = []
        for row, case in settled:
            times = step_times(row)
            effective = times["make_effective"]
            agreements.append(
                Agreement(
                    case=case,
                    status=mediation_vocab.AgreementStatus.EFFECTIVE,
                    effective_at=effective,
                    judicial_confirmation_due_on=calendar.calendar_days(effective.date(), 30),
                    created_by=self.actor,
                    created_at=times["draft_agreement"],
                )
            )
        Agreement.objects.bulk_create(agreements)
        _history(Agreement, agreements, actor=self.actor, reason=self.reason)
        obligations = []
        for (row, case), agreement in zip(settled, agreements, strict=True):
            day = step_times(row)["make_effective"].date()
            money = bool(row.amount_agreed)
            obligations.append(
                Obligation(
                    agreement=agreement,
                    kind=mediation_vocab.ObligationKind.PAYMENT if money else mediation_vocab.ObligationKind.OTHER_ACT,
                    obligor=parties[case.pk][-1],
                    obligee=parties[case.pk][0],
                    description=f"{'协议金额' if money else '协议约定的非金钱义务'}（{IMPORT_REASON}，明细见纸质卷宗）",
                    amount=row.amount_agreed if money else None,
                    due_on=day,
                    performed_on=day if not money and row.performed else None,
                    position=1,
                )
            )
        Obligation.objects.bulk_create(obligations)
        _history(Obligation, obligations, actor=self.actor, reason=self.reason)
        payments = [
            PaymentRecord(
                obligation=obligation,
                amount=row.amount_recovered,
                paid_on=(row.closed_on or row.accepted_on or row.received_on),
                method=mediation_vocab.PaymentMethod.OTHER,
                channel=mediation_vocab.RecoveryChannel.AGREEMENT,
                note=f"挽回金额（{IMPORT_REASON}）",
                confirmed_by=self.actor,
                created_at=self.now,
            )
            for (row, _case), obligation in zip(settled, obligations, strict=True)
            if row.amount_recovered
        ]
        PaymentRecord.objects.bulk_create(payments)
        _history(PaymentRecord, payments, actor=self.actor, reason=self.reason)

    # events

    def _events(self, rows: list[Row], cases: list[Case]) -> None:
        """The created event, one event per transition at its historic time, and the import
        note at the time of the import; chained and inserted by `_insert_chained`."""
        events: list[dict[str, Any]] = []
        for row, case in zip(rows, cases, strict=True):
            reference = {"import_batch": self.report.batch, "row": row.number}
            times = step_times(row)
            common = {"case_id": case.pk, "actor_id": self.actor.pk, "from_status": "", "name": ""}
            events.append(
                common
                | {
                    "kind": EventKind.CREATED,
                    "to_status": Status.DRAFT,
                    "reason": IMPORT_REASON,
                    "payload": reference,
                    "created_at": times["register"],
                }
            )
            for name, from_status, to_status in replay(tuple(path_of(row))):
                payload = dict(reference)
                if name == "register":
                    payload["registry_number"] = case.registry_number
                elif name == "accept":
                    payload["case_number"] = case.case_number
                events.append(
                    common
                    | {
                        "kind": EventKind.TRANSITION,
                        "name": name,
                        "from_status": from_status,
                        "to_status": to_status,
                        "reason": IMPORT_REASON,
                        "payload": payload,
                        "created_at": times[name],
                    }
                )
            note = _("由 %(user)s 从文件《%(file)s》第%(row)d行导入（批次 %(batch)s）。") % {
                "user": self.actor,
                "file": self.report.file_name,
                "row": row.number,
                "batch": self.report.batch,
            }
            events.append(
                common
                | {
                    "kind": EventKind.NOTE,
                    "name": "import",
                    "to_status": "",
                    "reason": note,
                    "payload": reference
                    | {
                        "file": self.report.file_name,
                        "sha256": self.sha256,
                        "actor": self.actor.username,
                        "outcome": row.outcome,
                        "transferred_to": row.transferred_to,
                    },
                    "created_at": self.now,
                }
            )
        _insert_chained(events)


def _insert_chained(events: list[dict[str, Any]]) -> None:
    """Insert the events of cases created in this transaction, each chained to the one
    before it exactly as `CaseEvent.save` (cases.audit.chain_and_save) chains them.

    CaseEvent's manager refuses bulk_create because a plain bulk insert would skip the chain;
    here the chain is computed first, with the same functions, from the genesis hash (the
    cases are new: they have no earlier events, and no other transaction can see them yet,
    so nothing can append to their chains concurrently; the per-case advisory lock of
    chain_and_save has nothing to serialise). `verify_audit` checks the result like any
    other chain (tests/reports/test_import.py does). Saving 80,000 events one by one costs
    four queries each, several minutes for a 10,000-row register."""
    case_ids = {event["case_id"] for event in events}
    if CaseEvent.objects.filter(case_id__in=case_ids).exists():
        raise RuntimeError("bulk chaining is only for cases created in this import")
    previous: dict[int, str] = {}
    for event in events:
        event["prev_hash"] = previous.get(event["case_id"], audit.GENESIS_HASH)
        event["hash"] = audit.event_hash(event["prev_hash"], audit.event_fields(SimpleNamespace(**event)))  # type: ignore[arg-type]
        previous[event["case_id"]] = event["hash"]
    _insert_plain(CaseEvent, events)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _NumberAllocator:
    """Registry and case numbers for many cases at once, as cases.services.number_allocate
    issues them (per organisation, series and Beijing year; in order of the date, then row),
    taking each year's counter once under its row lock. Numbers given in the file are kept;
    a given number in this organisation's format moves the counter past it, so the numbers
    issued later never collide with it."""

    def __init__(self, organization: Organization, series: str, actor: User) -> None:
        self.organization, self.series, self.actor = organization, series, actor
        self.template = (
            organization.case_number_template if series == NumberSeries.CASE else organization.registry_number_template
        )

    def _format(self, year: int, seq: int) -> str:
        return self.template.format(year=year, short_code=self.organization.short_code, seq=seq)

    def _seq_of(self, year: int, number: str) -> int | None:
        for digits in re.findall(r"[0-9]+", number):
            if self._format(year, int(digits)) == number:
                return int(digits)
        return None

    def allocate(self, wanted: list[tuple[dt.date | None, int, str]]) -> dict[int, str]:
        """{row: number} for (date, row, given number) triples."""
        by_year: dict[int, list[tuple[dt.date, int, str]]] = defaultdict(list)
        for day, row, given in wanted:
            if day is not None:
                by_year[day.year].append((day, row, given))
        result: dict[int, str] = {}
        for year, items in sorted(by_year.items()):
            sequence = self._lock(year)
            last = sequence.last_value
            given_seqs = [s for _d, _r, given in items if given and (s := self._seq_of(year, given)) is not None]
            last = max([last, *given_seqs])
            for _day, row, given in sorted(items):
                if given:
                    result[row] = given
                else:
                    last += 1
                    result[row] = self._format(year, last)
            if last != sequence.last_value:
                sequence.last_value = last
                save_with_history(
                    sequence, actor=self.actor, reason=f"import {self.series}", update_fields=["last_value"]
                )
        return result

    def _lock(self, year: int) -> CaseNumberSequence:
        lookup = {"organization": self.organization, "year": year, "series": self.series}
        if not CaseNumberSequence.objects.filter(**lookup).exists():
            try:
                with transaction.atomic():
                    save_with_history(
                        CaseNumberSequence(**lookup), actor=self.actor, reason=f"open {self.series} {year}"
                    )
            except IntegrityError:
                pass  # opened concurrently; lock it below
        return CaseNumberSequence.objects.select_for_update().get(**lookup)
