"""What every app's API shares: the error body in the schema, named enum components, the
Bearer scheme, and model permissions that also guard reads (the JSON 404 for unknown paths
is core.api.not_found).

It lives in org (the app every other app already depends on); it belongs in core once the
API settles."""

import copy

from django.db.models import ProtectedError
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.utils import OpenApiResponse
from rest_framework import mixins, permissions, serializers

from lossdesk.core.errors import Conflict
from lossdesk.org.error_codes import OrgErrorCode

# ---------------------------------------------------------------------------- error body


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid、illegal_transition。")
    message = serializers.CharField(help_text="给人看的中文说明。")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='字段 → 错误信息列表；嵌套字段写作 "lines.0.unit_price"。',
    )
    current_state = serializers.CharField(required=False, help_text="冲突（409）时对象的当前状态。")
    current_state_label = serializers.CharField(required=False)
    current_version = serializers.IntegerField(required=False, help_text="冲突时案件的当前版本。")


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


_ERROR_TEXT = {
    400: "输入有误（fields 列出各字段的错误）。",
    401: "未登录或令牌无效。",
    403: "岗位没有该操作的权限。",
    404: "不存在或不在您的数据范围内。",
    405: "不支持该 HTTP 方法。",
    409: "状态冲突：当前状态不允许该操作（illegal_transition），或已被他人修改（conflict）。",
    415: "请求体的媒体类型不受支持，或无法按所声明的类型解析（unsupported_media_type）。",
    429: "请求过于频繁（throttled），或连续登录失败被锁定（locked_out）。",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """`responses={...}` entries for the error body, e.g. `**error_responses(400, 404)`."""
    return {s: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT[s]) for s in statuses}


# ------------------------------------------------------------------------- named enums


class EnumField(serializers.ChoiceField):
    """A ChoiceField over a TextChoices class, published in the schema as one named enum
    component (`CaseStatusEnum`), so equal field names with different choices never clash."""

    def __init__(self, choices_class, *, labels: dict | None = None, **kwargs):
        self.choices_class = choices_class
        if labels is not None:  # a plain Enum with its labels kept elsewhere
            kwargs["choices"] = [(member.value, labels[member]) for member in choices_class]
        else:
            kwargs["choices"] = choices_class.choices
        super().__init__(**kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def get_name(self) -> str:
        return f"{self.target.choices_class.__name__}Enum"

    def map_serializer_field(self, auto_schema, direction):
        choices = list(self.target.choices.items())
        return {
            "type": "string",
            "enum": [value for value, _ in choices],
            "description": build_choice_description_list(choices),
        }


class FieldsBuiltOnce:
    """Mixed in before ModelSerializer: the fields it builds from the model are built once
    per class and copied for each instance, as DRF copies declared fields. Building them
    (model introspection, field kwargs) on every instance was ≈ 40 % of a case detail's
    serialisation (issue 16). A subclass that adds fields depending on the registry
    overrides get_fields and adds them after super(), so they stay built per instance.

    The built fields are never bound; a field of its own is copied shallowly, as all a
    field's state past its arguments is what bind() sets on the copy (DRF's deepcopy calls
    its __init__ again: half a detail's serialisation, decision 0031). A field holding
    fields (a nested serializer, a list's child) is copied whole, as DRF copies it, so its
    children bind to the copy."""

    _built: dict[type, dict] = {}

    def get_fields(self):
        built = FieldsBuiltOnce._built.get(type(self))
        if built is None:
            built = FieldsBuiltOnce._built[type(self)] = super().get_fields()
        return {
            name: copy.deepcopy(field) if holds_fields(field) else copy.copy(field)
            for name, field in built.items()
        }


def holds_fields(field) -> bool:
    return (
        isinstance(field, serializers.BaseSerializer)
        or hasattr(field, "child")
        or hasattr(field, "child_relation")
    )


def enum_or_null(value: str) -> str | None:
    """Blank choice fields go out as null, so the value always matches its enum."""
    return value or None


# ------------------------------------------------------------------------ authentication


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lossdesk.core.rest.BearerTokenAuthentication"
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "POST /api/v1/auth/token 取得令牌（每次登录一个），然后发送 "
            "`Authorization: Bearer <token>`。令牌空闲超时或超过绝对时限即失效，修改密码后"
            "其他令牌全部作废；GET /api/v1/auth/tokens 列出、DELETE 作废。",
        }


class PageSessionScheme(SessionScheme):
    """The pages' session cookie, through our subclass (the temporary-password gate)."""

    target_class = "lossdesk.core.rest.SessionAuthentication"


# --------------------------------------------------------------------------- permissions


class ModelPermissions(permissions.DjangoModelPermissions):
    """DjangoModelPermissions that also needs `view_<model>` for reads (positions grant it
    through org.backends.PositionBackend)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class ProtectedDestroyMixin(mixins.DestroyModelMixin):
    """DELETE of a row other rows still refer to is a 409, not a 500."""

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError:
            raise Conflict(
                "仍有数据引用该记录，不能删除；可改为停用。", code=OrgErrorCode.STILL_REFERENCED
            ) from None
