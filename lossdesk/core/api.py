"""The API error body `{"error": {"code", "message", "fields"}}` for every failure.

Bearer tokens and pagination live in core.rest: DRF imports those while loading its
settings, so they must not import rest_framework.views as this module does."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lossdesk.core.errors import ServiceError

logger = logging.getLogger(__name__)


def error_response(code: str, message: str, status_code: int, fields=None, **extra) -> Response:
    body = {"code": code, "message": message, "fields": fields or {}, **extra}
    return Response({"error": body}, status=status_code)


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any /api/v1/ path that matches no endpoint: the JSON 404 for every method. Exempt from
    CSRF as DRF views are (it changes nothing, so there is nothing to forge); otherwise a POST
    or DELETE to an unknown path got Django's HTML 403 page."""
    body = {"error": {"code": "not_found", "message": "接口不存在。", "fields": {}}}
    return JsonResponse(body, status=404)


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested detail → {"field": ["message", ...], "lines.0.quantity": [...]}."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for i, inner in enumerate(value):
                if inner:
                    walk(f"{prefix}.{i}" if prefix else str(i), inner)
        else:
            items = value if isinstance(value, list) else [value]
            out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in items)

    walk("", detail)
    return out


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return error_response(exc.code, exc.message, exc.status, exc.fields, **exc.extra)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages)
        return error_response("invalid", message, status.HTTP_400_BAD_REQUEST, fields)
    if isinstance(exc, Http404):
        return error_response("not_found", "未找到。", status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        return error_response("permission_denied", "没有权限。", status.HTTP_403_FORBIDDEN)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return error_response("server_error", "服务器内部错误，已记录。", 500)
    if isinstance(exc, exceptions.ValidationError):
        return error_response(
            "invalid", "输入有误，请检查字段。", response.status_code, _flatten(exc.detail)
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    code = getattr(exc, "default_code", "error")
    if isinstance(detail, dict | list):
        return error_response(code, "请求有误。", response.status_code, _flatten(detail))
    out = error_response(code, str(detail), response.status_code)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            out[header] = response[header]
    return out
