"""Shared pieces of the REST API (DESIGN.md §8, docs/api.md).

- `exception_handler`: every error, whatever raised it, answers
  `{"error": {"code": ..., "message": ..., "fields": {...}}}` with the right status.
- `ApiView`: the base of every API class (JSON in and out, multipart where a file is sent,
  bodies over DATA_UPLOAD_MAX_MEMORY_SIZE refused with 413 before they are parsed).
- `MoneyField`: yuan as a string with two decimals, in and out.
- `error_responses`: the documented error responses of an operation, for `extend_schema`.
- `AutoSchema`: names the nested Input/Output serializers of each API class after it.
- `by_method`: one URL served by one API class per HTTP method.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.csrf import csrf_exempt
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, pagination, parsers, renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, set_rollback

from core.exceptions import ApplicationError

NOT_FOUND_MESSAGE = gettext_noop("未找到该对象，或不在您的权限范围内。")
INVALID_MESSAGE = gettext_noop("请求数据有误，请按提示修改。")

# --- the error shape ------------------------------------------------------------------------


def error_body(code: str, message: str, fields: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"applicants.0.id_number": ["..."]}."""
    key = prefix or api_settings.NON_FIELD_ERRORS_KEY
    if isinstance(detail, Mapping):
        result: dict[str, list[str]] = {}
        for name, value in detail.items():
            # A nested serializer's own errors belong to the field that holds it.
            path = prefix if prefix and name == api_settings.NON_FIELD_ERRORS_KEY else f"{prefix}.{name}".lstrip(".")
            for field, messages in _flatten(value, path).items():
                result.setdefault(field, []).extend(messages)
        return result
    if isinstance(detail, list):
        result = {}
        for index, item in enumerate(detail):
            if isinstance(item, Mapping | list):
                nested = _flatten(item, f"{prefix}.{index}" if prefix else str(index))
            else:
                nested = {key: [str(item)]}
            for field, messages in nested.items():
                result.setdefault(field, []).extend(messages)
        return result
    return {key: [str(detail)]}


def _from_api_exception(exc: exceptions.APIException) -> tuple[int, dict[str, Any], dict[str, str]]:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(exc.auth_header)  # type: ignore[attr-defined]
    if isinstance(exc, exceptions.ValidationError):
        return 400, error_body("invalid", _(INVALID_MESSAGE), _flatten(exc.detail)), headers
    if isinstance(exc, exceptions.NotAuthenticated):
        message = _("请先登录，或在请求头中提供令牌：Authorization: Token <令牌>。")
        return exc.status_code, error_body("not_authenticated", message), headers
    if isinstance(exc, exceptions.AuthenticationFailed):
        return exc.status_code, error_body("authentication_failed", _("令牌或登录信息无效。")), headers
    if isinstance(exc, exceptions.PermissionDenied):  # DRF's own text, e.g. a failed CSRF check
        return 403, error_body("forbidden", str(exc.detail)), headers
    if isinstance(exc, exceptions.NotFound):
        return 404, error_body("not_found", _(NOT_FOUND_MESSAGE)), headers
    if isinstance(exc, exceptions.MethodNotAllowed):
        return 405, error_body("method_not_allowed", _("该地址不支持 %s 请求。") % exc.args[0]), headers
    if isinstance(exc, exceptions.Throttled):
        wait = int(getattr(exc, "wait", None) or 60)
        headers["Retry-After"] = str(wait)
        return 429, error_body("throttled", _("请求过于频繁，请 %d 秒后再试。") % wait), headers
    if isinstance(exc, exceptions.ParseError):
        return 400, error_body("parse_error", _("请求体无法解析（应为有效的 JSON）：%s") % exc.detail), headers
    if isinstance(exc, exceptions.UnsupportedMediaType):
        message = _("不支持的请求体类型，请使用 application/json（上传文件时用 multipart/form-data）。")
        return 415, error_body("unsupported_media_type", message), headers
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return exc.status_code, error_body(str(exc.default_code), detail), headers


