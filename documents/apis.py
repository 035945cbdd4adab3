"""API of documents and archiving: request a document, follow its progress, download it
(logged); archive a closed case (the `archive` transition), follow the build, download the
package, verify it, add a supplement. Thin: parse, call one selector or service."""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from cases.apis import CaseTransitionApi, request_actor, transition_endpoint
from cases.models import Case
from cases.selectors import case_get_for_user
from core.api import READ_ERRORS, WRITE_ERRORS, ApiView, DateTimeField, UserRefSerializer, error_responses
from documents import archive, selectors, services
from documents.kinds import kind_choices
from documents.models import CaseDocument, Copy, DocumentStatus
from documents.views import attachment


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="文书代码，如 D3、D10；BUNDLE 为卷宗")
    title = serializers.CharField()
    subject_id = serializers.IntegerField(help_text="对应记录（调解会议、送达记录等）的 id；0 表示案件本身")
    copy_for = serializers.ChoiceField(choices=Copy.choices)
    version = serializers.IntegerField()
    number = serializers.CharField(help_text="文书编号")
    status = serializers.ChoiceField(choices=DocumentStatus.choices)
    progress = serializers.IntegerField(help_text="生成进度（百分比）")
    page_count = serializers.IntegerField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    error = serializers.CharField()
    reason = serializers.CharField(help_text="更正理由")
    requested_by = UserRefSerializer()
    requested_at = DateTimeField()
    rendered_at = DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, document: CaseDocument) -> str | None:
        if document.status != DocumentStatus.READY:
            return None
        return f"/api/v1/documents/{document.pk}/download/"


class OptionSerializer(serializers.Serializer):
    kind = serializers.CharField(source="kind.code")
    subject_id = serializers.SerializerMethodField()
    title = serializers.CharField(source="label")

    def get_subject_id(self, option: Any) -> int | None:
        return getattr(option.subject, "pk", None)


class CaseDocumentsApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        documents = DocumentSerializer(many=True)
        available = OptionSerializer(many=True, help_text="现在可以生成的文书")

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=kind_choices())
        subject_id = serializers.IntegerField(required=False, allow_null=True, default=None)
        copy_for = serializers.ChoiceField(choices=Copy.choices, default=Copy.FILE)
        reason = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=500, help_text="更正理由：已有生成的版本时必填"
        )

    @extend_schema(
        operation_id="documents_list",
        summary="案件文书",
        responses={200: OutputSerializer, **error_responses(*READ_ERRORS)},
        tags=["documents"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = case_get_for_user(case_id=case_id, user=request.user)
        documents = selectors.case_documents(case=case, user=request.user)
        options = selectors.document_options(case) if selectors.reads_as_staff(request.user, case) else []
        return Response(self.OutputSerializer({"documents": documents, "available": options}).data)

    @extend_schema(
        operation_id="documents_request",
        summary="生成文书",
        description="在后台生成；答复 202 和文书记录，按 GET /api/v1/documents/{id}/ 查看进度。",
        request=InputSerializer,
        responses={202: DocumentSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["documents"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_request(case=case, actor=request_actor(request), **serializer.validated_data)
        document.refresh_from_db()
        return Response(DocumentSerializer(document).data, status=202)


class DocumentDetailApi(ApiView):
    @extend_schema(
        operation_id="documents_retrieve",
        summary="文书状态与进度",
        responses={200: DocumentSerializer, **error_responses(*READ_ERRORS)},
        tags=["documents"],
    )
    def get(self, request: Request, document_id: int) -> Response:
        document = selectors.document_get_for_user(document_id=document_id, user=request.user)
        return Response(DocumentSerializer(document).data)


class DocumentDownloadApi(ApiView):
    @extend_schema(
        operation_id="documents_download",
        summary="下载文书（PDF）",
        description="每次下载都记录在案。",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            **error_responses(*READ_ERRORS),
        },
        tags=["documents"],
    )
    def get(self, request: Request, document_id: int) -> FileResponse:
        try:
            document = selectors.document_get_for_user(document_id=document_id, user=request.user)
        except Http404:
            services.download_refused_log(
                user=cast(User, request.user),
                document_id=document_id,
                via="api",
                remote_addr=str(request.META.get("REMOTE_ADDR", "")),
            )
            raise
        if document.status != DocumentStatus.READY:
            raise Http404
        services.document_download_log(
            document=document,
            user=cast(User, request.user),
            granted=True,
            via="api",
            remote_addr=str(request.META.get("REMOTE_ADDR", "")),
        )
        return attachment(document.file.open("rb"), document.filename, "application/pdf")


class VolumeSerializer(serializers.Serializer):
    status = serializers.CharField()
    progress = serializers.IntegerField(help_text="立卷进度（百分比）")
    step = serializers.CharField()
    archive_number = serializers.CharField(help_text="档号")
    volume_type = serializers.CharField()
    retention = serializers.CharField(help_text="保管期限：permanent / 30y / 10y")
    retention_until = serializers.DateField(allow_null=True)
    page_count = serializers.IntegerField()
    bundle = DocumentSerializer(allow_null=True)
    package_sha256 = serializers.CharField()
    error = serializers.CharField()
    filed_by = UserRefSerializer()
    filed_at = DateTimeField(allow_null=True)


class CaseArchiveDetailApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        blockers = serializers.ListField(child=serializers.CharField(), help_text="归档材料缺项")
        volume = VolumeSerializer(allow_null=True)

    @extend_schema(
        operation_id="archive_retrieve",
        summary="立卷归档情况",
        responses={200: OutputSerializer, **error_responses(*READ_ERRORS)},
        tags=["archive"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = case_get_for_user(case_id=case_id, user=request.user)
        if not selectors.reads_as_staff(request.user, case):
            raise Http404
        blockers = archive.archive_blockers(case) if case.status == "closed" else []
        data = {"blockers": blockers, "volume": selectors.current_volume(case)}
        return Response(self.OutputSerializer(data).data)


class CaseArchivePackageApi(ApiView):
    @extend_schema(
        operation_id="archive_package",
        summary="下载归档包（ZIP）",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="ZIP"),
            **error_responses(*READ_ERRORS),
        },
        tags=["archive"],
    )
    def get(self, request: Request, case_id: int) -> FileResponse:
        try:
            case = case_get_for_user(case_id=case_id, user=request.user)
            volume = archive.archived_volume(case)
            if volume is None or not selectors.reads_as_staff(request.user, case):
                raise Http404
        except Http404:
            services.download_refused_log(
                user=cast(User, request.user),
                case_id=case_id,
                via="api",
                remote_addr=str(request.META.get("REMOTE_ADDR", "")),
            )
            raise
        services.document_download_log(
            document=None,
            volume=volume,
            user=cast(User, request.user),
            granted=True,
            via="api",
            remote_addr=str(request.META.get("REMOTE_ADDR", "")),
        )
        return attachment(volume.package.open("rb"), f"{volume.archive_number}.zip", "application/zip")


class CaseArchiveVerifyApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        intact = serializers.BooleanField()
        problems = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        operation_id="archive_verify",
        summary="校验归档包",
        description="重新计算归档包、清单和每份文书的 SHA-256，与归档时登记的值比较。",
        responses={200: OutputSerializer, **error_responses(*READ_ERRORS)},
        tags=["archive"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = case_get_for_user(case_id=case_id, user=request.user)
        if not selectors.reads_as_staff(request.user, case):
            raise Http404
        problems = archive.archive_verify(case)
        return Response({"intact": not problems, "problems": problems})


class CaseArchiveSupplementApi(ApiView):
    class InputSerializer(serializers.Serializer):
        description = serializers.CharField(max_length=4000, help_text="补充归档说明")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        description = serializers.CharField()
        added_by = UserRefSerializer()
        added_at = DateTimeField()

    @extend_schema(
        operation_id="archive_supplement",
        summary="补充归档",
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["archive"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        supplement = archive.archive_supplement_add(
            case=case, actor=request_actor(request), description=serializer.validated_data["description"]
        )
        return Response(self.OutputSerializer(supplement).data, status=201)


@transition_endpoint
class CaseArchiveApi(CaseTransitionApi):
    """须归档材料齐全（见 GET /api/v1/cases/{id}/archive/ 的 blockers）。立卷在后台进行：生成文书、装订卷宗、
    生成归档包后案件才变为已归档；按 GET /api/v1/cases/{id}/archive/ 查看进度。"""

    name = "archive"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        archive.archive_request(case=case, actor=actor)
