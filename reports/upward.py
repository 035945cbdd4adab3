"""Upward reporting (上报): services and selectors (docs/statistics.md "Upward reporting").

- `submission_preview` / `submission_submit`: a town centre's director submits one period
  (month, quarter, year) to the district above it. The figures are the standard periodic
  report of the town (reports.standard, built on reports.selectors.case_stats), stored as a
  locked snapshot with QUERY_VERSION and the ids of the cases they count; the files are the
  archived case files of the town's cases closed in the period. A period already submitted
  is submitted again only as a correction: a new version, superseding the latest, with a
  reason.
- `submission_review_file` / `submission_finish_review`: a director of the district marks
  each file 规范 (accepted) or returns it with a comment, then finishes the review: accepted
  when every file is 规范, returned when any file was returned.
- `submission_list` / `submission_get_for_user`: what a user may read — the submissions of
  the organisations where they are director or auditor, and of those below them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import active_memberships, roles_for_organization
from accounts.models import Organization, OrganizationLevel, Role, User
from cases.models import Case
from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from core.history import save_with_history
from documents.models import ArchiveVolume, VolumeStatus
from reports.dashboard import REPORT_ROLES, add_months, report_organizations
from reports.models import FileVerdict, PeriodKind, ReportSubmission, SubmissionFile, SubmissionStatus
from reports.selectors import attributed_q, case_stats, period_bounds
from reports.standard import build_report, report_json

#: The version of the figures' query: bump it whenever reports.selectors.case_stats or the
#: periodic report (reports.standard.periodic_report) count differently, so that a locked
#: snapshot says which rules produced it.
QUERY_VERSION = "periodic-report/1"
OPEN_STATES = (SubmissionStatus.SUBMITTED, SubmissionStatus.UNDER_REVIEW)
COMMENT_MAX = 2000


# --- periods -------------------------------------------------------------------------------------


def period_dates(kind: str, year: int, number: int | None) -> tuple[dt.date, dt.date]:
    """The first and last day of month `number`, quarter `number` or the whole `year`.
    Raises ApplicationError with field errors on a bad kind, year or number."""
    if kind not in PeriodKind.values:
        message = _("请选择月报、季报或年报。")
        raise ApplicationError(message, fields={"period_kind": [message]})
    if not 2000 <= year <= 2099:
        message = _("年度应在 2000 至 2099 之间。")
        raise ApplicationError(message, fields={"year": [message]})
    if kind == PeriodKind.YEAR:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    months, top = (1, 12) if kind == PeriodKind.MONTH else (3, 4)
    if number is None or not 1 <= number <= top:
        message = _("月份应为 1 至 12。") if kind == PeriodKind.MONTH else _("季度应为 1 至 4。")
        raise ApplicationError(message, fields={"number": [message]})
    first = dt.date(year, (number - 1) * months + 1, 1)
    return first, add_months(first, months) - dt.timedelta(days=1)


def period_label(submission: ReportSubmission) -> str:
    start = submission.date_from
    if submission.period_kind == PeriodKind.YEAR:
        return _("%(year)d年") % {"year": start.year}
    if submission.period_kind == PeriodKind.QUARTER:
        return _("%(year)d年第%(q)d季度") % {"year": start.year, "q": (start.month - 1) // 3 + 1}
    return _("%(year)d年%(month)d月") % {"year": start.year, "month": start.month}


# --- who may do what -----------------------------------------------------------------------------


def submitting_organizations(user: Any) -> list[Organization]:
    """The town centres where `user` is director themselves (not through the district): the
    organisations they may submit for."""
    return sorted(
        (
            m.organization
            for m in active_memberships(user)
            if m.role == Role.DIRECTOR
            and m.organization is not None
            and m.organization.level == OrganizationLevel.STREET_TOWN
            and m.organization.parent_id is not None
        ),
        key=lambda org: org.code,
    )


def reviewing_organizations(user: Any) -> list[Organization]:
    """The organisations whose inbox `user` reviews: where they are director and which have
    towns below them."""
    orgs = [m.organization for m in active_memberships(user) if m.role == Role.DIRECTOR and m.organization]
    return [org for org in orgs if org.level != OrganizationLevel.STREET_TOWN]


def may_review(user: Any, submission: ReportSubmission) -> bool:
    return Role.DIRECTOR in roles_for_organization(user, submission.target)


def may_correct(user: Any, submission: ReportSubmission) -> bool:
    return submission.organization in submitting_organizations(user)


def _require_submitter(user: Any, organization: Organization) -> None:
    if organization not in submitting_organizations(user):
        raise PermissionDeniedError(_("只有镇街调解分中心的中心主任可以上报本中心的报表。"))


# --- reads ---------------------------------------------------------------------------------------


def submission_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[ReportSubmission]:
    """The submissions `user` may read, newest first; filters: organization (code), status,
    period_kind, inbox (only those sent to an organisation the user reviews for)."""
    filters = filters or {}
    org_ids = [org.pk for org in report_organizations(user)]
    rows = ReportSubmission.objects.filter(organization_id__in=org_ids).select_related(
        "organization", "target", "submitted_by", "reviewed_by"
    )
    if filters.get("organization"):
        rows = rows.filter(organization__code=filters["organization"])
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("period_kind"):
        rows = rows.filter(period_kind=filters["period_kind"])
    if filters.get("inbox"):
        rows = rows.filter(target__in=reviewing_organizations(user))
    return rows.order_by("-submitted_at", "-pk")


def submission_get_for_user(*, submission_id: Any, user: Any) -> ReportSubmission:
    """The submission if `user` reads it (director or auditor of the submitting organisation
    or above it); anything else, a missing one included, is a 404."""
    if not str(submission_id).isdigit():
        raise Http404
    submission = (
        ReportSubmission.objects.select_related("organization", "target", "submitted_by", "reviewed_by", "supersedes")
        .filter(pk=int(submission_id))
        .first()
    )
    if submission is None or not roles_for_organization(user, submission.organization) & REPORT_ROLES:
        raise Http404
    return submission


def submission_files(submission: ReportSubmission) -> list[SubmissionFile]:
    return list(submission.files.select_related("volume__case", "reviewed_by").order_by("archive_number", "pk"))


def latest_version(submission: ReportSubmission) -> ReportSubmission:
    """The newest version of the submission's period (itself when it was not corrected)."""
    return (
        ReportSubmission.objects.filter(
            organization_id=submission.organization_id,
            period_kind=submission.period_kind,
            date_from=submission.date_from,
        )
        .order_by("-version")
        .first()
        or submission
    )