def _classify(exc: Exception) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    if isinstance(exc, ApplicationError):
        return exc.status_code, error_body(exc.code, exc.message, exc.fields), {}
    if isinstance(exc, exceptions.APIException):
        return _from_api_exception(exc)
    if isinstance(exc, Http404):
        return 404, error_body("not_found", _(NOT_FOUND_MESSAGE)), {}
    if isinstance(exc, DjangoPermissionDenied):
        return 403, error_body("forbidden", _("您无权执行此操作。")), {}
    if isinstance(exc, ConcurrentTransition):
        return 409, error_body("conflict", _("案件刚被其他人处理过，请刷新后重试。")), {}
    if isinstance(exc, TransitionNotAllowed):
        return 409, error_body("conflict", _("案件当前状态不允许该操作。")), {}
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        return 413, error_body("request_too_large", _("请求体过大（上限 %.1f MB）。") % limit), {}
    if isinstance(exc, SuspiciousOperation):  # too many fields, malformed multipart and the like
        return 400, error_body("invalid", _("请求无法处理，请检查请求体。")), {}
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        return 400, error_body("invalid", " ".join(exc.messages), fields), {}
    return None


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]. Anything not listed here is a bug: it is left to
    Django (logged, 500)."""
    classified = _classify(exc)
    if classified is None:
        return None
    status_code, body, headers = classified
    set_rollback()
    return Response(body, status=status_code, headers=headers)


_JSON_PARAMS = {"ensure_ascii": False, "separators": (",", ":")}  # as DRF's JSONRenderer writes


@csrf_exempt
def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any /api/ address that matches no route (an unknown transition name, a typo)."""
    return JsonResponse(error_body("not_found", _(NOT_FOUND_MESSAGE)), status=404, json_dumps_params=_JSON_PARAMS)


# --- schema -----------------------------------------------------------------------------------


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid、forbidden、not_found、conflict")
    message = serializers.CharField(help_text="给人看的说明（中文）")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="字段 → 提示；嵌套字段用点号连接，如 applicants.0.id_number",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


_ERROR_DESCRIPTIONS = {
    400: "请求数据有误（fields 中有各字段的提示）",
    401: "未登录或令牌无效",
    403: "在您的权限范围内，但您的角色不能执行此操作",
    404: "对象不存在，或不在您的权限范围内（两者不作区分）",
    409: "与案件当前状态冲突（如该状态不允许此操作，或案件刚被他人处理）",
    413: "请求体过大",
    429: "请求过于频繁",
}


def error_responses(*codes: int) -> dict[int | str, OpenApiResponse]:
    """The error responses of an operation; the catch-all `default` documents the rest
    (405, 406, 413, 415, 429), which share the same shape."""
    responses: dict[int | str, OpenApiResponse] = {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code]) for code in codes
    }
    responses["default"] = OpenApiResponse(ErrorSerializer, description="其他错误，格式相同")
    return responses


#: The errors of a read of a case or of something below it.
READ_ERRORS = (401, 404)
#: The errors of a write to a case or to something below it.
WRITE_ERRORS = (400, 401, 403, 404, 409, 413)


def _serializer_name(self: Any, serializer: serializers.BaseSerializer, direction: str) -> str:
    parts = type(serializer).__qualname__.split(".")
    if len(parts) == 1:
        return type(serializer).__name__
    return "".join(part.removesuffix("Serializer").removesuffix("Api") for part in parts)


