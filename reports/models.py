"""Upward reporting (上报, DOMAIN.md step 11 and §10; docs/statistics.md "Upward reporting").

A town centre submits the figures of one period (月报/季报/年报) and the archived case files
(卷宗) of the cases closed in it to its district. The figures are a snapshot: computed once
by the same selector as the statistics and the standard periodic report, stored with the
version of that query, and never changed afterwards (`save()` refuses it, as a ready
CaseDocument refuses a new file). A correction is a new submission of the same period with a
higher version, the one it supersedes and a reason. The district reviews each file
(规范 / returned with a comment) and then finishes the review.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organization
from cases.models import Case
from documents.models import ArchiveVolume

USER = settings.AUTH_USER_MODEL


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")
    YEAR = "year", _("年报")


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已上报，待审核")
    UNDER_REVIEW = "under_review", _("审核中")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


class FileVerdict(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("规范")
    RETURNED = "returned", _("退回")


#: What a submission locks when it is created: the period, the figures and where they came from.
LOCKED_FIELDS = (
    "organization_id",
    "target_id",
    "period_kind",
    "date_from",
    "date_to",
    "version",
    "supersedes_id",
    "correction_reason",
    "snapshot",
    "query_version",
    "case_ids",
    "submitted_by_id",
    "submitted_at",
)


class ReportSubmission(models.Model):
    """One submission (上报) of a town centre's periodic report to its district."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("上报单位"), on_delete=models.PROTECT, related_name="report_submissions"
    )
    target = models.ForeignKey(
        Organization, verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="received_submissions"
    )
    period_kind = models.CharField(_("报表类型"), max_length=10, choices=PeriodKind.choices)
    date_from = models.DateField(_("起始日期"))
    date_to = models.DateField(_("截止日期"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("更正的上报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_reason = models.TextField(_("更正原因"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED
    )
    snapshot = models.JSONField(_("报表数字（锁定）"), default=dict)
    query_version = models.CharField(_("统计口径版本"), max_length=40)
    case_ids = models.JSONField(_("计入本期的案件"), default=list, help_text=_("案件 id，供审计复核"))
    submitted_by = models.ForeignKey(USER, verbose_name=_("上报人"), on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核完成时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("上报")
        verbose_name_plural = _("上报")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period_kind", "date_from", "version"], name="submission_version_unique"
            ),
            models.CheckConstraint(
                name="submission_correction_has_reason",
                condition=Q(version=1, supersedes__isnull=True)
                | (Q(version__gt=1, supersedes__isnull=False) & ~Q(correction_reason="")),
            ),
            models.CheckConstraint(name="submission_period_ordered", condition=Q(date_from__lte=models.F("date_to"))),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.date_from:%Y-%m-%d}—{self.date_to:%Y-%m-%d} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        stored = getattr(self, "_stored_locked", None)
        if stored is not None and stored != self._locked_values():
            raise TypeError("a submitted report is a locked snapshot; submit a correction instead")
        super().save(*args, **kwargs)
        self._stored_locked = copy.deepcopy(self._locked_values())

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a submitted report is never deleted")

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:  # type: ignore[override]
        instance = super().from_db(db, field_names, values)
        if all(name in instance.__dict__ for name in LOCKED_FIELDS):
            instance._stored_locked = copy.deepcopy(instance._locked_values())  # type: ignore[attr-defined]
        return instance

    def _locked_values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in LOCKED_FIELDS)


class SubmissionFile(models.Model):
    """One archived case file (卷宗) of a submission and the district's verdict on it.

    It points at the volume, not at the case: it is the district's record about the file,
    not case data, which an archived case refuses (documents.workflow.refuse_archived)."""

    submission = models.ForeignKey(
        ReportSubmission, verbose_name=_("上报"), on_delete=models.PROTECT, related_name="files"
    )
    volume = models.ForeignKey(ArchiveVolume, verbose_name=_("卷宗"), on_delete=models.PROTECT, related_name="+")
    archive_number = models.CharField(_("档号"), max_length=60)
    verdict = models.CharField(_("审核结论"), max_length=10, choices=FileVerdict.choices, default=FileVerdict.PENDING)
    comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("上报案卷")
        verbose_name_plural = _("上报案卷")
        ordering = ["archive_number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "volume"], name="submission_file_unique"),
            models.CheckConstraint(
                name="submission_file_returned_has_comment", condition=~Q(verdict="returned") | ~Q(comment="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.archive_number} ({self.get_verdict_display()})"

    @property
    def case(self) -> Case:
        return self.volume.case
