"""Case documents (文书), their downloads, and the archived case file (卷宗).

A `CaseDocument` is one rendering of one document kind for one case (and, for kinds that
exist once per session, service record, follow-up, extension or transfer, for one subject).
It is created `pending`, rendered in the background, and then either `ready` (file and
SHA-256 set, immutable from then on) or `failed` (error recorded, no file). A correction is a
new version with a reason; the old one stays.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case

USER = settings.AUTH_USER_MODEL


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")


class Copy(models.TextChoices):
    """Whose copy a rendering is: masking depends on it (DOMAIN.md §11.3)."""

    FILE = "file", _("存档原件")
    APPLICANT = "applicant", _("申请人副本")
    RESPONDENT = "respondent", _("被申请人副本")
    EXTERNAL = "external", _("对外提供副本")


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("文书"), max_length=8)
    #: The id of the row the document is about (session, service record…); 0 for the case itself.
    subject_id = models.PositiveBigIntegerField(_("对应记录"), default=0)
    copy_for = models.CharField(_("副本"), max_length=12, choices=Copy.choices, default=Copy.FILE)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    number = models.CharField(_("文书编号"), max_length=100, blank=True)
    title = models.CharField(_("题名"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    file = models.FileField(_("文件"), upload_to="documents/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("字节数"), default=0)
    page_count = models.PositiveIntegerField(_("页数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    reason = models.TextField(_("更正理由"), blank=True)
    supersedes = models.ForeignKey(
        "self", verbose_name=_("更正的版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(USER, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始生成时间"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("案件文书")
        verbose_name_plural = _("案件文书")
        ordering = ["case", "kind", "subject_id", "copy_for", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "subject_id", "copy_for", "version"],
                name="document_version_unique",
            ),
            models.CheckConstraint(
                name="document_ready_has_file",
                condition=~Q(status="ready") | (~Q(file="") & ~Q(sha256="")),
            ),
        ]
        indexes = [models.Index(fields=["case", "status"])]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_stored_status", None) == DocumentStatus.READY:
            raise TypeError("a ready document is immutable; render a new version")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "_stored_status", None) == DocumentStatus.READY:
            raise TypeError("a ready document is immutable")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:  # type: ignore[override]
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.status  # type: ignore[attr-defined]
        return instance

    @property
    def filename(self) -> str:
        base = (self.number or f"{self.case_id}-{self.kind}").replace("/", "-")
        return f"{base}-{self.kind}-v{self.version}.pdf" if self.kind not in base else f"{base}-v{self.version}.pdf"


class DocumentDownload(models.Model):
    """Every download of a document or an archive package, and every refused attempt."""

    document = models.ForeignKey(
        CaseDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="downloads"
    )
    volume = models.ForeignKey(
        "ArchiveVolume", null=True, blank=True, on_delete=models.PROTECT, related_name="downloads"
    )
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    granted = models.BooleanField(default=True)
    via = models.CharField(max_length=10, default="web")
    remote_addr = models.CharField(max_length=45, blank=True)

    class Meta:
        verbose_name = _("下载记录")
        verbose_name_plural = _("下载记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} {self.document or self.volume}"


class Retention(models.TextChoices):
    """保管期限 (DOMAIN.md §9.3)."""

    PERMANENT = "permanent", _("永久")
    Y30 = "30y", _("定期30年")
    Y10 = "10y", _("定期10年")


class VolumeStatus(models.TextChoices):
    PENDING = "pending", _("立卷中")
    ARCHIVED = "archived", _("已归档")
    FAILED = "failed", _("立卷失败")


class ArchiveVolume(models.Model):
    """卷宗: the bound case file, its archive package and its retention."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="volumes")
    status = models.CharField(_("状态"), max_length=10, choices=VolumeStatus.choices, default=VolumeStatus.PENDING)
    volume_type = models.CharField(_("案卷类型"), max_length=10)
    archive_number = models.CharField(_("档号"), max_length=60, blank=True)
    retention = models.CharField(_("保管期限"), max_length=10, choices=Retention.choices)
    retention_until = models.DateField(_("保管至"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    step = models.CharField(_("当前步骤"), max_length=100, blank=True)
    bundle = models.ForeignKey(
        CaseDocument, verbose_name=_("卷宗PDF"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    page_count = models.PositiveIntegerField(_("卷内页数"), default=0)
    package = models.FileField(_("归档包"), upload_to="archive/%Y/", blank=True)
    package_sha256 = models.CharField(_("归档包 SHA-256"), max_length=64, blank=True)
    manifest = models.JSONField(_("清单"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    filed_by = models.ForeignKey(USER, verbose_name=_("立卷人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    filed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("卷宗")
        verbose_name_plural = _("卷宗")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=["pending", "archived"]), name="one_live_volume_per_case"
            ),
        ]

    def __str__(self) -> str:
        return self.archive_number or f"{self.case} ({self.get_status_display()})"


class ArchiveSupplement(models.Model):
    """补充归档: the only change an archived case still accepts, logged in the file note (D22)."""

    volume = models.ForeignKey(ArchiveVolume, on_delete=models.PROTECT, related_name="supplements")
    description = models.TextField(_("补充说明"))
    added_by = models.ForeignKey(USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补充归档")
        verbose_name_plural = _("补充归档")
        ordering = ["added_at"]

    def __str__(self) -> str:
        return f"{self.volume} {self.added_at:%Y-%m-%d}"