def __getattr__(name: str) -> Any:
    """`AutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) names the components after the
    API class: CaseListApi.OutputSerializer -> CaseListOutput. It is built on first use
    because drf_spectacular.openapi imports DRF's generic views, whose class body reads
    DEFAULT_PAGINATION_CLASS, which is in this module: a top-level import would be circular."""
    if name == "AutoSchema":
        from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

        schema_class = type(
            "AutoSchema", (SpectacularAutoSchema,), {"get_serializer_name": _serializer_name, "__module__": __name__}
        )
        globals()[name] = schema_class
        return schema_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- fields -------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?", re.ASCII)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$",
        "example": "12000.00",
        "description": "金额（元），字符串，最多两位小数；返回时总是两位小数",
    }
)
class MoneyField(serializers.Field):
    """Yuan. In: a string of ASCII digits with at most two decimals ("12000", "12000.5");
    no signs, exponents, separators or JSON numbers. Out: always two decimals ("12000.00")."""

    default_error_messages = {
        "invalid": gettext_lazy('金额应为字符串形式的不小于0的数字，最多两位小数（如 "12000.50"）。'),
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not _AMOUNT.fullmatch(data.strip()):
            self.fail("invalid")
        return Decimal(data.strip()).quantize(Decimal("0.01"))

    def to_representation(self, value: Any) -> str:
        return f"{Decimal(value).quantize(Decimal('0.01')):f}"


EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
_OUT_OF_RANGE = gettext_lazy("日期应在 1900-01-01 至 2099-12-31 之间。")


class DateField(serializers.DateField):
    """A date within 1900-2099: the services add days to dates, and a year-9999 date would
    overflow there (a 500 for input)."""

    default_error_messages = {"out_of_range": _OUT_OF_RANGE}

    def to_internal_value(self, value: Any) -> dt.date:
        date = super().to_internal_value(value)
        if not EARLIEST <= date <= LATEST:
            self.fail("out_of_range")
        return date


class DateTimeField(serializers.DateTimeField):
    """A time within 1900-2099; without an offset it is Beijing time (the current timezone)."""

    default_error_messages = {"out_of_range": _OUT_OF_RANGE}

    def to_internal_value(self, value: Any) -> dt.datetime:
        try:
            moment = super().to_internal_value(value)
        except OverflowError:  # DRF's own check of year-1 times overflows
            self.fail("out_of_range")
        if not EARLIEST <= moment.date() <= LATEST:
            self.fail("out_of_range")
        return moment


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class PartyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    side = serializers.CharField()
    name = serializers.CharField()


# --- views --------------------------------------------------------------------------------------


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser reads the request stream directly, which skips Django's size limit
    (RequestDataTooBig is raised only by request.body). This one applies it."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(codecs.decode(raw, encoding), parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested thousands deep
            raise exceptions.ParseError(str(exc)) from exc


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _declared_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ApiView(APIView):
    """Base of every API class: JSON in and out; `multipart = True` also accepts a form with
    a file. A declared body over the limit is refused before anything else happens."""

    multipart = False
    renderer_classes = [renderers.JSONRenderer]

    def get_parsers(self) -> list[parsers.BaseParser]:
        if self.multipart:
            return [JSONParser(), parsers.MultiPartParser()]
        return [JSONParser()]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        is_upload = self.multipart and request.content_type.startswith("multipart/")
        if limit is not None and not is_upload and _declared_length(request) > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        super().initial(request, *args, **kwargs)
        # DRF reads an empty query value ("?role=") as an absent one, so a filter the schema
        # says must be a date or one of a list would silently match everything: refuse it.
        empty = sorted({name for name, values in request.query_params.lists() if "" in values})
        if empty:
            raise exceptions.ValidationError(
                {name: [_("参数值不能为空；不需要这个条件时请去掉该参数。")] for name in empty}
            )


def by_method(**views: type[APIView]) -> Callable[..., Any]:
    """One URL, one API class per operation: `by_method(get=CaseListApi, post=CaseCreateApi)`.

    Each request goes to its own class (so `self.InputSerializer` is that class's); the
    schema generator sees one combined class carrying each class's annotated method."""
    handlers = {method.upper(): view.as_view() for method, view in views.items()}
    if "GET" in handlers:
        handlers["HEAD"] = handlers["GET"]
    allowed = ", ".join(sorted({*handlers, "OPTIONS"}))

    @csrf_exempt
    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        method = request.method or "GET"
        handler = handlers.get(method) or (handlers[next(iter(handlers))] if method == "OPTIONS" else None)
        if handler is None:
            body = error_body("method_not_allowed", _("该地址不支持 %s 请求。") % method)
            refusal = JsonResponse(body, status=405, json_dumps_params=_JSON_PARAMS)
            refusal["Allow"] = allowed
            return refusal
        response = handler(request, *args, **kwargs)
        if response.has_header("Allow"):  # each class knows only its own method
            response["Allow"] = allowed
        return response

    bases = tuple(views.values())
    combined: Any = type("".join(v.__name__.removesuffix("Api") for v in bases) + "Api", bases, {})
    for method, view in views.items():
        setattr(combined, method, getattr(view, method))
    combined.http_method_names = [*views, "options"]
    dispatch.cls = combined  # type: ignore[attr-defined]
    dispatch.initkwargs = {}  # type: ignore[attr-defined]
    return dispatch


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """?limit= (default 50, at most 200) and ?offset=."""

    max_limit = 200
    max_offset = 2**31 - 1  # a larger OFFSET overflows the database's integer (a 500 for input)

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), self.max_offset)


def paginate(
    *, request: Request, view: APIView, queryset: Any, serializer_class: type[serializers.BaseSerializer]
) -> Response:
    paginator = LimitOffsetPagination()
    page: list[Any] | None = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
