"""API of upward reporting (上报; reports.upward, docs/statistics.md "Upward reporting").

- GET  /api/v1/report-submissions/: the submissions the caller reads (director or auditor of
  the submitting town or of an organisation above it), newest first;
- POST /api/v1/report-submissions/: a town director submits a period (a correction when the
  period was submitted before: correction_reason required);
- GET  /api/v1/report-submissions/{id}/: one submission with its locked figures and files;
- POST /api/v1/report-submissions/{id}/files/{file_id}/review/: the district's verdict on a file;
- POST /api/v1/report-submissions/{id}/finish-review/: accepted or returned.

Another organisation's submission answers 404, as a missing one does.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api import (
    WRITE_ERRORS,
    ApiView,
    DateField,
    DateTimeField,
    LimitOffsetPagination,
    UserRefSerializer,
    error_responses,
    paginate,
)
from core.exceptions import PermissionDeniedError
from reports import upward
from reports.dashboard import report_organizations
from reports.models import FileVerdict, PeriodKind, SubmissionStatus


def _actor(request: Request) -> User:
    return cast(User, request.user)


def _require_reader(request: Request) -> None:
    if not report_organizations(request.user):
        raise PermissionDeniedError(_("只有中心主任和督导审计可以查看上报。"))


def _serializer(name: str, fields: dict[str, Any], doc: str) -> type[serializers.Serializer]:
    """A serializer whose field names may be Python keywords ("from", "to")."""
    return type(name, (serializers.Serializer,), {"__doc__": doc, "__module__": __name__, **fields})


def _submission_fields() -> dict[str, Any]:
    return {
        "id": serializers.IntegerField(),
        "organization": serializers.CharField(source="organization.code", help_text="上报单位代码"),
        "organization_name": serializers.CharField(source="organization.name"),
        "target": serializers.CharField(source="target.code", help_text="接收单位代码（上级区中心）"),
        "period_kind": serializers.ChoiceField(choices=PeriodKind.choices),
        "from": DateField(source="date_from"),
        "to": DateField(source="date_to"),
        "version": serializers.IntegerField(help_text="版本：更正上报时递增"),
        "supersedes": serializers.IntegerField(source="supersedes_id", allow_null=True, help_text="更正的上报 id"),
        "correction_reason": serializers.CharField(),
        "status": serializers.ChoiceField(choices=SubmissionStatus.choices),
        "query_version": serializers.CharField(help_text="统计口径版本"),
        "submitted_by": UserRefSerializer(),
        "submitted_at": DateTimeField(),
        "reviewed_by": UserRefSerializer(allow_null=True),
        "reviewed_at": DateTimeField(allow_null=True),
        "review_comment": serializers.CharField(),
        "file_count": serializers.IntegerField(help_text="上报的案卷数"),
    }


SubmissionSerializer = _serializer("ReportSubmission", _submission_fields(), "一次上报（不含报表数字）。")


class SubmissionFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField(source="volume.case_id")
    case_number = serializers.CharField(source="volume.case.case_number")
    archive_number = serializers.CharField(help_text="档号")
    verdict = serializers.ChoiceField(choices=FileVerdict.choices)
    comment = serializers.CharField()
    reviewed_by = UserRefSerializer(allow_null=True)
    reviewed_at = DateTimeField(allow_null=True)


SubmissionDetailSerializer = _serializer(
    "ReportSubmissionDetail",
    {
        **_submission_fields(),
        "snapshot": serializers.JSONField(
            help_text="锁定的报表数字：stats 为与 GET /api/v1/stats/ 相同的统计，report 为标准月报/季报/年报"
        ),
        "case_ids": serializers.ListField(child=serializers.IntegerField(), help_text="计入本期的案件 id"),
        "files": SubmissionFileSerializer(many=True),
    },
    "一次上报，含锁定的报表数字和案卷。",
)


def _detail(submission: Any) -> dict[str, Any]:
    files = upward.submission_files(submission)
    submission.file_count = len(files)
    data = dict(SubmissionDetailSerializer(submission).data)
    data["files"] = SubmissionFileSerializer(files, many=True).data
    return data


def _submission(request: Request, submission_id: Any) -> Any:
    return upward.submission_get_for_user(submission_id=submission_id, user=request.user)


class ReportSubmissionListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        organization = serializers.CharField(required=False, max_length=20, help_text="上报单位代码")
        status = serializers.ChoiceField(choices=SubmissionStatus.choices, required=False)
        period_kind = serializers.ChoiceField(choices=PeriodKind.choices, required=False)
        inbox = serializers.BooleanField(required=False, default=False, help_text="只看报送给本人审核的单位的上报")

    pagination_class = LimitOffsetPagination

    @extend_schema(
        operation_id="report_submissions_list",
        summary="上报列表",
        description="本人（中心主任、督导审计）可查看的上报，新的在前；其他角色 403。分页：?limit=&offset=。",
        parameters=[FilterSerializer],
        responses={200: SubmissionSerializer(many=True), **error_responses(400, 401, 403)},
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        _require_reader(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = upward.submission_list(user=request.user, filters=filters.validated_data).annotate(
            file_count=Count("files")
        )
        return paginate(request=request, view=self, queryset=rows, serializer_class=SubmissionSerializer)


class ReportSubmissionCreateApi(ApiView):
    class InputSerializer(serializers.Serializer):
        organization = serializers.CharField(max_length=20, help_text="上报单位（镇街调解分中心）代码")
        period_kind = serializers.ChoiceField(
            choices=PeriodKind.choices, help_text="month 月报 / quarter 季报 / year 年报"
        )
        year = serializers.IntegerField(min_value=2000, max_value=2099)
        number = serializers.IntegerField(
            required=False,
            allow_null=True,
            default=None,
            min_value=1,
            max_value=12,
            help_text="月份（1-12）或季度（1-4）",
        )
        correction_reason = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=upward.COMMENT_MAX, help_text="更正上报时必填"
        )

    @extend_schema(
        operation_id="report_submissions_create",
        summary="上报本期报表和案卷",
        description=(
            "镇街调解分中心的中心主任上报一个月、季度或年度：锁定本期报表数字（与标准月报/季报/年报相同），"
            "并附上本期结案且已归档的案卷。本期没有已归档案卷时 400。本期已上报时须填写 correction_reason，"
            "生成新版本。其他角色 403；范围以外的组织 404。"
        ),
        request=InputSerializer,
        responses={201: SubmissionDetailSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["reports"],
    )
    def post(self, request: Request) -> Response:
        if not upward.submitting_organizations(request.user):
            raise PermissionDeniedError(_("只有镇街调解分中心的中心主任可以上报。"))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        code = data.pop("organization")
        organization = next((org for org in report_organizations(request.user) if org.code == code), None)
        if organization is None:
            raise Http404
        submission = upward.submission_submit(actor=_actor(request), organization=organization, **data)
        return Response(_detail(submission), status=201)


class ReportSubmissionDetailApi(ApiView):
    @extend_schema(
        operation_id="report_submissions_retrieve",
        summary="上报详情",
        description="一次上报：锁定的报表数字、统计口径版本、计入的案件 id 和各案卷的审核结论。",
        responses={200: SubmissionDetailSerializer, **error_responses(401, 404)},
        tags=["reports"],
    )
    def get(self, request: Request, submission_id: int) -> Response:
        return Response(_detail(_submission(request, submission_id)))


class SubmissionFileReviewApi(ApiView):
    class InputSerializer(serializers.Serializer):
        verdict = serializers.ChoiceField(
            choices=[FileVerdict.ACCEPTED, FileVerdict.RETURNED], help_text="accepted 规范 / returned 退回"
        )
        comment = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=upward.COMMENT_MAX, help_text="退回时必填"
        )

    @extend_schema(
        operation_id="report_submissions_file_review",
        summary="审核一份上报案卷",
        description="接收单位（区中心）的中心主任：规范，或退回并填写意见。上报单位 403；审核已完成 409。",
        request=InputSerializer,
        responses={200: SubmissionDetailSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["reports"],
    )
    def post(self, request: Request, submission_id: int, file_id: int) -> Response:
        submission = _submission(request, submission_id)
        row = upward.submission_file_get(submission=submission, file_id=file_id)
        if not upward.may_review(request.user, submission):
            raise PermissionDeniedError(_("只有接收单位（区中心）的中心主任可以审核上报。"))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upward.submission_review_file(actor=_actor(request), file=row, **serializer.validated_data)
        return Response(_detail(_submission(request, submission_id)))


class SubmissionFinishReviewApi(ApiView):
    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=upward.COMMENT_MAX, help_text="审核意见"
        )

    @extend_schema(
        operation_id="report_submissions_finish_review",
        summary="完成上报审核",
        description=(
            "每份案卷都已审核后完成审核：全部规范为“已通过”，有退回的为“已退回”（上报单位更正后重新上报）。"
            "还有未审核的案卷、或审核已完成时 409；上报单位 403。"
        ),
        request=InputSerializer,
        responses={200: SubmissionDetailSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["reports"],
    )
    def post(self, request: Request, submission_id: int) -> Response:
        submission = _submission(request, submission_id)
        if not upward.may_review(request.user, submission):
            raise PermissionDeniedError(_("只有接收单位（区中心）的中心主任可以审核上报。"))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upward.submission_finish_review(actor=_actor(request), submission=submission, **serializer.validated_data)
        return Response(_detail(_submission(request, submission_id)))