# --- the figures and the files of a period ------------------------------------------------------


@dataclass
class Preview:
    organization: Organization
    period_kind: str
    date_from: dt.date
    date_to: dt.date
    snapshot: dict[str, Any]
    case_ids: list[int]
    volumes: list[ArchiveVolume]
    not_archived: int
    previous: ReportSubmission | None


def _volumes(organization: Organization, date_from: dt.date, date_to: dt.date) -> tuple[list[ArchiveVolume], int]:
    """The archived files of the organisation's cases closed in the period, and how many
    cases closed in it are not archived yet."""
    start, end = period_bounds(date_from, date_to)
    closed = Case.objects.filter(organization=organization, closed_at__gte=start, closed_at__lt=end)
    volumes = list(
        ArchiveVolume.objects.filter(case__in=closed, status=VolumeStatus.ARCHIVED)
        .select_related("case")
        .order_by("archive_number", "pk")
    )
    archived = {volume.case_id for volume in volumes}
    return volumes, closed.exclude(pk__in=archived).count()


def _snapshot(organization: Organization, date_from: dt.date, date_to: dt.date) -> tuple[dict[str, Any], list[int]]:
    report = build_report(
        kind="periodic", organization=organization, date_from=date_from, date_to=date_to, include_children=False
    )
    stats = case_stats(organization=organization, date_from=date_from, date_to=date_to, include_children=False)
    start, end = period_bounds(date_from, date_to)
    case_ids = sorted(
        Case.objects.filter(organization=organization)
        .filter(attributed_q(start=start, end=end))
        .values_list("pk", flat=True)
    )
    return {"stats": stats, "report": report_json(report)}, case_ids


def submission_preview(
    *, actor: User, organization: Organization, period_kind: str, year: int, number: int | None
) -> Preview:
    """What `submission_submit` would lock: the figures and the files of the period."""
    _require_submitter(actor, organization)
    date_from, date_to = period_dates(period_kind, year, number)
    snapshot, case_ids = _snapshot(organization, date_from, date_to)
    volumes, not_archived = _volumes(organization, date_from, date_to)
    previous = (
        ReportSubmission.objects.filter(organization=organization, period_kind=period_kind, date_from=date_from)
        .order_by("-version")
        .first()
    )
    return Preview(organization, period_kind, date_from, date_to, snapshot, case_ids, volumes, not_archived, previous)


# --- writes --------------------------------------------------------------------------------------


