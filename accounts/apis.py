"""API of accounts: the token, who am I, and the staff a caller may assign (ids for accept
and sessions)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.access import active_memberships, organizations_in_scope
from accounts.models import Membership, Role
from core.api import ApiView, error_responses
from core.exceptions import ApplicationError


class TokenObtainApi(ApiView):
    """Username and password for a token (DRF authtoken); one token per user."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(
        operation_id="auth_token_create",
        summary="取得令牌",
        description="用户名和密码换取令牌；之后的请求带 `Authorization: Token <令牌>`。每个地址每分钟最多 10 次。",
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or getattr(user, "is_system", False):
            message = _("用户名或密码不正确。")
            raise ApplicationError(message, fields={"password": [message]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response(self.OutputSerializer({"token": token.key}).data)


class _OrganizationRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MeApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        class MembershipSerializer(serializers.Serializer):
            role = serializers.ChoiceField(choices=Role.choices)
            organization = _OrganizationRefSerializer(allow_null=True)
            agency = serializers.CharField(source="agency.name", allow_null=True)

        id = serializers.IntegerField()
        username = serializers.CharField()
        name = serializers.CharField()
        memberships = MembershipSerializer(many=True)

    @extend_schema(
        operation_id="me_retrieve",
        summary="当前用户及其岗位",
        responses={200: OutputSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "name": str(user),
            "memberships": active_memberships(user),
        }
        return Response(self.OutputSerializer(data).data)


class StaffListApi(ApiView):
    """Staff of the organisations in the caller's scope: the ids to name mediators and clerks."""

    class FilterSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Role.choices, required=False)
        organization = serializers.CharField(required=False, help_text="调解组织代码")

    class OutputSerializer(serializers.Serializer):
        user_id = serializers.IntegerField()
        name = serializers.CharField(source="user.__str__")
        role = serializers.ChoiceField(choices=Role.choices)
        organization = _OrganizationRefSerializer()

    @extend_schema(
        operation_id="staff_list",
        summary="本人权限范围内各调解组织的工作人员",
        description="受理（accept）和安排调解（sessions）时指派的调解员、书记员的 id 从这里取得。",
        parameters=[
            OpenApiParameter("role", str, enum=Role.values),
            OpenApiParameter("organization", str, description="调解组织代码"),
        ],
        responses={200: OutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        organizations = [o.pk for o in organizations_in_scope(request.user)]
        memberships = (
            Membership.objects.filter(active=True, user__is_active=True, organization_id__in=organizations)
            .select_related("user", "organization")
            .order_by("organization__code", "role", "user__username")
        )
        if "role" in filters.validated_data:
            memberships = memberships.filter(role=filters.validated_data["role"])
        if "organization" in filters.validated_data:
            memberships = memberships.filter(organization__code=filters.validated_data["organization"])
        return Response(self.OutputSerializer(memberships, many=True).data)
