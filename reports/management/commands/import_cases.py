"""`manage.py import_cases FILE --organization CODE [--dry-run] [--skip-invalid] [--actor USERNAME]`:
load a case register (IMPORT_FORMAT.md, docs/import.md) through `reports.imports.case_import`.
A progress line on stderr, the report on stdout; exit status 1 when the file has errors."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization, User
from accounts.services import system_user
from core.exceptions import ApplicationError
from reports.imports import ImportReport, case_import


class Command(BaseCommand):
    help = "Import a case register (.xlsx or .csv in UTF-8/GBK) into an organisation; see docs/import.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the register, .xlsx or .csv (first row: the header)")
        parser.add_argument("--organization", required=True, help="organisation code, e.g. DX")
        parser.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="import the good rows, report the bad ones")
        parser.add_argument(
            "--actor", help="username recorded as the importer (a director of the organisation); default: system"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        organization = Organization.objects.filter(code=options["organization"]).first()
        if organization is None:
            raise CommandError(f"Unknown organisation {options['organization']!r}.")
        actor = system_user()
        if options["actor"]:
            found = User.objects.filter(username=options["actor"], is_active=True).first()
            if found is None:
                raise CommandError(f"Unknown or inactive user {options['actor']!r}.")
            actor = found
        started = time.monotonic()
        try:
            report = case_import(
                actor=actor,
                organization=organization,
                content=path.read_bytes(),
                file_name=path.name,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=self._progress,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write("")
        self.stdout.write(render_report(report, seconds=time.monotonic() - started))
        if report.errors:
            raise CommandError(f"{len(report.errors)} 处错误 / errors", returncode=1)

    def _progress(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        self.stderr.write(f"\r导入进度 / progress: {done}/{total} ({percent}%)", ending="")
        self.stderr.flush()


def render_report(report: ImportReport, *, seconds: float | None = None) -> str:
    mode = "（试运行，未写入 / dry run, nothing written）" if report.dry_run else ""
    lines = [
        f"文件 / file: {report.file_name}  批次 / batch: {report.batch} {mode}".rstrip(),
        f"读取 / rows read: {report.rows_read}",
        f"{'可导入' if report.dry_run else '已导入'} / {'would create' if report.dry_run else 'created'}: {report.created}",
        f"重复跳过 / skipped as duplicates: {report.skipped_duplicates}",
        f"有误 / invalid rows: {report.skipped_invalid}",
    ]
    if report.errors and not report.created:
        lines.append("有错误，未导入任何案件。 / There are errors: nothing was imported.")
    for row, existing in report.duplicates:
        lines.append(f"  第{row}行已在系统中（{existing}） / row {row} already imported ({existing})")
    for warning in report.warnings:
        lines.append(f"  提示 / note: {warning} / {warning.english}")
    for error in report.errors:
        lines.append(f"  错误 / error: {error} / row {error.row}, {error.english}")
    if seconds is not None:
        lines.append(f"用时 / time: {seconds:.1f} s")
    return "\n".join(lines)
