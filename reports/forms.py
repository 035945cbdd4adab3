"""Forms of the register import page, and which organisations a user may import into.
They parse and check the upload itself (size, kind, encoding); reports.imports decides
everything about its content."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import organizations_in_scope, roles_for_organization
from accounts.models import Organization, Role
from core.exceptions import PermissionDeniedError
from reports import imports

XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old .xls (and .doc)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def organizations_for_import(user: Any) -> list[Organization]:
    """The organisations whose register `user` may import: where they are director (中心主任),
    a district director for the district and its towns."""
    return [org for org in organizations_in_scope(user) if Role.DIRECTOR in roles_for_organization(user, org)]


def organization_for_import(user: Any, code: str) -> Organization:
    """The organisation of `code` if `user` may import into it. Outside the user's scope (or
    unknown) it is a 404, as every other object; inside it, without the director role, 403."""
    organization = next((org for org in organizations_in_scope(user) if org.code == code), None)
    if organization is None:
        raise Http404
    if Role.DIRECTOR not in roles_for_organization(user, organization):
        raise PermissionDeniedError(_("只有“%s”的中心主任可以导入案件台账。") % organization.name)
    return organization


def register_file_problem(upload: UploadedFile) -> str | None:
    """Why this upload is not a register the import can read, or None. Checks the size, the
    extension and that the content is what the extension says (a renamed file is refused)."""
    if (upload.size or 0) > imports.MAX_FILE_BYTES:
        return _("文件超过20MB，请拆分后导入。")
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix == ".xls":
        return _("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后导入。")
    if suffix not in (".xlsx", ".csv"):
        return _("只能导入 .xlsx 或 .csv 文件。")
    upload.seek(0)
    head = upload.read(65536)
    upload.seek(0)
    if not head.strip():
        return _("文件是空的：第一行应为表头。")
    if suffix == ".xlsx":
        if not head.startswith(XLSX_SIGNATURE):
            return _("文件内容不是 .xlsx 表格（可能是改了扩展名的其他文件），请在 Excel 中另存为 .xlsx 后导入。")
        return None
    if head.startswith((XLSX_SIGNATURE, OLE_SIGNATURE)):
        return _("文件内容是 Excel 表格而不是 CSV，请把扩展名改为 .xlsx，或另存为 CSV（UTF-8）。")
    if head.startswith(UTF16_BOMS) or b"\x00" in head:
        return _("无法识别文件编码（可能是 UTF-16 或二进制文件），请保存为 UTF-8 或 GBK 编码的 CSV。")
    return None


class RegisterUploadForm(forms.Form):
    organization = forms.CharField(label=gettext_lazy("调解组织"), max_length=20)
    file = forms.FileField(
        label=gettext_lazy("台账文件"),
        help_text=gettext_lazy("Excel（.xlsx，第一个工作表）或 CSV（UTF-8 或 GBK），第一行为表头，不超过20MB。"),
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(org.code, org.name) for org in organizations]
        self.fields["organization"].widget = forms.Select(choices=choices)
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].code
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        problem = register_file_problem(upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload

    @property
    def too_large(self) -> bool:
        upload = self.files.get("file")
        return upload is not None and (upload.size or 0) > imports.MAX_FILE_BYTES


class RegisterConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("跳过错误行"),
        required=False,
        help_text=gettext_lazy("只导入无误的行，有错误的行不导入；不勾选时，只要有一行有错误，整个文件都不导入。"),
    )