def _clean_text(value: str, field: str, *, required: bool, missing: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ApplicationError(missing, fields={field: [missing]})
    if len(text) > COMMENT_MAX:
        message = _("不超过%(n)d个字。") % {"n": COMMENT_MAX}
        raise ApplicationError(message, fields={field: [message]})
    return text


def submission_submit(
    *,
    actor: User,
    organization: Organization,
    period_kind: str,
    year: int,
    number: int | None = None,
    correction_reason: str = "",
) -> ReportSubmission:
    """上报: lock the period's figures and attach its archived files. A period submitted
    before is submitted again only with a correction reason (a new version)."""
    _require_submitter(actor, organization)
    date_from, date_to = period_dates(period_kind, year, number)
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)  # one version at a time
        previous = (
            ReportSubmission.objects.filter(organization=organization, period_kind=period_kind, date_from=date_from)
            .order_by("-version")
            .first()
        )
        reason = _clean_text(
            correction_reason,
            "correction_reason",
            required=previous is not None,
            missing=_("本期已上报（第%(v)d版）：重新上报须填写更正原因。") % {"v": previous.version}
            if previous
            else "",
        )
        if previous is None and reason:
            message = _("本期尚未上报，不是更正，请清空更正原因。")
            raise ApplicationError(message, fields={"correction_reason": [message]})
        volumes, _not_archived = _volumes(organization, date_from, date_to)
        if not volumes:
            message = _("本期没有已归档的案卷，不能上报：请先将本期结案的案件立卷归档。")
            raise ApplicationError(message, fields={"period": [message]})
        snapshot, case_ids = _snapshot(organization, date_from, date_to)
        submission = ReportSubmission(
            organization=organization,
            target=organization.parent,
            period_kind=period_kind,
            date_from=date_from,
            date_to=date_to,
            version=previous.version + 1 if previous else 1,
            supersedes=previous,
            correction_reason=reason,
            snapshot=snapshot,
            query_version=QUERY_VERSION,
            case_ids=case_ids,
            submitted_by=actor,
            submitted_at=timezone.now(),
        )
        save_with_history(submission, actor=actor, reason="correction submitted" if previous else "submitted")
        for volume in volumes:
            row = SubmissionFile(submission=submission, volume=volume, archive_number=volume.archive_number)
            save_with_history(row, actor=actor, reason="attached")
    return submission


def _open_for_review(submission: ReportSubmission, actor: User) -> ReportSubmission:
    """The submission locked for update, if `actor` may review it now."""
    if not may_review(actor, submission):
        raise PermissionDeniedError(_("只有接收单位（区中心）的中心主任可以审核上报。"))
    locked = ReportSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.status not in OPEN_STATES:
        raise ConflictError(_("该上报已审核完毕（%s），不能再修改审核结论。") % locked.get_status_display())
    if locked.corrections.exists():
        raise ConflictError(_("该上报已有更正版本，请审核最新版本。"))
    return locked


def submission_review_file(*, actor: User, file: SubmissionFile, verdict: str, comment: str = "") -> SubmissionFile:
    """The district's verdict on one file: 规范 (accepted), or returned with a comment."""
    if verdict not in (FileVerdict.ACCEPTED, FileVerdict.RETURNED):
        message = _("请选择“规范”或“退回”。")
        raise ApplicationError(message, fields={"verdict": [message]})
    text = _clean_text(
        comment, "comment", required=verdict == FileVerdict.RETURNED, missing=_("退回案卷须填写审核意见。")
    )
    with transaction.atomic():
        submission = _open_for_review(file.submission, actor)
        row = SubmissionFile.objects.select_for_update().get(pk=file.pk)
        row.verdict, row.comment = verdict, text
        row.reviewed_by, row.reviewed_at = actor, timezone.now()
        save_with_history(row, actor=actor, reason=f"file {verdict}")
        if submission.status == SubmissionStatus.SUBMITTED:
            submission.status = SubmissionStatus.UNDER_REVIEW
            save_with_history(submission, actor=actor, reason="review started")
    return row


def submission_finish_review(*, actor: User, submission: ReportSubmission, comment: str = "") -> ReportSubmission:
    """Finish the review: accepted when every file is 规范, returned when any is returned."""
    text = _clean_text(comment, "comment", required=False, missing="")
    with transaction.atomic():
        current = _open_for_review(submission, actor)
        verdicts = list(current.files.values_list("verdict", flat=True))
        pending = verdicts.count(FileVerdict.PENDING)
        if pending:
            raise ConflictError(_("还有 %d 份案卷未审核，请逐卷审核后再完成审核。") % pending)
        returned = FileVerdict.RETURNED in verdicts
        if returned and not text:
            text = _("有案卷被退回，请按各案卷的审核意见整改后更正上报。")
        current.status = SubmissionStatus.RETURNED if returned else SubmissionStatus.ACCEPTED
        current.reviewed_by, current.reviewed_at, current.review_comment = actor, timezone.now(), text
        save_with_history(current, actor=actor, reason=f"review {current.status}")
    return current


def submission_file_get(*, submission: ReportSubmission, file_id: Any) -> SubmissionFile:
    if not str(file_id).isdigit():
        raise Http404
    row = submission.files.filter(pk=int(file_id)).first()
    if row is None:
        raise Http404
    return row
